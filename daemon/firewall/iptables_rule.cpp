#include "firewall/iptables_rule.h"

#include "model/ip_address.h"

#include <algorithm>

namespace allowdrift::firewall::detail {
namespace {

using model::quote_token;

bool is(const Token& t, std::string_view text) { return !t.quoted && t.text == text; }

bool is_option(const Token& t) {
  // "-1" is a (negative) value, not an option.
  return !t.quoted && t.text.size() >= 2 && t.text[0] == '-' && !(t.text[1] >= '0' && t.text[1] <= '9');
}

std::string what(const Token& t) { return t.quoted ? "quoted " + quote_token(t.text) : quote_token(t.text); }

// -s / -d: an address, prefix or netmask form, or a comma-separated list of them (iptables-restore input; save
// output has one per rule). Ranges are not valid there: they need -m iprange.
std::optional<std::string> parse_address_list(std::string_view option, std::string_view text,
                                              std::vector<model::IpEntry>& out) {
  for (;;) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    auto entry = model::parse_ip_entry(item);
    if (!entry) return std::string(option) + " " + quote_token(item) + ": " + entry.error().message;
    if (entry->form == model::EntryForm::kRange) {
      return std::string(option) + " " + quote_token(item) +
             ": a range is not valid here (iptables matches ranges with " + "-m iprange --src-range/--dst-range)";
    }
    out.push_back(*entry);
    if (comma == std::string_view::npos) return std::nullopt;
    text.remove_prefix(comma + 1);
  }
}

std::optional<std::string> parse_range(std::string_view option, std::string_view text,
                                       std::vector<model::IpEntry>& out) {
  auto entry = model::parse_ip_entry(text);
  if (!entry) return std::string(option) + " " + quote_token(text) + ": " + entry.error().message;
  if (entry->form != model::EntryForm::kRange && entry->form != model::EntryForm::kAddress) {
    return std::string(option) + " " + quote_token(text) + ": expected FROM-TO or a single address";
  }
  out.push_back(*entry);
  return std::nullopt;
}

// --match-set NAME FLAGS: FLAGS is 1 to 6 of src/dst, comma-separated; the first applies to the address
// dimension of hash:ip and hash:net sets.
std::optional<std::string> parse_set_flags(std::string_view text, MatchDirection& direction) {
  std::size_t count = 0;
  std::string_view rest = text;
  for (;;) {
    const auto comma = rest.find(',');
    const auto flag = rest.substr(0, comma);
    if (flag != "src" && flag != "dst") {
      return "--match-set flags " + quote_token(text) + ": expected src or dst, comma-separated";
    }
    if (count++ == 0) direction = flag == "src" ? MatchDirection::kSource : MatchDirection::kDestination;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (count > 6) return "--match-set flags " + quote_token(text) + ": at most 6 src/dst flags";
  return std::nullopt;
}

bool valid_set_name(std::string_view name) {
  return !name.empty() && name.size() <= 31 && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

}  // namespace

bool valid_chain_name(std::string_view name) {
  if (name.empty() || name.size() > 28 || name.front() == '-' || name.front() == '!') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

std::optional<std::string> tokenize_iptables_line(std::string_view line, std::vector<Token>& tokens) {
  tokens.clear();
  Token current;
  bool in_token = false;
  const auto finish = [&] {
    tokens.push_back(std::move(current));
    current = Token{};
    in_token = false;
  };
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_token) finish();
      ++i;
    } else if (c == '"') {
      // A quoted string: '\' escapes the next character; the closing quote ends the token, as in
      // iptables-restore.
      current.quoted = true;
      for (++i;; ++i) {
        if (i >= line.size()) return std::string("unterminated quoted string (a '\"' without its closing '\"')");
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        current.text += line[i];
      }
      ++i;
      finish();
    } else {
      // A plain run up to the next blank or quote, appended at once.
      std::size_t stop = i;
      while (stop < line.size() && line[stop] != ' ' && line[stop] != '\t' && line[stop] != '"') ++stop;
      current.text.append(line.substr(i, stop - i));
      in_token = true;
      i = stop;
    }
  }
  if (in_token) finish();
  return std::nullopt;
}

