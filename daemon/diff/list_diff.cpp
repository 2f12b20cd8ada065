#include "diff/list_diff.h"

namespace allowdrift::diff {

ListDiff compare_lists(const model::IpSet& published_ips, const model::DomainSet& published_domains,
                       const model::IpSet& local_ips, const model::DomainSet& local_domains) {
  ListDiff out;
  out.missing_ips = published_ips.difference(local_ips);
  out.stale_ips = local_ips.difference(published_ips);
  out.missing_domains = published_domains.difference(local_domains);
  out.stale_domains = local_domains.difference(published_domains);
  return out;
}

}  // namespace allowdrift::diff
