// The iptables-save / ip6tables-save / iptables-restore text format, parsed into tables, chains and rules, keeping
// of each rule only what an allowlist reader needs: its line, its target and its address matches. Pure and
// all-or-nothing: a line that is not a table header, chain declaration, rule, COMMIT, comment or blank line
// rejects the whole text with kParse and "SOURCE:LINE: what was found, what was expected".
//
// Understood, as iptables-restore reads them:
//   *TABLE ... COMMIT              filter, nat, mangle, raw, security; a later block of a table replaces the
//                                  earlier one, as a restore does
//   :CHAIN POLICY [packets:bytes]  counters optional; built-in chains need no declaration
//   [packets:bytes] -A CHAIN ...   also -I CHAIN [N] (ufw writes it) and -N CHAIN
//   "..." quoting                  a '"' opens a quoted string anywhere in a token and the closing one ends the
//                                  token; inside, '\' escapes the next character; outside, '\' and '\'' are plain
//                                  characters (iptables-restore 1.8 behaves exactly so)
//   -s/--source/--src, -d/--destination/--dst: an address, a prefix, an IPv4 netmask or a comma-separated list
//   -m iprange --src-range/--dst-range A-B;  -m set --match-set NAME src|dst[,...] (also the older --set)
//   '!' before an option (and the old "-s ! X" form) negates it
//   -j TARGET / -g CHAIN
// Every other option is kept out of the model (ports, interfaces, states, comments, target options): they can
// only narrow a rule. Comments are skipped, except the two iptables-nft writes about the ruleset itself:
// "# Table `filter' is incompatible, use 'nft' tool." and "# Warning: iptables-legacy tables present, ...".
#pragma once

#include "firewall/read_error.h"
#include "model/ip_entry.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

enum class MatchDirection : std::uint8_t { kSource, kDestination };

// One address match of a rule: a literal list (-s, -d, --src-range, --dst-range) or an ipset reference.
struct AddressMatch {
  MatchDirection direction = MatchDirection::kSource;
  bool negated = false;
  std::vector<model::IpEntry> entries;  // literal matches; empty for a set match
  std::string set_name;                 // set matches: the ipset name; "" for literal matches
  bool return_nomatch = false;          // --return-nomatch: the set's nomatch entries match too
  std::string text;                     // as written, for messages: "! -s 10.0.0.0/8", "--match-set cf src"
};

struct IptablesRule {
  std::size_t line = 0;
  std::string target;  // -j / -g value; "" when the rule has none (it only counts, logs via -m, ...)
  bool is_goto = false;
  std::vector<AddressMatch> matches;
};

struct IptablesChain {
  std::string name;
  std::string policy;  // ACCEPT / DROP / ... for built-in chains, "-" for user chains
  bool builtin = false;
  std::size_t line = 0;  // where declared; 0 for a built-in chain used without a declaration
  std::vector<IptablesRule> rules;
};

struct IptablesTable {
  std::string name;
  std::size_t line = 0;
  std::vector<IptablesChain> chains;  // in declaration order, built-in chains first when not declared

  const IptablesChain* find(std::string_view chain) const;
};

struct IptablesDump {
  std::vector<IptablesTable> tables;
  std::vector<std::string> incompatible_tables;  // named by "# Table `NAME' is incompatible, use 'nft' tool."
  std::size_t legacy_warning_line = 0;           // "# Warning: iptables-legacy tables present ..." (0: absent)
  std::size_t rule_count = 0;                    // in the tables above (a replaced table block's rules are gone)

  const IptablesTable* find(std::string_view table) const;
};

// `source` names the input in messages: a path, or "iptables-save -t filter" for live output.
ReadResult<IptablesDump> parse_iptables_save(std::string_view text, std::string_view source);

// The chains iptables creates in each table by itself; empty for an unknown table.
std::vector<std::string_view> builtin_chains(std::string_view table);

}  // namespace allowdrift::firewall
