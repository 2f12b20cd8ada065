// Named sets of an nft JSON document, and the `nft-json:` target's choice of set or chain.
#include "feeds/json_document.h"
#include "firewall/nft_json.h"
#include "firewall/nft_json_internal.h"

#include <boost/json.hpp>

namespace allowdrift::firewall {
namespace json = boost::json;
using nft_detail::describe;
using nft_detail::parse_error;

namespace {

ReadError unsupported(std::string_view where, std::string_view what) {
  return {ReadErrorKind::kUnsupported, std::string(where) + ": " + std::string(what)};
}

// "ipv4_addr", or "ipv4_addr . inet_service" for a concatenation (escaped for messages); "" when `type` is neither
// form.
std::string type_text(const json::value& type) {
  if (type.is_string()) return nft_detail::display_name(std::string_view(type.get_string()));
  std::string out;
  if (const auto* parts = type.if_array()) {
    for (const auto& p : *parts) {
      if (!p.is_string()) return {};
      out += (out.empty() ? "" : " . ") + nft_detail::display_name(std::string_view(p.get_string()));
    }
  }
  return out;
}

bool matches(const NftName& selector, const NftName& name) {
  return (selector.family.empty() || selector.family == name.family) && selector.table == name.table &&
         selector.name == name.name;
}

}  // namespace

ReadResult<Allowlist> nft_set_allowlist(const NftRuleset& ruleset, const NftRuleset::Object& set,
                                        const std::string& origin) {
  const auto& body = ruleset.body(set);
  const std::string where = ruleset.path(set);
  const std::string what = (set.map ? "map " : "set ") + set.name.to_string();
  if (set.map) return unsupported(where, what + " is a map (key : value), not a set");
  const auto* type = body.if_contains("type");
  const std::string type_name = type ? type_text(*type) : std::string();
  if (type_name.empty()) {
    return parse_error(
        where, "expected a \"type\" such as \"ipv4_addr\", found " + (type ? describe(*type) : std::string("none")));
  }
  if (type_name != "ipv4_addr" && type_name != "ipv6_addr") {
    return unsupported(where, what + " has type " + type_name + "; only ipv4_addr and ipv6_addr sets can be read");
  }
  const auto family = type_name == "ipv4_addr" ? model::Family::kV4 : model::Family::kV6;

  Allowlist out;
  const auto* elems = body.if_contains("elem");
  if (!elems) return out;  // an empty set
  if (!elems->is_array()) return parse_error(where, "expected \"elem\" to be an array, found " + describe(*elems));
  const std::string& entry_origin = origin.empty() ? what : origin;
  out.ips.reserve(elems->get_array().size());
  std::string path = where;
  feeds::append_json_path_key(path, "elem");
  const auto path_size = path.size();
  for (std::size_t i = 0; i < elems->get_array().size(); ++i) {
    path.resize(path_size);
    feeds::append_json_path_index(path, i);
    auto e = nft_detail::parse_element(elems->get_array()[i], family, path, entry_origin, out.warnings);
    if (!e) return e.error();
    out.ips.push_back({*e, entry_origin});
  }
  return out;
}

ReadResult<Allowlist> parse_nft_json_target(std::string_view text, std::string_view source, const TargetSpec& spec) {
  auto ruleset = NftRuleset::parse(text, source);
  if (!ruleset) return ruleset.error();
  const NftName selector{spec.family, spec.table, spec.name};
  std::vector<std::string> set_names;
  for (const auto& s : ruleset->sets()) set_names.push_back((s.map ? "map " : "set ") + s.name.to_string());

  if (selector.name.empty()) {
    const NftRuleset::Object* only = nullptr;
    std::size_t count = 0;
    for (const auto& s : ruleset->sets()) {
      if (!s.map && count++ == 0) only = &s;
    }
    if (count == 1) return nft_set_allowlist(*ruleset, *only);
    return ReadError{ReadErrorKind::kNotFound,
                     std::string(source) + ": " +
                         (count == 0 ? "the document holds no named set"
                                     : "the document holds " + std::to_string(count) + " named sets") +
                         "; name one with PATH#TABLE/SET or PATH#FAMILY/TABLE/SET (" + list_names(set_names) + ")"};
  }

  // A set of that name, else a chain of that name; in several families (no family given): ambiguous.
  for (const auto* list : {&ruleset->sets(), &ruleset->chains()}) {
    std::vector<const NftRuleset::Object*> found;
    for (const auto& o : *list) {
      if (matches(selector, o.name)) found.push_back(&o);
    }
    if (found.size() > 1) {
      std::string families;
      for (const auto* o : found) families += (families.empty() ? "" : ", ") + o->name.to_string();
      return ReadError{ReadErrorKind::kBadSpec, "target '" + spec.text + "': " + selector.table + "/" + selector.name +
                                                    " is in several families (" + families +
                                                    "); write PATH#FAMILY/TABLE/NAME"};
    }
    if (found.size() == 1) {
      return list == &ruleset->sets() ? nft_set_allowlist(*ruleset, *found.front())
                                      : nft_chain_allowlist(*ruleset, *found.front());
    }
  }
  std::vector<std::string> chain_names;
  for (const auto& c : ruleset->chains()) chain_names.push_back(c.name.to_string());
  const std::string wanted =
      (selector.family.empty() ? "" : selector.family + "/") + selector.table + "/" + selector.name;
  return ReadError{ReadErrorKind::kNotFound, std::string(source) + ": no set or chain " + wanted + "; sets: " +
                                                 list_names(set_names) + "; chains: " + list_names(chain_names)};
}

}  // namespace allowdrift::firewall