std::optional<std::string> parse_rule_options(std::span<const Token> tokens, IptablesRule& rule) {
  bool negate = false;
  std::string module;  // the last -m: which module an option like --set belongs to
  bool has_source_list = false;
  bool has_destination_list = false;
  std::size_t i = 0;
  const auto value_of = [&](std::size_t at) -> const Token* { return at < tokens.size() ? &tokens[at] : nullptr; };
  while (i < tokens.size()) {
    const Token& t = tokens[i];
    if (is(t, "!")) {
      if (negate) return std::string("'!' twice in a row");
      negate = true;
      ++i;
      continue;
    }
    if (!is_option(t)) return "unexpected " + what(t) + " where an option was expected";
    const std::string_view opt = t.text;

    if (opt == "-s" || opt == "--source" || opt == "--src" || opt == "-d" || opt == "--destination" || opt == "--dst") {
      const bool source = opt == "-s" || opt == "--source" || opt == "--src";
      bool& seen = source ? has_source_list : has_destination_list;
      if (seen) return "more than one " + std::string(source ? "-s" : "-d") + " in one rule";
      seen = true;
      std::size_t at = i + 1;
      if (value_of(at) != nullptr && is(tokens[at], "!")) {  // the old "-s ! ADDRESS" form
        if (negate) return "'!' twice for " + std::string(opt);
        negate = true;
        ++at;
      }
      const Token* value = value_of(at);
      if (value == nullptr) return std::string(opt) + " without an address";
      AddressMatch match;
      match.direction = source ? MatchDirection::kSource : MatchDirection::kDestination;
      match.negated = negate;
      if (auto e = parse_address_list(opt, value->text, match.entries)) return e;
      match.text = (negate ? "! " : "") + std::string(source ? "-s " : "-d ") + value->text;
      rule.matches.push_back(std::move(match));
      negate = false;
      i = at + 1;
      continue;
    }
    if (opt == "-j" || opt == "--jump" || opt == "-g" || opt == "--goto" || opt == "-m" || opt == "--match") {
      const Token* value = value_of(i + 1);
      if (value == nullptr || value->text.empty()) return std::string(opt) + " without a name";
      if (negate) return "'!' before " + std::string(opt);
      if (opt == "-m" || opt == "--match") {
        module = value->text;
      } else {
        if (!rule.target.empty()) return "more than one -j/-g in one rule";
        if (!valid_chain_name(value->text)) return std::string(opt) + " " + what(*value) + ": not a valid target name";
        rule.target = value->text;
        rule.is_goto = opt == "-g" || opt == "--goto";
      }
      i += 2;
      continue;
    }
    if (opt == "--src-range" || opt == "--dst-range") {
      if (module != "iprange") return std::string(opt) + " without -m iprange before it";
      const Token* value = value_of(i + 1);
      if (value == nullptr) return std::string(opt) + " without a range";
      AddressMatch match;
      match.direction = opt == "--src-range" ? MatchDirection::kSource : MatchDirection::kDestination;
      match.negated = negate;
      if (auto e = parse_range(opt, value->text, match.entries)) return e;
      match.text = (negate ? "! " : "") + std::string(opt) + " " + value->text;
      rule.matches.push_back(std::move(match));
      negate = false;
      i += 2;
      continue;
    }
    if (opt == "--match-set" || (opt == "--set" && module == "set")) {
      if (module != "set") return "--match-set without -m set before it";
      const Token* name = value_of(i + 1);
      const Token* flags = value_of(i + 2);
      if (name == nullptr || flags == nullptr) return std::string(opt) + " needs a set name and src/dst flags";
      if (!valid_set_name(name->text)) return std::string(opt) + " " + what(*name) + ": not a valid ipset name";
      AddressMatch match;
      if (auto e = parse_set_flags(flags->text, match.direction)) return e;
      match.negated = negate;
      match.set_name = name->text;
      match.text = (negate ? "! " : "") + std::string(opt) + " " + name->text + " " + flags->text;
      rule.matches.push_back(std::move(match));
      negate = false;
      i += 3;
      continue;
    }
    if (opt == "--return-nomatch" && module == "set") {
      const auto last = std::find_if(rule.matches.rbegin(), rule.matches.rend(),
                                     [](const AddressMatch& m) { return !m.set_name.empty(); });
      if (last == rule.matches.rend()) return std::string("--return-nomatch before --match-set");
      last->return_nomatch = true;
    }
    // Any other option: only narrows the rule. Skip it and its values: the tokens up to the next option or '!'
    // (an old-style "! VALUE" negates the value and is skipped with it).
    negate = false;
    ++i;
    while (i < tokens.size() && !is_option(tokens[i])) {
      if (is(tokens[i], "!")) {
        if (i + 1 >= tokens.size() || is_option(tokens[i + 1])) break;
        ++i;
      }
      ++i;
    }
  }
  if (negate) return std::string("'!' at the end of the rule");
  return std::nullopt;
}

}  // namespace allowdrift::firewall::detail
