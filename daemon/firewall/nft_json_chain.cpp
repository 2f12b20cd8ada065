// The accept rules of a chain in an nft JSON document (see nft_json.h for what counts and what is a warning).
#include "feeds/json_document.h"
#include "firewall/nft_json.h"
#include "firewall/nft_json_internal.h"

#include <boost/json.hpp>

#include <algorithm>

namespace allowdrift::firewall {
namespace json = boost::json;
using nft_detail::describe;
using nft_detail::parse_error;

namespace {

// The address a chain's rules are read for: destinations where traffic leaves, sources otherwise.
std::string_view address_field(const json::object& chain) {
  const auto* hook = chain.if_contains("hook");
  if (hook && hook->is_string() && (hook->get_string() == "output" || hook->get_string() == "postrouting")) {
    return "daddr";
  }
  return "saddr";
}

// {"payload": {"protocol": "ip"|"ip6", "field": FIELD}}: the family it matches, if `v` is exactly that.
std::optional<model::Family> address_payload(const json::value& v, std::string_view field) {
  const auto* o = v.if_object();
  const auto* p = o && o->size() == 1 ? o->if_contains("payload") : nullptr;
  const auto* po = p ? p->if_object() : nullptr;
  if (!po || po->size() != 2) return std::nullopt;
  const auto* protocol = po->if_contains("protocol");
  const auto* f = po->if_contains("field");
  if (!protocol || !f || !protocol->is_string() || !f->is_string() || f->get_string() != field) return std::nullopt;
  if (protocol->get_string() == "ip") return model::Family::kV4;
  if (protocol->get_string() == "ip6") return model::Family::kV6;
  return std::nullopt;
}

// Whether the address payload appears anywhere in `v` (under a mask, in a concatenation, as a map key).
bool mentions(const json::value& v, std::string_view field) {
  if (address_payload(v, field)) return true;
  if (const auto* o = v.if_object()) {
    return std::any_of(o->begin(), o->end(), [&](const auto& m) { return mentions(m.value(), field); });
  }
  if (const auto* a = v.if_array()) {
    return std::any_of(a->begin(), a->end(), [&](const auto& e) { return mentions(e, field); });
  }
  return false;
}

std::string protocol_text(model::Family family, std::string_view field) {
  return (family == model::Family::kV4 ? "ip " : "ip6 ") + std::string(field);
}

// What one rule contributes: nothing, a warning (skipped), or the right side of its one address match.
struct RuleScan {
  std::string origin;
  std::string warning;
  const json::value* right = nullptr;
  std::string right_path;
  model::Family family = model::Family::kV4;
};

ReadResult<RuleScan> scan_rule(const NftRuleset& ruleset, const NftRuleset::Object& rule, std::string_view field) {
  const auto& body = ruleset.body(rule);
  RuleScan scan;
  const auto* handle = body.if_contains("handle");
  scan.origin = "chain " + rule.name.to_string() + " rule" +
                (handle && handle->is_number() ? " handle " + json::serialize(*handle) : std::string());
  const std::string where = ruleset.path(rule);
  const auto* exprs = body.if_contains("expr");
  if (!exprs || !exprs->is_array()) {
    return parse_error(where, "expected an \"expr\" array, found " + (exprs ? describe(*exprs) : std::string("none")));
  }
  const auto skip = [&](const std::string& why) {
    scan.warning = scan.origin + ": " + why + " is not supported; rule skipped";
    scan.right = nullptr;
    return scan;
  };
  bool accept = false;
  for (const auto& e : exprs->get_array()) {
    const auto* o = e.if_object();
    if (!o || o->size() != 1) return parse_error(where, "expected statements of one member, found " + describe(e));
    if (o->contains("accept")) accept = true;
    if (o->contains("vmap") && mentions(o->at("vmap"), field))
      return skip("a verdict map keyed on " + std::string(field));
  }
  if (!accept) return scan;

  for (std::size_t i = 0; i < exprs->get_array().size(); ++i) {
    const auto* m = exprs->get_array()[i].get_object().if_contains("match");
    if (!m) continue;
    const auto* match = m->if_object();
    const auto* left = match ? match->if_contains("left") : nullptr;
    const auto* op = match ? match->if_contains("op") : nullptr;
    const auto* right = match ? match->if_contains("right") : nullptr;
    if (!left || !op || !right || !op->is_string()) {
      return parse_error(where, "expected a match with \"op\", \"left\" and \"right\", found " + describe(*m));
    }
    const auto family = address_payload(*left, field);
    if (!family) {
      if (mentions(*left, field))
        return skip("a match on " + std::string(field) + " inside an expression (a mask, a concatenation)");
      continue;
    }
    const auto what = protocol_text(*family, field);
    if (op->get_string() == "!=") return skip("the negated match " + what + " !=");
    if (op->get_string() != "==" && op->get_string() != "in") {
      return skip("the comparison " + what + " " + nft_detail::display_name(std::string_view(op->get_string())));
    }
    if (scan.right) return skip("a second match on " + what);
    scan.right = right;
    scan.family = *family;
    scan.right_path = where;
    feeds::append_json_path_key(scan.right_path, "expr");
    feeds::append_json_path_index(scan.right_path, i);
    feeds::append_json_path_key(scan.right_path, "match");
    feeds::append_json_path_key(scan.right_path, "right");
  }
  return scan;
}

std::vector<const NftRuleset::Object*> chain_rules(const NftRuleset& ruleset, const NftRuleset::Object& chain) {
  std::vector<const NftRuleset::Object*> out;
  for (const auto& r : ruleset.rules()) {
    if (r.name.family == chain.name.family && r.name.table == chain.name.table && r.name.name == chain.name.name) {
      out.push_back(&r);
    }
  }
  return out;
}

std::optional<std::string> set_ref(const json::value* right) {
  if (!right || !right->is_string() || !right->get_string().starts_with("@")) return std::nullopt;
  return nft_detail::display_name(std::string_view(right->get_string()).substr(1));
}

// A named set from the document itself.
ReadResult<Allowlist> document_set(const NftRuleset& ruleset, const NftName& name, const std::string& origin,
                                   const std::string& where) {
  const auto& sets = ruleset.sets();
  const auto it = std::find_if(sets.begin(), sets.end(), [&](const auto& s) {
    return s.name.family == name.family && s.name.table == name.table && s.name.name == name.name;
  });
  if (it == sets.end()) {
    return parse_error(where, "the rule uses set @" + name.name +
                                  ", which the document does not hold (save the whole ruleset: nft -j list ruleset)");
  }
  return nft_set_allowlist(ruleset, *it, origin);
}

}  // namespace

ReadResult<Allowlist> nft_chain_allowlist(const NftRuleset& ruleset, const NftRuleset::Object& chain,
                                          const NftSetResolver& resolve) {
  const auto& body = ruleset.body(chain);
  const auto field = address_field(body);
  Allowlist out;
  const auto* policy = body.if_contains("policy");
  if (policy && policy->is_string() && policy->get_string() == "accept") {
    out.warnings.push_back("chain " + chain.name.to_string() +
                           ": policy accept: addresses that no rule drops are allowed as well");
  }
  for (const auto* rule : chain_rules(ruleset, chain)) {
    auto scan = scan_rule(ruleset, *rule, field);
    if (!scan) return scan.error();
    if (!scan->warning.empty()) out.warnings.push_back(std::move(scan->warning));
    if (!scan->right) continue;
    if (const auto name = set_ref(scan->right)) {
      const NftName set{chain.name.family, chain.name.table, *name};
      const std::string origin = scan->origin + " (set @" + set.name + ")";
      auto elements = resolve ? resolve(set, origin) : document_set(ruleset, set, origin, scan->right_path);
      if (!elements) return elements.error();
      for (auto& ip : elements->ips) {
        if (ip.entry.family != scan->family) {
          return parse_error(scan->right_path, "set @" + set.name + " holds addresses of the other family");
        }
        out.ips.push_back(std::move(ip));
      }
      for (auto& w : elements->warnings) out.warnings.push_back(std::move(w));
      continue;
    }
    const auto* anonymous = scan->right->is_object() ? scan->right->get_object().if_contains("set") : nullptr;
    if (anonymous && scan->right->get_object().size() == 1) {
      if (!anonymous->is_array()) {
        return parse_error(scan->right_path, "expected {\"set\": [...]}, found " + describe(*scan->right));
      }
      for (std::size_t i = 0; i < anonymous->get_array().size(); ++i) {
        std::string path = scan->right_path;
        feeds::append_json_path_key(path, "set");
        feeds::append_json_path_index(path, i);
        auto e = nft_detail::parse_element(anonymous->get_array()[i], scan->family, path, scan->origin, out.warnings);
        if (!e) return e.error();
        out.ips.push_back({*e, scan->origin});
      }
      continue;
    }
    auto e = nft_detail::parse_element(*scan->right, scan->family, scan->right_path, scan->origin, out.warnings);
    if (!e) return e.error();
    out.ips.push_back({*e, scan->origin});
  }
  return out;
}

}  // namespace allowdrift::firewall
