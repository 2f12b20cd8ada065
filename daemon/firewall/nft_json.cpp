#include "firewall/nft_json.h"

#include "feeds/json_document.h"
#include "firewall/nft_json_internal.h"
#include "model/ip_address.h"

#include <boost/json.hpp>

#include <algorithm>

namespace allowdrift::firewall {
namespace json = boost::json;
using nft_detail::describe;
using nft_detail::parse_error;

namespace nft_detail {

std::string describe(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return model::quote_token(std::string_view(v.get_string()));
    case json::kind::object: {
      std::string keys;
      for (const auto& m : v.get_object()) {
        if (keys.size() > 60) return "an object with keys " + keys + ", ...";
        if (!keys.empty()) keys += ", ";
        keys += model::quote_token(std::string_view(m.key()));
      }
      return keys.empty() ? "an empty object" : "an object with keys " + keys;
    }
    case json::kind::array:
      return "an array of " + std::to_string(v.get_array().size());
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    default:
      return "the number " + json::serialize(v);
  }
}

std::string display_name(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

ReadError parse_error(std::string_view where, std::string_view what) {
  return {ReadErrorKind::kParse, std::string(where) + ": " + std::string(what)};
}

namespace {

std::string child(const std::string& where, std::string_view key) {
  std::string out = where;
  feeds::append_json_path_key(out, key);
  return out;
}

ReadResult<model::IpEntry> parse_token(std::string_view token, const std::string& where, std::string_view origin,
                                       std::vector<std::string>& warnings) {
  auto e = model::parse_ip_entry(token);
  if (!e) return parse_error(where, e.error().message);
  if (auto note = model::describe_normalization(*e, token); !note.empty()) {
    warnings.push_back(std::string(origin) + ": " + note);
  }
  return *e;
}

}  // namespace

ReadResult<model::IpEntry> parse_element(const json::value& v, std::optional<model::Family> family,
                                         const std::string& where, std::string_view origin,
                                         std::vector<std::string>& warnings) {
  ReadResult<model::IpEntry> e = parse_error(where, "");
  const auto* obj = v.if_object();
  if (v.is_string()) {
    e = parse_token(std::string_view(v.get_string()), where, origin, warnings);
  } else if (obj && obj->size() == 1 && obj->contains("elem")) {
    const auto* inner = obj->at("elem").if_object();
    const auto* val = inner ? inner->if_contains("val") : nullptr;
    if (!val || (val->is_object() && val->get_object().contains("elem"))) {
      return parse_error(child(where, "elem"), "expected {\"val\": ADDRESS, ...}, found " + describe(obj->at("elem")));
    }
    return parse_element(*val, family, child(child(where, "elem"), "val"), origin, warnings);
  } else if (obj && obj->size() == 1 && obj->contains("prefix")) {
    const auto* p = obj->at("prefix").if_object();
    const auto* addr = p ? p->if_contains("addr") : nullptr;
    const auto* len = p ? p->if_contains("len") : nullptr;
    if (!addr || !len || p->size() != 2 || !addr->is_string() || !(len->is_int64() || len->is_uint64())) {
      return parse_error(child(where, "prefix"),
                         "expected {\"addr\": ADDRESS, \"len\": NUMBER}, found " + describe(obj->at("prefix")));
    }
    const auto text = std::string(addr->get_string()) + "/" + json::serialize(*len);
    e = parse_token(text, child(where, "prefix"), origin, warnings);
  } else if (obj && obj->size() == 1 && obj->contains("range")) {
    const auto* r = obj->at("range").if_array();
    if (!r || r->size() != 2 || !(*r)[0].is_string() || !(*r)[1].is_string()) {
      return parse_error(child(where, "range"),
                         "expected [FIRST, LAST] addresses, found " + describe(obj->at("range")));
    }
    const auto text = std::string((*r)[0].get_string()) + "-" + std::string((*r)[1].get_string());
    e = parse_token(text, child(where, "range"), origin, warnings);
  } else {
    return parse_error(
        where, "expected an address, {\"prefix\": ...}, {\"range\": ...} or {\"elem\": ...}, found " + describe(v));
  }
  if (e && family && e->family != *family) {
    return parse_error(where, std::string("an ") + std::string(model::family_name(e->family)) + " entry where " +
                                  std::string(model::family_name(*family)) + " was expected");
  }
  return e;
}

}  // namespace nft_detail

namespace {

constexpr std::size_t kMaxName = 255;  // NFT_NAME_MAXLEN, 256 with the terminator

ReadResult<std::string> member_string(const json::object& o, std::string_view key, const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) {
    return parse_error(where, "expected a string member \"" + std::string(key) + "\", found " +
                                  (v ? describe(*v) : std::string("none")));
  }
  if (v->get_string().size() > kMaxName) {
    return parse_error(where, "\"" + std::string(key) + "\" is longer than the " + std::to_string(kMaxName) +
                                  " bytes nftables allows");
  }
  return nft_detail::display_name(std::string_view(v->get_string()));
}

ReadResult<NftName> header(const json::object& o, std::string_view table_key, std::string_view name_key,
                           const std::string& where) {
  NftName n;
  auto family = member_string(o, "family", where);
  if (!family) return family.error();
  n.family = std::move(*family);
  if (!table_key.empty()) {
    auto table = member_string(o, table_key, where);
    if (!table) return table.error();
    n.table = std::move(*table);
  }
  auto name = member_string(o, name_key, where);
  if (!name) return name.error();
  n.name = std::move(*name);
  return n;
}

ReadError unsupported(std::string_view where, std::string_view what) {
  return {ReadErrorKind::kUnsupported, std::string(where) + ": " + std::string(what)};
}

ReadResult<void> check_metainfo(const json::value& v, const std::string& where) {
  const auto* o = v.if_object();
  if (!o) return parse_error(where, "expected an object, found " + describe(v));
  const auto* version = o->if_contains("json_schema_version");
  if (!version) {
    return unsupported(where, "no json_schema_version (nft before 0.9.1?); this reader knows version 1");
  }
  if (!version->is_int64() && !version->is_uint64()) {
    return parse_error(where, "json_schema_version is " + describe(*version) + ", expected a number");
  }
  if (!(version->is_int64() && version->get_int64() == 1)) {
    return unsupported(where, "json_schema_version " + json::serialize(*version) +
                                  " is not supported; this reader knows version 1 (nft 0.9.1 to 1.1)");
  }
  return {};
}

}  // namespace

