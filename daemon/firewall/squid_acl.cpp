#include "firewall/squid_acl.h"

#include "firewall/config_text.h"
#include "model/domain_pattern.h"
#include "model/ip_address.h"

#include <algorithm>
#include <string>

namespace allowdrift::firewall {
namespace {

using model::quote_token;

bool hostname_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// A literal address as squid would see it in a request's host: "192.0.2.7", "2001:db8::7" or "[2001:db8::7]".
bool literal_address(std::string_view value, model::IpEntry& entry) {
  if (value.size() > 2 && value.front() == '[' && value.back() == ']') value = value.substr(1, value.size() - 2);
  const auto address = model::parse_ip_address(value);
  if (!address) return false;
  entry.family = address->family;
  entry.first = entry.last = address->value;
  entry.form = model::EntryForm::kAddress;
  entry.v4_mapped = address->family == model::Family::kV6 && (address->value >> 32) == 0xffff;
  return true;
}

}  // namespace

ReadResult<Allowlist> parse_squid_acl(std::string_view text, std::string_view source) {
  Allowlist out;
  for (const auto& line : split_lines(text)) {
    const std::string_view body = trim(line.text);
    if (body.empty() || body.front() == '#') continue;
    const auto blank = std::find_if(body.begin(), body.end(), is_blank);
    const std::string_view value = body.substr(0, static_cast<std::size_t>(blank - body.begin()));
    const std::string_view extra = trim(body.substr(value.size()));
    const std::string where = origin(source, line.number);
    if (!extra.empty() && extra.front() != '#') {
      out.warnings.push_back(where + ": squid reads only the first word of a line; " + quote_token(extra) +
                             " is ignored");
    }
    const auto never = [&](std::string_view why) {
      out.warnings.push_back(where + ": " + quote_token(value) + " can never match a request's host name (" +
                             std::string(why) + "); it allows nothing");
    };

    model::IpEntry entry;
    if (literal_address(value, entry)) {
      out.ips.push_back({entry, where});
      continue;
    }
    const bool subdomains = value.starts_with('.');
    const std::string_view name = subdomains ? value.substr(1) : value;
    if (subdomains && literal_address(name, entry)) {
      never("a leading dot before an address");
      continue;
    }
    const auto cut = name.find_first_of(":/");
    if (cut != std::string_view::npos) {
      const auto host = model::parse_domain_pattern(name.substr(0, cut));
      if (!host || host->wildcard) {
        return parse_error(source, line.number, quote_token(value) + ": not a domain name");
      }
      never("dstdomain compares the host name only; a port or path is part of the value");
      continue;
    }
    const auto pattern = model::parse_domain_pattern(name);
    if (!pattern) {
      if (name.find('.') == std::string_view::npos && hostname_chars(name)) {
        out.warnings.push_back(where + ": " + quote_token(value) +
                               " is a single-label name; it is not comparable with published domain lists and is "
                               "not part of the allowlist");
        continue;
      }
      return parse_error(source, line.number, pattern.error().message);
    }
    if (pattern->wildcard) {
      never("squid has no '*' wildcards; write ." + pattern->name + " for the domain and its subdomains");
      continue;
    }
    out.domains.push_back({*pattern, where});
    if (subdomains) out.domains.push_back({model::DomainPattern{pattern->name, true}, where});
  }
  return out;
}

}  // namespace allowdrift::firewall
