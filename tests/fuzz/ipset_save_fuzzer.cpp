// libFuzzer target: the ipset save parser (daemon/firewall/ipset_save.h).
//
// Checked on every input:
//   - messages (the parse error, warnings, origins) are printable ASCII of bounded length;
//   - CRLF line ends read exactly like LF ones;
//   - a parsed document written back as ipset save text parses to the same sets (names, types, family, maxelem,
//     netmask, element counts) and members (addresses, nomatch, timeouts);
//   - each readable set reads as an allowlist whose members are of the set's family, with nomatch members only in
//     hash:net sets, and whose address set is the members minus the nomatch ones.
#include "firewall/ipset_save.h"
#include "fuzz_check.h"
#include "model/ip_address.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace allowdrift;
using allowdrift::fuzz::escape_all;
using allowdrift::fuzz::printable_ascii;
using firewall::IpsetDocument;

void check_message(const std::string& m, const char* what) {
  FUZZ_CHECK(!m.empty() && printable_ascii(m) && m.size() <= 4096,
             std::string(what) + " not printable or too long: \"" + escape_all(m.substr(0, 300)) + "\"");
}

std::string entry_text(const model::IpEntry& e) {
  const int bits = model::address_bits(e.family);
  const model::U128 span = e.last - e.first;
  int len = bits;
  while (len > 0 && (span >> (bits - len)) != 0) --len;
  const model::U128 host = len == 0 ? ~model::U128{0} : (model::U128{1} << (bits - len)) - 1;
  if ((e.first & host) == 0 && e.last - e.first == host) return model::format_cidr(e.family, e.first, len);
  const auto address = [&](model::U128 v) {
    return e.family == model::Family::kV4 ? model::to_string(static_cast<std::uint32_t>(v)) : model::to_string_v6(v);
  };
  return address(e.first) + "-" + address(e.last);
}

std::string token(const std::string& s) {
  return s.empty() || s.find_first_of(" \t\r") != std::string::npos ? "\"" + s + "\"" : s;
}

std::string write_back(const IpsetDocument& document) {
  std::string out;
  for (const auto& set : document.sets) {
    out += "create " + set.name + " " + token(set.type);
    if (set.readable) {
      out += set.family == model::Family::kV4 ? " family inet" : " family inet6";
      out += " maxelem " + std::to_string(set.maxelem);
      if (set.netmask > 0) out += " netmask " + std::to_string(set.netmask);
    } else if (!set.unreadable_option.empty()) {
      out += " bitmask 255.255.0.255";
    }
    out += "\n";
    if (!set.readable) {
      for (std::size_t i = 0; i < set.element_count; ++i) out += "add " + set.name + " x\n";
      continue;
    }
    for (const auto& m : set.members) {
      out += "add " + set.name + " " + entry_text(m.entry) + (m.has_timeout ? " timeout 5" : "") +
             (m.nomatch ? " nomatch" : "") + " comment \"c\"\n";
    }
  }
  return out;
}

void check_same(const IpsetDocument& a, const IpsetDocument& b, const std::string& written) {
  const auto fail = [&](const std::string& what) { return what + "; written back as:\n" + escape_all(written); };
  FUZZ_CHECK(a.sets.size() == b.sets.size(), fail("set counts differ"));
  for (std::size_t i = 0; i < a.sets.size(); ++i) {
    const auto &x = a.sets[i], &y = b.sets[i];
    FUZZ_CHECK(x.name == y.name && x.type == y.type && x.readable == y.readable && x.netmask == y.netmask &&
                   x.element_count == y.element_count && x.members.size() == y.members.size() &&
                   (!x.readable || (x.maxelem == y.maxelem && x.family == y.family)),
               fail("set " + escape_all(x.name) + " differs"));
    for (std::size_t m = 0; m < x.members.size(); ++m) {
      const auto &p = x.members[m], &q = y.members[m];
      FUZZ_CHECK(p.entry.family == q.entry.family && p.entry.first == q.entry.first && p.entry.last == q.entry.last &&
                     p.nomatch == q.nomatch && p.has_timeout == q.has_timeout,
                 fail("member " + std::to_string(m) + " of " + escape_all(x.name) + " differs"));
    }
  }
}

void check_allowlists(const IpsetDocument& document) {
  for (const auto& set : document.sets) {
    const auto list = firewall::ipset_allowlist(document, set.name, "f");
    if (!list) {
      FUZZ_CHECK(!set.readable && list.error().kind == firewall::ReadErrorKind::kUnsupported,
                 "a readable set fails: " + list.error().message);
      check_message(list.error().message, "read error");
      continue;
    }
    FUZZ_CHECK(set.readable, std::string("an unreadable set reads"));
    FUZZ_CHECK(list->ips.size() + list->excluded.size() == set.members.size(), std::string("members lost"));
    FUZZ_CHECK(list->excluded.empty() || set.type == "hash:net", std::string("nomatch outside hash:net"));
    model::IpSetBuilder in;
    model::IpSetBuilder out;
    for (const auto& m : set.members) (m.nomatch ? out : in).add(m.entry);
    FUZZ_CHECK(list->ip_set() == std::move(in).build().difference(std::move(out).build()),
               std::string("ip_set() is not members minus nomatch"));
    for (const auto* ips : {&list->ips, &list->excluded}) {
      for (const auto& ip : *ips) {
        FUZZ_CHECK(ip.entry.family == set.family && ip.entry.first <= ip.entry.last,
                   std::string("member of the wrong family or inverted"));
        check_message(ip.origin, "origin");
      }
    }
    for (const auto& w : list->warnings) check_message(w, "warning");
  }
  // Longer than the 31 bytes a set name may have: never present.
  const auto missing = firewall::ipset_allowlist(document, "allowdrift-absent-set-name-longer-than-31", "f");
  FUZZ_CHECK(!missing && missing.error().kind == firewall::ReadErrorKind::kNotFound,
             std::string("an absent set does not read as kNotFound"));
  check_message(missing.error().message, "not-found error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = text;

  const auto document = firewall::parse_ipset_save(text, "f");
  std::string crlf;
  for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto document_crlf = firewall::parse_ipset_save(crlf, "f");
  FUZZ_CHECK(document.has_value() == document_crlf.has_value(), std::string("CRLF changes whether the text parses"));
  if (!document) {
    check_message(document.error().message, "parse error");
    FUZZ_CHECK(document.error().message == document_crlf.error().message, std::string("CRLF changes the error"));
    return 0;
  }
  check_same(*document, *document_crlf, crlf);
  const std::string written = write_back(*document);
  const auto again = firewall::parse_ipset_save(written, "f");
  FUZZ_CHECK(again.has_value(), "written back text does not parse: " + (again ? "" : again.error().message) +
                                    "\nwritten:\n" + escape_all(written));
  check_same(*document, *again, written);
  check_allowlists(*document);
  return 0;
}
