#include "firewall/firewalld_xml.h"

#include "firewall/config_text.h"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <string>

namespace allowdrift::firewall {
namespace {

using model::quote_token;

// The parsed document and the line of any node in it.
class XmlFile {
 public:
  XmlFile(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  // Parses and returns the single root element, which must be named `root`.
  ReadResult<pugi::xml_node> load(std::string_view root) {
    if (const auto nul = text_.find('\0'); nul != std::string_view::npos) {
      return parse_error(source_, line_at(nul), "NUL byte in XML");
    }
    const pugi::xml_parse_result result =
        doc_.load_buffer(text_.data(), text_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) {
      return parse_error(source_, line_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0))),
                         std::string("XML error: ") + result.description());
    }
    pugi::xml_node found;
    for (pugi::xml_node node : doc_.children()) {
      if (node.type() != pugi::node_element) continue;
      if (found) return error(node, "more than one root element");
      found = node;
    }
    if (!found) return parse_error(source_, 1, "no root element, expected <" + std::string(root) + ">");
    if (root != found.name()) {
      return error(found, "root element is " + quote_token(found.name()) + ", expected <" + std::string(root) + ">");
    }
    return found;
  }

  std::size_t line(const pugi::xml_node& node) const {
    const std::ptrdiff_t offset = node.offset_debug();
    return offset < 0 ? 0 : line_at(static_cast<std::size_t>(offset));
  }
  std::string where(const pugi::xml_node& node) const { return origin(source_, line(node)); }
  ReadError error(const pugi::xml_node& node, std::string_view what) const {
    return parse_error(source_, line(node), what);
  }

 private:
  std::size_t line_at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    return 1 + static_cast<std::size_t>(
                   std::count(text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  }

  std::string_view text_;
  std::string_view source_;
  pugi::xml_document doc_;
};

bool name_is(const pugi::xml_node& node, std::string_view name) {
  return node.type() == pugi::node_element && name == node.name();
}

// A source or entry address: the forms firewalld and ipset accept, normalization noted in a warning.
ReadResult<model::IpEntry> address(const XmlFile& file, const pugi::xml_node& node, std::string_view text,
                                   bool allow_range, bool allow_netmask, Allowlist& out) {
  auto entry = model::parse_ip_entry(text);
  if (!entry) return file.error(node, entry.error().message);
  if ((entry->form == model::EntryForm::kRange && !allow_range) ||
      (entry->form == model::EntryForm::kNetmask && !allow_netmask)) {
    return file.error(node, quote_token(text) + ": this form is not accepted here");
  }
  const std::string note = model::describe_normalization(*entry, text);
  if (!note.empty()) out.warnings.push_back(file.where(node) + ": " + note);
  return *entry;
}

bool truthy(const pugi::xml_attribute& a) {
  const std::string v = to_lower(trim(a.value()));
  return v == "true" || v == "yes" || v == "1";
}

// One <source> element's kind, checked: exactly one of address, ipset, mac.
ReadResult<std::string_view> source_kind(const XmlFile& file, const pugi::xml_node& source) {
  int kinds = 0;
  std::string_view kind;
  for (const char* k : {"address", "ipset", "mac"}) {
    if (source.attribute(k)) {
      ++kinds;
      kind = k;
    }
  }
  if (kinds != 1) return file.error(source, "<source> needs exactly one of address, ipset or mac");
  return kind;
}

ReadResult<bool> read_rule(const XmlFile& file, const pugi::xml_node& rule, Allowlist& out) {
  const std::string family = to_lower(trim(rule.attribute("family").value()));
  if (!family.empty() && family != "ipv4" && family != "ipv6") {
    return file.error(rule, "rule family " + quote_token(family) + ": expected ipv4 or ipv6");
  }
  pugi::xml_node source;
  std::string_view action;
  for (pugi::xml_node child : rule.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    if (name == "source") {
      if (source) return file.error(child, "a rule has at most one <source>");
      source = child;
    } else if (name == "accept" || name == "reject" || name == "drop" || name == "mark") {
      if (!action.empty()) return file.error(child, "a rule has at most one action");
      action = name;
    }
  }
  if (!source) return false;
  auto kind = source_kind(file, source);
  if (!kind) return kind.error();
  const std::string where = file.where(source);
  const std::string_view value = trim(source.attribute(kind->data()).value());
  if (truthy(source.attribute("invert"))) {
    out.warnings.push_back(where + ": rule with an inverted source (every source except " + quote_token(value) +
                           ") is unsupported; it is not part of the allowlist");
    return false;
  }
  if (*kind == "address") {
    auto entry = address(file, source, value, false, true, out);
    if (!entry) return entry.error();
    const auto want = entry->family == model::Family::kV4 ? "ipv4" : "ipv6";
    if (!family.empty() && family != want) {
      return file.error(source, quote_token(value) + " is not an address of the rule's family " + family);
    }
    if (action == "accept") out.ips.push_back({*entry, where});
    return action == "accept";
  }
  if (action != "accept") return false;
  if (*kind == "ipset") {
    out.warnings.push_back(where + ": rule accepts the sources in ipset " + quote_token(value) +
                           ", which cannot be resolved from the zone file; read it with "
                           "firewalld-ipset:/etc/firewalld/ipsets/NAME.xml");
  } else {
    out.warnings.push_back(where + ": rule accepts MAC address " + quote_token(value) + ": not comparable");
  }
  return false;
}

}  // namespace

