// Address lists evaluated in order until the first match: nginx `allow`/`deny`, the patterns of a Postfix cidr:
// table (OK/permit versus any other result) and of mynetworks ("!pattern" excludes). An earlier non-allowing rule
// takes precedence over a later allowing one where they overlap:
//
//   deny  10.1.0.0/16;      # nginx: 10.1.0.0/16 is denied,
//   allow 10.0.0.0/8;       #        the rest of 10.0.0.0/8 is allowed
//
// and an allowing rule before a deny wins over it, so a trailing `deny all;` takes nothing away.
#pragma once

#include "firewall/allowlist.h"

#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

struct OrderedRule {
  std::vector<model::IpEntry> match;  // what the rule matches; usually one entry
  bool allow = false;
  std::string origin;  // "PATH:LINE"
  std::string text;    // the rule as written, for warnings: "deny 10.1.0.0/16"
};

// Adds what `rules` allow to `out`: the entries of every allowing rule to out.ips, as written, and the parts of
// earlier non-allowing rules that take precedence over a later allowing rule to out.excluded, so that
// out.ip_set() is exactly the allowed set. Each such non-allowing rule gets a warning that ends with `why`
// ("nginx applies the first matching allow or deny"). O(n log n) in the number of entries.
void add_first_match(const std::vector<OrderedRule>& rules, Allowlist& out, std::string_view why);

}  // namespace allowdrift::firewall
