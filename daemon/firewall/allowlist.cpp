#include "firewall/allowlist.h"

namespace allowdrift::firewall {

model::IpSet Allowlist::ip_set() const {
  model::IpSetBuilder allowed;
  for (const auto& ip : ips) allowed.add(ip.entry);
  if (excluded.empty()) return std::move(allowed).build();
  model::IpSetBuilder carved;
  for (const auto& ip : excluded) carved.add(ip.entry);
  return std::move(allowed).build().difference(std::move(carved).build());
}

model::DomainSet Allowlist::domain_set() const {
  model::DomainSet set;
  for (const auto& d : domains) set.add(d.pattern);
  return set;
}

}  // namespace allowdrift::firewall
