#include "firewall/postfix_tables.h"

#include "firewall/config_text.h"
#include "firewall/first_match.h"
#include "model/domain_pattern.h"

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

namespace allowdrift::firewall {
namespace {

using model::quote_token;

constexpr std::string_view kFirstMatch = "Postfix uses the first pattern that matches";

// ADDRESS or ADDRESS/LENGTH, optionally in [] ("[::1]", "[::1]/128", "[2001:db8::/32]"), as Postfix's
// cidr_match_parse() reads it. The error text names the token.
std::variant<model::IpEntry, std::string> parse_address(std::string_view token) {
  std::string text(token);
  if (token.starts_with('[')) {
    const auto close = token.find(']');
    if (close == std::string_view::npos) return quote_token(token) + ": missing ']'";
    const auto after = token.substr(close + 1);
    if (!after.empty() && after.front() != '/') return quote_token(token) + ": unexpected text after ']'";
    text = std::string(token.substr(1, close - 1)) + std::string(after);
  }
  auto entry = model::parse_ip_entry(text);
  if (!entry) return entry.error().message;
  if (entry->form != model::EntryForm::kAddress && entry->form != model::EntryForm::kPrefix) {
    return quote_token(token) + ": Postfix patterns are ADDRESS or ADDRESS/LENGTH";
  }
  return *entry;
}

// Leading '!'s toggle the match (cidr_match_parse allows several).
std::string_view strip_negation(std::string_view token, bool& negated) {
  negated = false;
  while (token.starts_with('!')) {
    negated = !negated;
    token.remove_prefix(1);
  }
  return token;
}

std::string host_bits_text(const model::IpEntry& entry, std::string_view token) {
  return model::describe_normalization(entry, token);
}

// The normalization note for an IPv4-mapped entry, if any (host bits are handled by each caller).
void warn_mapped(const model::IpEntry& entry, std::string_view token, const std::string& where, Allowlist& out) {
  if (!entry.v4_mapped) return;
  model::IpEntry mapped_only = entry;
  mapped_only.host_bits_cleared = false;
  out.warnings.push_back(where + ": " + model::describe_normalization(mapped_only, token));
}

// OK / permit as the first word, or an all-digit result (access(5)).
bool result_allows(std::string_view result) {
  const auto word = result.substr(0, result.find_first_of(" \t,"));
  if (iequals(word, "ok") || iequals(word, "permit")) return true;
  return !result.empty() && std::all_of(result.begin(), result.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct LogicalLine {
  std::size_t number = 0;
  std::string text;
};

// Postfix's readlline(): comments and blank lines are skipped, a line starting with whitespace continues the
// previous logical line.
ReadResult<std::vector<LogicalLine>> logical_lines(std::string_view text, std::string_view source) {
  std::vector<LogicalLine> out;
  for (const auto& line : split_lines(text)) {
    const std::string_view body = trim(line.text);
    if (body.empty() || body.front() == '#') continue;
    if (is_blank(line.text.front())) {
      if (out.empty()) {
        return parse_error(source, line.number,
                           "a line that starts with whitespace continues the previous line, but no rule precedes it");
      }
      out.back().text += ' ';
      out.back().text += body;
    } else {
      out.push_back({line.number, std::string(body)});
    }
  }
  return out;
}

}  // namespace

ReadResult<Allowlist> parse_postfix_cidr(std::string_view text, std::string_view source) {
  auto lines = logical_lines(text, source);
  if (!lines) return lines.error();
  Allowlist out;
  std::vector<OrderedRule> rules;
  struct Condition {
    model::IpSet set;
    std::size_t line = 0;
  };
  std::vector<Condition> conditions;

  for (const auto& line : *lines) {
    const std::string_view body = line.text;
    const auto blank = std::find_if(body.begin(), body.end(), is_blank);
    const std::string_view key = body.substr(0, static_cast<std::size_t>(blank - body.begin()));
    const std::string_view value = trim(body.substr(key.size()));
    const std::string where = origin(source, line.number);

    if (iequals(key, "endif")) {
      if (!value.empty()) return parse_error(source, line.number, "unexpected text after endif: " + quote_token(value));
      if (conditions.empty()) return parse_error(source, line.number, "endif without a matching if");
      conditions.pop_back();
      continue;
    }
    const bool is_if = iequals(key, "if");
    const std::string_view written = is_if ? value : key;
    if (is_if && (value.empty() || std::any_of(value.begin(), value.end(), is_blank))) {
      return parse_error(source, line.number, "expected 'if PATTERN', found " + quote_token(body));
    }
    if (!is_if && value.empty()) {
      return parse_error(source, line.number,
                         quote_token(key) + ": no result after the pattern (expected PATTERN RESULT)");
    }
    bool negated = false;
    const std::string_view pattern = strip_negation(written, negated);
    if (pattern.empty()) return parse_error(source, line.number, quote_token(written) + ": no pattern after '!'");
    auto parsed = parse_address(pattern);
    if (const auto* why = std::get_if<std::string>(&parsed)) return parse_error(source, line.number, *why);
    const model::IpEntry entry = std::get<model::IpEntry>(parsed);

    if (entry.host_bits_cleared) {
      if (is_if) {
        return parse_error(
            source, line.number,
            host_bits_text(entry, pattern) +
                ": Postfix skips an if with host bits set, and its block would no longer be conditional");
      }
      out.warnings.push_back(where + ": Postfix skips this rule (non-null host address bits: " +
                             host_bits_text(entry, pattern) + "); it allows nothing");
      continue;
    }
    warn_mapped(entry, pattern, where, out);

    model::IpSet matched = entry_set(entry);
    if (negated) matched = entry_set(whole_family(entry.family)).difference(matched);
    if (is_if) {
      conditions.push_back({std::move(matched), line.number});
      continue;
    }
    const bool allow = result_allows(value);
    OrderedRule rule;
    rule.allow = allow;
    rule.origin = where;
    rule.text = std::string(key) + " " + std::string(value.substr(0, value.find_first_of(" \t")));
    if (!negated && conditions.empty()) {
      rule.match.push_back(entry);
    } else {
      for (const auto& c : conditions) matched = matched.intersect(c.set);
      rule.match = entries_from_set(matched);
      if (allow && rule.match.empty()) {
        out.warnings.push_back(where + ": " + quote_token(key) +
                               " never matches inside its if conditions; it allows nothing");
      }
    }
    rules.push_back(std::move(rule));
  }
  if (!conditions.empty()) return parse_error(source, conditions.back().line, "if without a matching endif");
  add_first_match(rules, out, kFirstMatch);
  return out;
}

ReadResult<Allowlist> parse_mynetworks(std::string_view text, std::string_view source) {
  Allowlist out;
  std::vector<OrderedRule> rules;
  constexpr std::string_view kSeparators = " ,\t\r\v\f";
  for (const auto& line : split_lines(text)) {
    std::string_view rest = line.text;
    if (rest.starts_with('#')) continue;
    const std::string where = origin(source, line.number);
    bool had_pattern = false;
    for (;;) {
      const auto start = rest.find_first_not_of(kSeparators);
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const std::string_view token = rest.substr(0, rest.find_first_of(kSeparators));
      rest.remove_prefix(token.size());
      if (token.starts_with('#')) {
        if (had_pattern) {
          out.warnings.push_back(where +
                                 ": comment at end of line: Postfix warns that this is not supported and ignores the "
                                 "rest of the line");
        }
        break;
      }
      had_pattern = true;
      bool negated = false;
      const std::string_view item = strip_negation(token, negated);
      if (item.empty()) return parse_error(source, line.number, quote_token(token) + ": no pattern after '!'");
      if (item.starts_with('/')) {
        return ReadError{ReadErrorKind::kUnsupported,
                         where + ": " + quote_token(item) +
                             " is a file reference, which this reader does not follow; read that file as its own "
                             "target (mynetworks:PATH)"};
      }
      if (!item.starts_with('[') && item.find(':') != std::string_view::npos) {
        if (model::parse_ip_entry(item)) {
          return parse_error(source, line.number,
                             quote_token(item) +
                                 ": an IPv6 address in mynetworks must be in brackets ([2001:db8::]/32); Postfix "
                                 "reads this as a type:table name and fails");
        }
        return ReadError{ReadErrorKind::kUnsupported,
                         where + ": " + quote_token(item) +
                             " is a lookup table reference, which this reader does not follow; read the table as "
                             "its own target"};
      }
      auto parsed = parse_address(item);
      if (const auto* why = std::get_if<std::string>(&parsed)) {
        const auto name = item.starts_with('[') ? model::ParseResult<model::DomainPattern>(model::ParseError{})
                                                : model::parse_domain_pattern(item);
        if (name && !name->wildcard) {
          out.warnings.push_back(where + ": " + quote_token(item) +
                                 " is a host name pattern, not an address: not part of the address allowlist");
          continue;
        }
        return parse_error(source, line.number, *why);
      }
      const model::IpEntry entry = std::get<model::IpEntry>(parsed);
      if (entry.host_bits_cleared) {
        return parse_error(source, line.number,
                           host_bits_text(entry, item) + ": Postfix refuses a pattern with non-null host bits");
      }
      warn_mapped(entry, item, where, out);
      rules.push_back({{entry}, !negated, where, std::string(token)});
    }
  }
  add_first_match(rules, out, kFirstMatch);
  return out;
}

}  // namespace allowdrift::firewall
