// `ufw:PATH`: /etc/ufw/user.rules or user6.rules, the iptables-restore files ufw writes from its rule tuples.
//
// What is read: the ACCEPT rules of the chain ufw-user-input (ufw6-user-input in user6.rules), that is the
// "allow ... in" rules and, through the jump to ufw-user-limit-accept, the "limit" rules (rate-limited, still
// allowed). Their source addresses are the allowlist; port-only rules ("allow 22/tcp") accept from any address
// and are named in a warning (see iptables_chain.h for the rules of reading a chain). Not read: "allow out" and
// "route" rules (ufw-user-output, ufw-user-forward), deny rules (they are not subtracted), and the `### tuple ###`
// comments: the iptables rules under them are what ufw loads, so they are the ones trusted.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

// kParse when the text is not iptables-restore syntax or has neither ufw-user-input nor ufw6-user-input.
ReadResult<Allowlist> parse_ufw_rules(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
