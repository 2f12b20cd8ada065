// What a local allowlist allows, as a reader found it: each entry with where it came from, plus what the reader saw
// but could not represent (a negated match, a rule with an unsupported set type), which reports must show rather
// than silently dropping. Every reader (nftables, iptables-save, ipset, files, ...) produces this.
#pragma once

#include "model/domain_set.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"

#include <string>
#include <vector>

namespace allowdrift::firewall {

struct AllowedIp {
  model::IpEntry entry;
  std::string origin;  // where it was found: "set inet/filter/allow", "filter/INPUT rule 12", "/etc/x.cidr:3"
};

struct AllowedDomain {
  model::DomainPattern pattern;
  std::string origin;
};

struct Allowlist {
  std::vector<AllowedIp> ips;       // in the order found
  std::vector<AllowedIp> excluded;  // carved out of `ips` (ipset `nomatch` entries)
  std::vector<AllowedDomain> domains;
  // Things read but not represented, each with its origin: "filter/INPUT rule 7: negated source (! -s) is not
  // supported, rule skipped", "set blocklist is 95% full (maxelem 65536)", "legacy iptables tables present".
  std::vector<std::string> warnings;

  // The normalized address set: `ips` minus `excluded`.
  model::IpSet ip_set() const;
  model::DomainSet domain_set() const;
  bool empty() const { return ips.empty() && domains.empty(); }
};

}  // namespace allowdrift::firewall
