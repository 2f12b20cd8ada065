#include "model/domain_pattern.h"

#include "model/ip_address.h"

#include <idn2.h>

#include <algorithm>

namespace allowdrift::model {
namespace {

ParseError error(std::string_view token, std::string_view why) {
  return ParseError{quote_token(token) + ": " + std::string(why)};
}

constexpr bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

ParseResult<DomainPattern> parse_domain_pattern(std::string_view token) {
  if (token.empty()) return error(token, "empty domain name");
  DomainPattern out;
  std::string_view rest = token;
  if (rest.starts_with("*.")) {
    out.wildcard = true;
    rest.remove_prefix(2);
  }
  if (rest.starts_with('.'))
    return error(token, "leading '.' is not accepted; write the name, and '*.name' for its subdomains");
  if (rest.ends_with('.')) rest.remove_suffix(1);
  if (rest.empty()) return error(token, "empty domain name");

  // Internationalized names compare in their ASCII (punycode) form, as DNS and firewalls see them: IDNA2008
  // with the UTS #46 mapping (libidn2), so "Bücher.example" and "xn--bcher-kva.example" are the same entry.
  std::string ascii;
  if (std::any_of(rest.begin(), rest.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    const std::string input(rest);
    char* converted = nullptr;
    const int rc = idn2_to_ascii_8z(input.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
      idn2_free(converted);
      return error(token, std::string("not a valid internationalized domain name (") + idn2_strerror(rc) + ")");
    }
    ascii = converted;
    idn2_free(converted);
    rest = ascii;
    if (rest.size() > 253) return error(token, "domain name is longer than 253 characters");
  }
  if (rest.size() > 253) return error(token, "domain name is longer than 253 characters");

  out.name.reserve(rest.size());
  std::size_t label_start = 0;
  std::size_t labels = 0;
  bool last_label_numeric = true;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || rest[i] == '.') {
      const auto label = rest.substr(label_start, i - label_start);
      if (label.empty()) return error(token, "empty label (two dots in a row)");
      if (label.size() > 63) return error(token, "label longer than 63 characters");
      if (label.front() == '-' || label.back() == '-') return error(token, "label starts or ends with '-'");
      last_label_numeric = std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; });
      ++labels;
      label_start = i + 1;
      if (i < rest.size()) out.name += '.';
      continue;
    }
    const char c = to_lower(rest[i]);
    if (c == '*') return error(token, "a wildcard is accepted only as the whole leftmost label ('*.example.com')");
    if (static_cast<unsigned char>(c) >= 0x80)
      return error(token, "non-ASCII domain name; write its IDNA form (xn--...)");
    if (!is_label_char(c)) return error(token, "character not allowed in a domain name");
    out.name += c;
  }
  if (last_label_numeric) return error(token, "not a domain name (numeric last label) and not a valid IP address");
  if (labels < 2 && !out.wildcard) return error(token, "a domain name needs at least two labels");
  return out;
}

bool domain_order(const DomainPattern& a, const DomainPattern& b) {
  // Compare label by label from the right.
  std::string_view x = a.name;
  std::string_view y = b.name;
  while (!x.empty() && !y.empty()) {
    const auto xd = x.rfind('.');
    const auto yd = y.rfind('.');
    const auto xl = xd == std::string_view::npos ? x : x.substr(xd + 1);
    const auto yl = yd == std::string_view::npos ? y : y.substr(yd + 1);
    if (xl != yl) return xl < yl;
    x = xd == std::string_view::npos ? std::string_view{} : x.substr(0, xd);
    y = yd == std::string_view::npos ? std::string_view{} : y.substr(0, yd);
  }
  if (x.empty() != y.empty()) return x.empty();
  return !a.wildcard && b.wildcard;
}

}  // namespace allowdrift::model
