// What a chain of a parsed iptables-save dump allows: the SOURCE addresses of its ACCEPT rules.
//
// Choices (documented in the README's allowlist section):
// - Sources, not destinations: an allowlist names who may connect. An ACCEPT rule that matches only a destination
//   (-d, --dst-range, --match-set X dst) is listed in one warning per chain, not read.
// - Anything else on a rule (ports, protocol, interface, state, other modules) only narrows it: a source accepted
//   on port 443 only still counts as allowed. ACCEPT rules that match no address at all ("-i lo -j ACCEPT",
//   "--dport 22 -j ACCEPT") accept from any address; they are named in one warning, not listed as 0.0.0.0/0.
// - Rule order is not evaluated: a DROP or RETURN before an ACCEPT does not remove its addresses.
// - Jumps (-j CHAIN, -g CHAIN) to user chains of the same table are followed, with loop detection, and the
//   jumping rule's source match restricts what the called chain accepts (ufw's "limit" rules reach ACCEPT
//   through ufw-user-limit-accept this way).
// - Negated source matches (! -s, ! --src-range, ! --match-set X src) are unsupported: the rule is skipped with a
//   warning that names it. Two set matches on one rule, and --return-nomatch, are skipped the same way.
// - Set matches (--match-set NAME src) are returned as SetUse for the caller to resolve with ipset.
// - The chain's policy ACCEPT (built-in chains) is reported in a warning: packets no rule drops are accepted.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/iptables_save.h"
#include "firewall/read_error.h"
#include "model/ip_set.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

// An ACCEPT reached through an ipset match.
struct SetUse {
  std::string set_name;
  std::string origin;  // "filter/INPUT rule 2 (rules.v4:7)", with " via ..." for rules reached by a jump
  std::string where;   // "rules.v4:7: filter/INPUT rule 2", the prefix of warnings about this use
  std::optional<model::IpSet> within;  // literal sources of the same or jumping rules the set is combined with
};

struct ChainReading {
  Allowlist list;
  std::vector<SetUse> set_uses;
};

// kNotFound (listing the tables or chains that exist) when the table or chain is absent; kUnsupported when
// iptables-nft marked the table incompatible (it holds nft rules iptables cannot show).
ReadResult<ChainReading> read_iptables_chain(const IptablesDump& dump, std::string_view table, std::string_view chain,
                                             std::string_view source);

// The live targets: adds what a set use accepts, given the set's own allowlist (ipset_allowlist): its members minus
// its nomatch exceptions, within the use's literal sources, each with the set member's origin and the rule's.
// The set's warnings (near maxelem, timeouts) are added once.
void add_set_use(Allowlist& into, const SetUse& use, const Allowlist& set);

// The warning for iptables-nft's "iptables-legacy tables present" notice, which `where` (a file line or the
// tool's stderr) carried.
std::string legacy_tables_warning(std::string_view where);

// The file targets (iptables-save:PATH#CHAIN): a set cannot be resolved from a saved file, so each SetUse
// becomes a warning that names the set and how to read it.
void report_unresolved_sets(ChainReading& reading);

// iptables-save:PATH#[TABLE/]CHAIN: parse, read the chain, report the sets.
ReadResult<Allowlist> parse_iptables_save_chain(std::string_view text, std::string_view source, std::string_view table,
                                                std::string_view chain);

}  // namespace allowdrift::firewall
