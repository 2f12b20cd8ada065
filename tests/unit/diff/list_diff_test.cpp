#include "diff/list_diff.h"
#include "feeds/plain_list.h"
#include "test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace allowdrift::diff {
namespace {

feeds::PlainList parse(std::string_view text) {
  auto list = feeds::parse_plain_list(text);
  EXPECT_TRUE(list.ok()) << (list.errors.empty() ? "" : list.errors.front().message);
  return list;
}

feeds::PlainList parse_file(const std::string& relative) {
  return parse(allowdrift::testing::read_test_data(relative));
}

ListDiff compare(const feeds::PlainList& published, const feeds::PlainList& local) {
  return compare_lists(published.ips, published.domains, local.ips, local.domains);
}

std::vector<std::string> names(const std::vector<model::DomainPattern>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.to_string());
  return out;
}

using Strings = std::vector<std::string>;

TEST(ListDiff, IdenticalSetsInAnyFormHaveNoDrift) {
  const auto published = parse("10.0.0.0/24\n10.0.1.0/24\n2001:db8::/48\n");
  const auto local = parse("10.0.0.0/23\n2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff\n");
  EXPECT_TRUE(compare(published, local).empty());
}

TEST(ListDiff, CidrAwareMissingAndStale) {
  const auto published = parse("10.0.0.0/24\n192.0.2.0/25\n");
  const auto local = parse("10.0.0.0/25\n192.0.2.0/24\n");
  const auto d = compare(published, local);
  EXPECT_EQ(d.missing_ips.to_cidr_strings(), Strings{"10.0.0.128/25"});
  EXPECT_EQ(d.stale_ips.to_cidr_strings(), Strings{"192.0.2.128/25"});
}

TEST(ListDiff, FamiliesNeverCoverEachOther) {
  const auto published = parse("192.0.2.0/24\n");
  const auto local = parse("::ffff:192.0.2.0/120\n");
  const auto d = compare(published, local);
  EXPECT_EQ(d.missing_ips.to_cidr_strings(), Strings{"192.0.2.0/24"});
  EXPECT_EQ(d.stale_ips.to_cidr_strings(), Strings{"::ffff:192.0.2.0/120"});
}

TEST(ListDiff, DomainsFollowCoverageRules) {
  const auto published = parse("mail.example.com\n*.cdn.example.com\n*.example.org\napi.example.net\n");
  const auto local = parse("*.example.com\nexample.org\nwww.example.org\napi.example.net\nold.example.net\n");
  const auto d = compare(published, local);
  EXPECT_EQ(names(d.missing_domains), Strings{"*.example.org"});
  EXPECT_EQ(names(d.stale_domains), (Strings{"*.example.com", "old.example.net", "example.org"}));
}

// Real data: a local allowlist built from Cloudflare's list years ago still allows 104.16.0.0/12; today's
// list publishes only 104.16.0.0/13 and 104.24.0.0/14, so the rest of the /12 is stale and nothing is missing.
TEST(ListDiffRealData, CloudflareV4AgainstIpsetSaveFrom2021) {
  const auto published = parse_file("published/cloudflare-ips-v4-2024-10-29.txt");
  const auto local = parse_file("local/cloudflare-ipset-nicholascw.list");
  const auto d = compare(published, local);
  EXPECT_TRUE(d.missing_ips.empty()) << d.missing_ips.to_cidr_strings().front();
  EXPECT_EQ(d.stale_ips.to_cidr_strings(), Strings{"104.28.0.0/14"});
}

TEST(ListDiffRealData, CloudflareV6AgainstNginxConfigFrom2019) {
  const auto published = parse_file("published/cloudflare-ips-v6-2023-10-11.txt");
  const auto local = parse_file("local/cloudflare-nginx-toomuchio.list");
  const auto d = compare(published, local);
  EXPECT_EQ(d.missing_ips.to_cidr_strings(), Strings{"2405:8100::/32"});
  // The nginx list also holds Cloudflare's IPv4 ranges, which this IPv6 list does not publish.
  EXPECT_EQ(d.stale_ips.v6().interval_count(), 0U);
  EXPECT_GT(d.stale_ips.v4().interval_count(), 0U);
}

TEST(ListDiffRealData, PostfixMynetworksHistory) {
  const auto v1 = parse_file("local/postfix-mynetworks-openmailrelay-v1-2026-02-24T1422.txt");
  const auto v2 = parse_file("local/postfix-mynetworks-openmailrelay-v2-reordered-2026-02-24T1913.txt");
  const auto v3 = parse_file("local/postfix-mynetworks-openmailrelay-v3-entry-removed-2026-02-24T1916.txt");
  EXPECT_TRUE(compare(v1, v2).empty());  // reordering is not drift
  const auto d = compare(v1, v3);
  EXPECT_EQ(d.missing_ips.to_cidr_strings(), Strings{"88.198.250.128/27"});
  EXPECT_TRUE(d.stale_ips.empty());
}

TEST(ListDiffRealData, GithubPackagesDomainsAgainstAWildcardAllowlist) {
  const auto published = parse_file("published/github-meta-2025-07-21-domains-packages.list");
  const auto local = parse("*.github.com\n*.githubusercontent.com\nghcr.io\n*.blob.core.windows.net\n");
  const auto d = compare(published, local);
  // *.ghcr.io is not covered by the exact ghcr.io, and *.githubassets.com by nothing.
  EXPECT_EQ(names(d.missing_domains), (Strings{"*.githubassets.com", "*.ghcr.io"}));  // com sorts before io
  EXPECT_EQ(names(d.stale_domains), (Strings{"ghcr.io", "*.blob.core.windows.net"}));
}

}  // namespace
}  // namespace allowdrift::diff
