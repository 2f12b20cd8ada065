// Invariants shared by the fuzz targets of the local allowlist file parsers (daemon/firewall/: firewalld XML,
// Postfix tables, nginx, squid, dnsmasq). Every reading, whatever the input:
//   - fails only as kParse or kUnsupported, with a printable message that starts "SOURCE:LINE: " and a line
//     within the file;
//   - or succeeds with printable warnings that start "SOURCE:" (a line or the whole file), origins "SOURCE:LINE"
//     within the file, well-formed entries, exclusions only inside the listed entries (first-match carve-outs),
//     an allowed set inside the listed entries, and domain patterns that parse back to themselves.
// `same_reading` compares two readings completely (the CRLF variant of an input must read like the LF one).
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"
#include "fuzz_check.h"
#include "model/domain_pattern.h"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace allowdrift::fuzz {

inline constexpr std::string_view kSource = "/etc/fuzz/allowlist.conf";
inline constexpr std::size_t kMaxMessage = 4096;

// Lines as the parsers number them: one per '\n', plus an unterminated last line (a byte order mark is no line).
inline std::size_t count_lines(std::string_view text) {
  const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + 1;
}

inline void check_text(const std::string& m, const char* what) {
  FUZZ_CHECK(!m.empty() && printable_ascii(m) && m.size() <= kMaxMessage,
             std::string(what) + " empty, not printable or too long: \"" + escape_all(m.substr(0, 300)) + "\"");
}

// "SOURCE:N" followed by `rest` (": ..." for messages, "" for origins); N within [1, lines].
inline void check_located(const std::string& m, std::size_t lines, std::string_view rest, const char* what) {
  const std::string prefix = std::string(kSource) + ":";
  FUZZ_CHECK(m.starts_with(prefix), std::string(what) + " does not start with the source: \"" + escape_all(m) + "\"");
  const char* begin = m.data() + prefix.size();
  const char* end = m.data() + m.size();
  std::size_t line = 0;
  const auto [p, ec] = std::from_chars(begin, end, line);
  FUZZ_CHECK(ec == std::errc{} && line >= 1 && line <= lines,
             std::string(what) + " has no line within 1.." + std::to_string(lines) + ": \"" + escape_all(m) + "\"");
  FUZZ_CHECK(std::string_view(p, static_cast<std::size_t>(end - p)).starts_with(rest),
             std::string(what) + " malformed after the line: \"" + escape_all(m) + "\"");
  if (rest.empty()) FUZZ_CHECK(p == end, std::string(what) + " has text after the line: \"" + escape_all(m) + "\"");
}

inline void check_reading(const firewall::ReadResult<firewall::Allowlist>& r, std::string_view text) {
  const std::size_t lines = count_lines(text);
  if (!r) {
    FUZZ_CHECK(
        r.error().kind == firewall::ReadErrorKind::kParse || r.error().kind == firewall::ReadErrorKind::kUnsupported,
        "unexpected error kind: " + std::string(firewall::to_string(r.error().kind)));
    check_text(r.error().message, "error");
    check_located(r.error().message, lines, ": ", "error");
    return;
  }
  const firewall::Allowlist& list = *r;
  for (const auto& w : list.warnings) {
    check_text(w, "warning");
    FUZZ_CHECK(w.starts_with(std::string(kSource) + ":"), "warning without the source: \"" + escape_all(w) + "\"");
  }
  model::IpSetBuilder listed;
  for (const auto* ips : {&list.ips, &list.excluded}) {
    for (const auto& ip : *ips) {
      check_located(ip.origin, lines, "", "origin");
      const model::U128 max =
          ip.entry.family == model::Family::kV4 ? model::low_mask<model::U128>(32) : ~model::U128{0};
      FUZZ_CHECK(ip.entry.first <= ip.entry.last && ip.entry.last <= max, "malformed entry at " + ip.origin);
      if (ips == &list.ips) listed.add(ip.entry);
    }
  }
  const model::IpSet all = std::move(listed).build();
  for (const auto& ip : list.excluded) {
    FUZZ_CHECK(all.covers(ip.entry), "excluded entry at " + ip.origin + " outside every listed entry");
  }
  FUZZ_CHECK(all.covers(list.ip_set()), std::string("allowed set larger than the listed entries"));
  for (const auto& d : list.domains) {
    check_located(d.origin, lines, "", "domain origin");
    const auto again = model::parse_domain_pattern(d.pattern.to_string());
    FUZZ_CHECK(again && *again == d.pattern,
               "domain " + escape_all(d.pattern.to_string()) + " at " + d.origin + " does not parse back to itself");
  }
}

inline bool same_entries(const std::vector<firewall::AllowedIp>& a, const std::vector<firewall::AllowedIp>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.entry == y.entry && x.origin == y.origin; });
}

inline void same_reading(const firewall::ReadResult<firewall::Allowlist>& a,
                         const firewall::ReadResult<firewall::Allowlist>& b, const std::string& how) {
  FUZZ_CHECK(a.has_value() == b.has_value(), "one reading failed, the other did not (" + how +
                                                 "): " + escape_all(a ? std::string("ok") : a.error().message) + " / " +
                                                 escape_all(b ? std::string("ok") : b.error().message));
  if (!a) {
    FUZZ_CHECK(a.error().kind == b.error().kind && a.error().message == b.error().message,
               "errors differ (" + how + "): " + escape_all(a.error().message) + " / " + escape_all(b.error().message));
    return;
  }
  FUZZ_CHECK(same_entries(a->ips, b->ips) && same_entries(a->excluded, b->excluded), "entries differ (" + how + ")");
  FUZZ_CHECK(std::equal(a->domains.begin(), a->domains.end(), b->domains.begin(), b->domains.end(),
                        [](const auto& x, const auto& y) { return x.pattern == y.pattern && x.origin == y.origin; }),
             "domains differ (" + how + ")");
  FUZZ_CHECK(a->warnings == b->warnings, "warnings differ (" + how + ")");
}

// The input with every "\n" written as "\r\n", or "" when it already holds a '\r' (the variant would differ).
inline std::string crlf_variant(std::string_view text) {
  if (text.find('\r') != std::string_view::npos || text.find('\n') == std::string_view::npos) return {};
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace allowdrift::fuzz
