// libFuzzer target: the iptables-save parser (daemon/firewall/iptables_save.h), chain reading
// (iptables_chain.h) and the ufw reader (ufw_rules.h).
//
// Checked on every input:
//   - messages (the parse error, every warning and origin) are printable ASCII of bounded length: hostile rule
//     files must not inject text into logs;
//   - CRLF line ends read exactly like LF ones;
//   - a parsed dump written back as iptables-save text (every name quoted and escaped, every address as a prefix
//     or range) parses to the same tables, chains, rules and address matches;
//   - reading any chain (and the ufw reading) yields entries with first <= last and printable origins.
#include "firewall/iptables_chain.h"
#include "firewall/iptables_save.h"
#include "firewall/ufw_rules.h"
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
using firewall::IptablesDump;

constexpr std::size_t kMaxMessage = 8192;

void check_message(const std::string& m, const char* what) {
  FUZZ_CHECK(!m.empty() && printable_ascii(m) && m.size() <= kMaxMessage,
             std::string(what) + " not printable or too long: \"" + escape_all(m.substr(0, 300)) + "\"");
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// An entry as -s/--src-range text: one prefix when it is one, else FROM-TO.
std::string entry_text(const model::IpEntry& e, bool range) {
  const int bits = model::address_bits(e.family);
  const auto address = [&](model::U128 v) {
    return e.family == model::Family::kV4 ? model::to_string(static_cast<std::uint32_t>(v)) : model::to_string_v6(v);
  };
  if (range) return address(e.first) + "-" + address(e.last);
  const model::U128 span = e.last - e.first;
  int len = bits;
  while (len > 0 && (span >> (bits - len)) != 0) --len;
  return model::format_cidr(e.family, e.first, len);
}

std::string write_back(const IptablesDump& dump) {
  std::string out;
  for (const auto& t : dump.incompatible_tables) out += "# Table `" + t + "' is incompatible, use 'nft' tool.\n";
  if (dump.legacy_warning_line != 0) out += "# Warning: iptables-legacy tables present\n";
  for (const auto& table : dump.tables) {
    out += "*" + table.name + "\n";
    for (const auto& chain : table.chains) out += ":" + quoted(chain.name) + " " + chain.policy + " [0:0]\n";
    for (const auto& chain : table.chains) {
      for (const auto& rule : chain.rules) {
        out += "-A " + quoted(chain.name);
        for (const auto& m : rule.matches) {
          const bool source = m.direction == firewall::MatchDirection::kSource;
          const std::string bang = m.negated ? " !" : "";
          if (!m.set_name.empty()) {
            out += " -m set" + bang + " --match-set " + quoted(m.set_name) + (source ? " src" : " dst");
            if (m.return_nomatch) out += " --return-nomatch";
          } else if (m.text.find("-range ") != std::string::npos) {
            out += " -m iprange" + bang + (source ? " --src-range " : " --dst-range ") + entry_text(m.entries[0], true);
          } else {
            std::string list;
            for (const auto& e : m.entries) list += (list.empty() ? "" : ",") + entry_text(e, false);
            out += bang + (source ? " -s " : " -d ") + list;
          }
        }
        if (!rule.target.empty()) out += (rule.is_goto ? " -g " : " -j ") + quoted(rule.target);
        out += "\n";
      }
    }
    out += "COMMIT\n";
  }
  return out;
}

bool same_matches(const firewall::AddressMatch& a, const firewall::AddressMatch& b) {
  if (a.direction != b.direction || a.negated != b.negated || a.set_name != b.set_name ||
      a.return_nomatch != b.return_nomatch || a.entries.size() != b.entries.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    const auto &x = a.entries[i], &y = b.entries[i];
    if (x.family != y.family || x.first != y.first || x.last != y.last) return false;
  }
  return true;
}

void check_same(const IptablesDump& a, const IptablesDump& b, const std::string& written) {
  const auto fail = [&](const std::string& what) { return what + "; written back as:\n" + escape_all(written); };
  FUZZ_CHECK(a.tables.size() == b.tables.size() && a.incompatible_tables == b.incompatible_tables &&
                 (a.legacy_warning_line != 0) == (b.legacy_warning_line != 0) && a.rule_count == b.rule_count,
             fail("dump shape differs"));
  for (std::size_t t = 0; t < a.tables.size(); ++t) {
    const auto &ta = a.tables[t], &tb = b.tables[t];
    FUZZ_CHECK(ta.name == tb.name && ta.chains.size() == tb.chains.size(), fail("table " + ta.name + " differs"));
    for (std::size_t c = 0; c < ta.chains.size(); ++c) {
      const auto &ca = ta.chains[c], &cb = tb.chains[c];
      FUZZ_CHECK(ca.name == cb.name && ca.policy == cb.policy && ca.builtin == cb.builtin &&
                     ca.rules.size() == cb.rules.size(),
                 fail("chain " + escape_all(ca.name) + " differs"));
      for (std::size_t r = 0; r < ca.rules.size(); ++r) {
        const auto &ra = ca.rules[r], &rb = cb.rules[r];
        bool same = ra.target == rb.target && ra.is_goto == rb.is_goto && ra.matches.size() == rb.matches.size();
        for (std::size_t m = 0; same && m < ra.matches.size(); ++m) same = same_matches(ra.matches[m], rb.matches[m]);
        FUZZ_CHECK(same, fail("rule " + std::to_string(r + 1) + " of " + escape_all(ca.name) + " differs"));
      }
    }
  }
}

void check_reading(const firewall::Allowlist& list) {
  for (const auto& ip : list.ips) {
    FUZZ_CHECK(ip.entry.first <= ip.entry.last, std::string("entry with first > last"));
    check_message(ip.origin, "origin");
  }
  for (const auto& w : list.warnings) check_message(w, "warning");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = text;

  const auto dump = firewall::parse_iptables_save(text, "f");
  std::string crlf;
  for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto dump_crlf = firewall::parse_iptables_save(crlf, "f");
  FUZZ_CHECK(dump.has_value() == dump_crlf.has_value(), std::string("CRLF changes whether the text parses"));

  const auto ufw = firewall::parse_ufw_rules(text, "f");
  if (ufw) check_reading(*ufw);
  if (!ufw) check_message(ufw.error().message, "ufw error");

  if (!dump) {
    check_message(dump.error().message, "parse error");
    FUZZ_CHECK(dump.error().message == dump_crlf.error().message, std::string("CRLF changes the parse error"));
    return 0;
  }
  check_same(*dump, *dump_crlf, crlf);
  const std::string written = write_back(*dump);
  const auto again = firewall::parse_iptables_save(written, "f");
  FUZZ_CHECK(again.has_value(), "written back text does not parse: " + (again ? "" : again.error().message) +
                                    "\nwritten:\n" + escape_all(written));
  check_same(*dump, *again, written);

  std::size_t reads = 0;
  for (const auto& table : dump->tables) {
    for (const auto& chain : table.chains) {
      if (++reads > 64) return 0;
      auto reading = firewall::read_iptables_chain(*dump, table.name, chain.name, "f");
      if (!reading) {
        check_message(reading.error().message, "read error");
        continue;
      }
      check_reading(reading->list);
      for (const auto& use : reading->set_uses) check_message(use.origin, "set origin");
    }
  }
  return 0;
}
