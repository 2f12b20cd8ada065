#include "feeds/entry_token.h"

#include "feeds/text_scan.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace {

constexpr bool is_decimal(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr bool is_dotted_digits(std::string_view s) {
  return s.find('.') != std::string_view::npos &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Decides which grammar a token is checked against. Anything that starts like an address goes to the strict IP
// parser, so "192.168.1.1a", "1.2.3.0x10" or "1.2.3.4-5" are rejected as bad addresses instead of being
// accepted as domain names; real names with numeric labels ("163.com", "1e100.net") stay domains.
bool looks_like_ip(std::string_view token) {
  if (find_either(token, ':', '/') != std::string_view::npos) return true;
  if (const auto dash = token.find('-'); dash != std::string_view::npos && is_dotted_digits(token.substr(0, dash)))
    return true;
  std::string_view last = token;
  if (const auto dot = token.rfind('.'); dot != std::string_view::npos) last = token.substr(dot + 1);
  if (is_decimal(last)) return true;
  // Four labels of which the first three are decimal: an IPv4 address with a typo in the last octet.
  std::size_t labels = 0;
  std::size_t decimal_prefix = 0;
  bool in_prefix = true;
  for (std::size_t start = 0; start <= token.size();) {
    const auto dot = std::min(token.find('.', start), token.size());
    ++labels;
    if (in_prefix && is_decimal(token.substr(start, dot - start))) {
      ++decimal_prefix;
    } else {
      in_prefix = false;
    }
    start = dot + 1;
  }
  return labels == 4 && decimal_prefix >= 3;
}

}  // namespace

std::variant<model::IpEntry, model::DomainPattern, model::ParseError> parse_entry_token(std::string_view token) {
  // Nearly every token of a large feed is a plain address or prefix: the one-pass reading decides those (it accepts
  // nothing that looks like a URL or a name), everything else takes the general path below.
  if (auto plain = model::parse_plain_ip_entry(token)) return *plain;
  if (token.find("://") != std::string_view::npos)
    return model::ParseError{model::quote_token(token) + ": a URL is not an entry; write the host name or address"};
  if (looks_like_ip(token)) {
    auto entry = model::parse_ip_entry(token);
    if (!entry) return entry.error();
    return *entry;
  }
  auto pattern = model::parse_domain_pattern(token);
  if (!pattern) return pattern.error();
  return std::move(*pattern);
}

}  // namespace allowdrift::feeds