ReadResult<NftRuleset> NftRuleset::parse(std::string_view text, std::string_view source) {
  feeds::JsonLimits limits;
  limits.max_bytes = std::max(limits.max_bytes, text.size());  // the caller has already capped the size
  auto parsed = feeds::parse_json_document(text, limits);
  if (!parsed) return parse_error(source, parsed.error().message);
  NftRuleset rs;
  rs.doc_ = std::move(*parsed);
  rs.source_ = source;
  const auto& root = rs.doc_;
  const auto* obj = root.if_object();
  const auto* items = obj && obj->size() == 1 ? obj->if_contains("nftables") : nullptr;
  if (!items || !items->is_array()) {
    return parse_error(source, "expected {\"nftables\": [...]} (nft -j output), found " + describe(root));
  }
  bool metainfo = false;
  const auto& array = items->get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::string where = std::string(source) + ": nftables";
    feeds::append_json_path_index(where, i);
    const auto* item = array[i].if_object();
    if (!item || item->size() != 1) {
      return parse_error(where,
                         "expected an object of one member such as {\"set\": {...}}, found " + describe(array[i]));
    }
    const auto& [key, value] = *item->begin();
    feeds::append_json_path_key(where, key);
    if (key == "metainfo") {
      if (metainfo) return parse_error(where, "a second metainfo");
      metainfo = true;
      if (auto ok = check_metainfo(value, where); !ok) return ok.error();
      continue;
    }
    const bool set = key == "set" || key == "map";
    if (!set && key != "chain" && key != "rule" && key != "table") continue;  // counters, flowtables, ...
    const auto* body = value.if_object();
    if (!body) return parse_error(where, "expected an object, found " + describe(value));
    auto name = key == "table" ? header(*body, "", "name", where)
                               : header(*body, "table", key == "rule" ? "chain" : "name", where);
    if (!name) return name.error();
    if (key == "table") {
      rs.tables_.push_back(std::move(*name));
      continue;
    }
    Object o{std::move(*name), i, key == "map"};
    (set ? rs.sets_ : key == "chain" ? rs.chains_ : rs.rules_).push_back(std::move(o));
  }
  if (!metainfo) return unsupported(source, "no metainfo with json_schema_version; is this `nft -j` output?");
  return rs;
}

const json::object& NftRuleset::body(const Object& o) const {
  return doc_.get_object().at("nftables").get_array()[o.item].get_object().begin()->value().get_object();
}

std::string NftRuleset::path(const Object& o) const {
  std::string where = source_ + ": nftables";
  feeds::append_json_path_index(where, o.item);
  const auto& item = doc_.get_object().at("nftables").get_array()[o.item].get_object();
  feeds::append_json_path_key(where, item.begin()->key());
  return where;
}

std::string list_names(const std::vector<std::string>& names, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > limit) out += " and " + std::to_string(names.size() - limit) + " more";
  return out.empty() ? "none" : out;
}

}  // namespace allowdrift::firewall
