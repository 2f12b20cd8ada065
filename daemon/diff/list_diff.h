// The comparison at the heart of allowdrift: a published list against what the local allowlist allows.
//   missing = published, not covered locally  -> traffic the vendor will send is dropped (outage risk)
//   stale   = allowed locally, not published  -> addresses the vendor gave up are still trusted (exposure risk)
// IPs compare as address sets (CIDR-aware: a local /12 covering a published /13 leaves no gap, and its other
// half is stale); domains compare with the coverage rules of model/domain_set.h.
#pragma once

#include "model/domain_set.h"
#include "model/ip_set.h"

#include <vector>

namespace allowdrift::diff {

struct ListDiff {
  model::IpSet missing_ips;
  model::IpSet stale_ips;
  std::vector<model::DomainPattern> missing_domains;  // published patterns not covered locally
  std::vector<model::DomainPattern> stale_domains;    // local patterns not covered by the published list

  bool empty() const {
    return missing_ips.empty() && stale_ips.empty() && missing_domains.empty() && stale_domains.empty();
  }
};

ListDiff compare_lists(const model::IpSet& published_ips, const model::DomainSet& published_domains,
                       const model::IpSet& local_ips, const model::DomainSet& local_domains);

}  // namespace allowdrift::diff
