// Internal to the iptables-save parser: splitting a line into tokens the way iptables-restore does, and reading
// the options of one rule into an IptablesRule (see iptables_save.h for what is understood).
#pragma once

#include "firewall/iptables_save.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall::detail {

struct Token {
  std::string text;
  bool quoted = false;  // came (partly) from a "..." string: never an option name or '!'
};

// Splits `line` into `tokens` (cleared first). Returns an error message for an unterminated quote.
std::optional<std::string> tokenize_iptables_line(std::string_view line, std::vector<Token>& tokens);

// Reads the options after "-A CHAIN" into `rule` (its line and position are the caller's). Returns an error
// message naming the token and what was expected.
std::optional<std::string> parse_rule_options(std::span<const Token> tokens, IptablesRule& rule);

// A chain or target name as iptables accepts it: 1 to 28 printable ASCII characters, no spaces, not starting with
// '-' or '!'.
bool valid_chain_name(std::string_view name);

}  // namespace allowdrift::firewall::detail
