#include "firewall/dnsmasq_conf.h"

#include "firewall/config_text.h"
#include "model/domain_pattern.h"

#include <algorithm>
#include <set>
#include <string>

namespace allowdrift::firewall {
namespace {

using model::quote_token;

// dnsmasq's read_file(): quotes are removed (a '#' inside them is text), and a '#' at the start of the line or
// after a blank starts a comment. An unterminated quote is an error.
bool strip_comment(std::string_view line, std::string& out) {
  bool white = true;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      const auto close = line.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      out += line.substr(i + 1, close - i - 1);
      i = close;
      white = false;
      continue;
    }
    if (white && c == '#') break;
    white = is_blank(c);
    out += c;
  }
  return true;
}

bool label_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

ReadResult<Allowlist> parse_dnsmasq_conf(std::string_view text, std::string_view source) {
  Allowlist out;
  std::set<std::string> sets;
  for (const auto& line : split_lines(text)) {
    std::string stripped;
    if (!strip_comment(line.text, stripped)) return parse_error(source, line.number, "missing '\"'");
    const std::string_view body = trim(stripped);
    if (body.empty()) continue;
    const auto eq = body.find('=');
    const std::string_view option = trim(body.substr(0, eq));
    const std::string_view arg = eq == std::string_view::npos ? std::string_view{} : trim(body.substr(eq + 1));
    const std::string where = origin(source, line.number);
    if (option == "conf-file" || option == "conf-dir") {
      out.warnings.push_back(where + ": " + std::string(option) + "=" + quote_token(arg) +
                             " is not followed; read that file as its own target (dnsmasq:PATH)");
      continue;
    }
    if (option != "ipset" && option != "nftset") continue;

    // /domain[/domain...]/sets
    const auto last = arg.rfind('/');
    if (!arg.starts_with('/') || last == 0) {
      return parse_error(source, line.number,
                         quote_token(body) + ": expected " + std::string(option) + "=/DOMAIN[/DOMAIN...]/SET[,SET...]");
    }
    const std::string_view set_list = arg.substr(last + 1);
    if (set_list.empty())
      return parse_error(source, line.number, quote_token(body) + ": no set name after the last '/'");
    std::string_view domains = arg.substr(1, last - 1);
    std::size_t set_start = 0;
    while (set_start <= set_list.size()) {
      const auto comma = std::min(set_list.find(',', set_start), set_list.size());
      const auto name = set_list.substr(set_start, comma - set_start);
      if (name.empty()) return parse_error(source, line.number, quote_token(set_list) + ": empty set name");
      sets.insert(quote_token(name));
      set_start = comma + 1;
    }

    for (;;) {
      const auto slash = domains.find('/');
      std::string_view domain = domains.substr(0, slash);
      // dnsmasq elides leading dots: they are implied by its matching.
      while (domain.starts_with('.')) domain.remove_prefix(1);
      if (domain.empty() || domain == "#") {
        out.warnings.push_back(where + ": " + quote_token(domains.substr(0, slash)) +
                               " matches every domain; not representable as a domain pattern, not compared");
      } else {
        bool label_suffix = false;  // "*example.com": any name ending in example.com
        std::string_view name = domain;
        if (name.starts_with("*") && !name.starts_with("*.")) {
          label_suffix = true;
          name.remove_prefix(1);
        }
        const auto pattern = model::parse_domain_pattern(name);
        if (!pattern) {
          if (name.find('.') == std::string_view::npos && label_chars(name)) {
            out.warnings.push_back(where + ": " + quote_token(domain) +
                                   " is a single-label name; it is not comparable with published domain lists and "
                                   "is not part of the allowlist");
          } else {
            return parse_error(source, line.number, pattern.error().message);
          }
        } else if (pattern->wildcard) {
          out.domains.push_back({*pattern, where});
        } else {
          if (label_suffix) {
            out.warnings.push_back(where + ": " + quote_token(domain) + " also matches names that merely end in " +
                                   pattern->name + " (such as my" + pattern->name +
                                   "); read as the domain and its subdomains");
          }
          out.domains.push_back({*pattern, where});
          out.domains.push_back({model::DomainPattern{pattern->name, true}, where});
        }
      }
      if (slash == std::string_view::npos) break;
      domains.remove_prefix(slash + 1);
    }
  }
  if (sets.size() > 1) {
    std::string names;
    for (const auto& s : sets) names += (names.empty() ? "" : ", ") + s;
    out.warnings.push_back(std::string(source) + ": the domains of " + std::to_string(sets.size()) +
                           " sets are combined (" + names + "); check that each of them is an allowlist");
  }
  return out;
}

}  // namespace allowdrift::firewall