ReadResult<Allowlist> parse_firewalld_zone(std::string_view text, std::string_view source) {
  XmlFile file(text, source);
  auto zone = file.load("zone");
  if (!zone) return zone.error();
  Allowlist out;
  const std::string target(trim(zone->attribute("target").value()));
  const bool blocking = target == "DROP" || target == "REJECT" || target == "%%REJECT%%";
  std::size_t blocked = 0;
  for (pugi::xml_node child : zone->children()) {
    if (name_is(child, "rule")) {
      if (auto r = read_rule(file, child, out); !r) return r.error();
      continue;
    }
    if (!name_is(child, "source")) continue;
    auto kind = source_kind(file, child);
    if (!kind) return kind.error();
    const std::string_view value = trim(child.attribute(kind->data()).value());
    const std::string where = file.where(child);
    if (*kind == "address") {
      auto entry = address(file, child, value, false, true, out);
      if (!entry) return entry.error();
      if (blocking) {
        ++blocked;
      } else {
        out.ips.push_back({*entry, where});
      }
    } else if (blocking) {
      ++blocked;
    } else if (*kind == "ipset") {
      out.warnings.push_back(where + ": source ipset " + quote_token(value) +
                             " cannot be resolved from the zone file; read it with "
                             "firewalld-ipset:/etc/firewalld/ipsets/NAME.xml");
    } else {
      out.warnings.push_back(where + ": source MAC address " + quote_token(value) + ": not comparable");
    }
  }
  if (blocked > 0) {
    out.warnings.push_back(file.where(*zone) + ": the zone's target is " + quote_token(target) + ", so its " +
                           std::to_string(blocked) + " <source> elements are blocked, not allowed");
  }
  return out;
}

ReadResult<Allowlist> parse_firewalld_ipset(std::string_view text, std::string_view source) {
  XmlFile file(text, source);
  auto ipset = file.load("ipset");
  if (!ipset) return ipset.error();
  const std::string type(trim(ipset->attribute("type").value()));
  if (type.empty()) return file.error(*ipset, "<ipset> has no type attribute");
  if (type != "hash:ip" && type != "hash:net") {
    return ReadError{ReadErrorKind::kUnsupported, file.where(*ipset) + ": ipset type " + quote_token(type) +
                                                      " is not supported (hash:ip and hash:net are)"};
  }
  model::Family family = model::Family::kV4;
  std::size_t maxelem = 0;
  Allowlist out;
  for (pugi::xml_node option : ipset->children("option")) {
    const std::string_view name = trim(option.attribute("name").value());
    const std::string_view value = trim(option.attribute("value").value());
    if (name == "family") {
      if (value != "inet" && value != "inet6") {
        return file.error(option, "family " + quote_token(value) + ": expected inet or inet6");
      }
      family = value == "inet" ? model::Family::kV4 : model::Family::kV6;
    } else if (name == "maxelem") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), maxelem);
      if (ec != std::errc{} || end != value.data() + value.size() || maxelem == 0) {
        return file.error(option, "maxelem " + quote_token(value) + ": expected a positive number");
      }
    }
  }
  for (pugi::xml_node entry_node : ipset->children("entry")) {
    const std::string_view value = trim(entry_node.child_value());
    auto entry = address(file, entry_node, value, true, false, out);
    if (!entry) return entry.error();
    if (entry->family != family) {
      return file.error(entry_node, quote_token(value) + " is not of the set's family " +
                                        std::string(family == model::Family::kV4 ? "inet" : "inet6"));
    }
    out.ips.push_back({*entry, file.where(entry_node)});
  }
  if (maxelem > 0 && out.ips.size() * 10 >= maxelem * 9) {
    out.warnings.push_back(file.where(*ipset) + ": the set holds " + std::to_string(out.ips.size()) + " of at most " +
                           std::to_string(maxelem) + " entries (maxelem)");
  }
  return out;
}

}  // namespace allowdrift::firewall
