#include "diff/check_evaluation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allowdrift::diff {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

model::IpSet ips(std::initializer_list<const char*> entries) {
  model::IpSetBuilder b;
  for (const char* e : entries) b.add(model::parse_ip_entry(e).value());
  return std::move(b).build();
}

LocalTarget allow(std::initializer_list<const char*> entries) {
  firewall::Allowlist a;
  for (const char* e : entries) a.ips.push_back({model::parse_ip_entry(e).value(), "test"});
  return LocalTarget(std::move(a));
}

PublishedSource source(const char* name, std::initializer_list<const char*> entries, std::int64_t confirmed = 1000) {
  PublishedSource s;
  s.name = name;
  s.has_snapshot = true;
  s.snapshot_id = 7;
  s.fetched_at_ms = confirmed;
  s.confirmed_at_ms = confirmed;
  s.max_age_ms = 3'600'000;
  s.ips = ips(entries);
  return s;
}

TEST(CheckEvaluation, InSyncIsOk) {
  const auto target = allow({"192.0.2.0/24"});
  const auto r =
      evaluate_check({.name = "c"}, "t", {source("s", {"192.0.2.0/25", "192.0.2.128/25"})}, &target, "", 2000);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_FALSE(r.drifting());
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_EQ(r.sources[0].snapshot_id, 7);
  EXPECT_EQ(r.sources[0].age_ms, 1000);
}

TEST(CheckEvaluation, MissingIsCriticalAndStaleIsWarningByDefault) {
  // Cloudflare narrowed 104.16.0.0/12 to /13 + 104.24.0.0/14 and added 2405:8100::/32.
  const auto target = allow({"104.16.0.0/12", "2400:cb00::/32"});
  const auto r = evaluate_check(
      {.name = "cf"}, "web",
      {source("v4", {"104.16.0.0/13", "104.24.0.0/14"}), source("v6", {"2400:cb00::/32", "2405:8100::/32"})}, &target,
      "", 2000);
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_THAT(r.missing_ips.to_cidr_strings(), ElementsAre("2405:8100::/32"));
  EXPECT_THAT(r.stale_ips.to_cidr_strings(), ElementsAre("104.28.0.0/14"));

  CheckPolicy only_stale{.name = "cf", .report_missing = false};
  EXPECT_EQ(
      evaluate_check(only_stale, "web", {source("v4", {"104.16.0.0/13", "104.24.0.0/14"})}, &target, "", 2000).status,
      CheckStatus::kWarning);
}

TEST(CheckEvaluation, StaleScopedToWhatTheSourcesOncePublished) {
  // A shared allowlist: 10.0.0.0/8 is the office, never published by the vendor; 198.51.100.0/24 was dropped.
  const auto target = allow({"10.0.0.0/8", "203.0.113.0/24", "198.51.100.0/24"});
  auto s = source("vendor", {"203.0.113.0/24"});
  s.ever_ips = ips({"203.0.113.0/24", "198.51.100.0/24"});
  CheckPolicy policy{.name = "c", .stale_only_published = true};
  const auto r = evaluate_check(policy, "shared", {s}, &target, "", 2000);
  EXPECT_THAT(r.stale_ips.to_cidr_strings(), ElementsAre("198.51.100.0/24"));
  EXPECT_EQ(r.status, CheckStatus::kWarning);
}

TEST(CheckEvaluation, UnknownWithoutAnAcceptedListOrAReadableTarget) {
  const auto target = allow({"192.0.2.0/24"});
  PublishedSource none;
  none.name = "new";
  none.last_fetch_problem = "failed: dns";
  const auto r = evaluate_check({.name = "c"}, "t", {none}, &target, "", 2000);
  EXPECT_EQ(r.status, CheckStatus::kUnknown);
  EXPECT_TRUE(r.missing_ips.empty());  // never "everything missing"
  EXPECT_THAT(r.notes, ElementsAre(HasSubstr("new has no accepted list yet (failed: dns)")));

  const auto unreadable = evaluate_check({.name = "c"}, "t", {source("s", {"192.0.2.0/24"})}, nullptr,
                                         "permission: needs CAP_NET_ADMIN", 2000);
  EXPECT_EQ(unreadable.status, CheckStatus::kUnknown);
  EXPECT_THAT(unreadable.notes, ElementsAre(HasSubstr("permission: needs CAP_NET_ADMIN")));
}

TEST(CheckEvaluation, OldDataIsComparedButSaidAndWarned) {
  const auto target = allow({"192.0.2.0/24"});
  auto s = source("s", {"192.0.2.0/24"}, 0);
  s.last_fetch_problem = "failed: timeout";
  const auto r = evaluate_check({.name = "c"}, "t", {s}, &target, "", 2 * 3'600'000 + 1);
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_TRUE(r.sources[0].data_stale);
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("older than its max_age")));
  EXPECT_THAT(r.notes, ::testing::Contains(HasSubstr("compared on its last accepted list")));
}

TEST(CheckEvaluation, ReportsEntriesCoveredOnlyByABroadRule) {
  const auto target = allow({"10.0.0.0/8", "192.0.2.0/24"});
  const auto r = evaluate_check({.name = "c", .report_stale = false}, "t", {source("s", {"10.1.2.0/24", "192.0.2.7"})},
                                &target, "", 2000);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_THAT(r.broad_ips.to_cidr_strings(), ElementsAre("10.1.2.0/24"));
}

TEST(CheckEvaluation, InfoSeverityReportsWithoutRaisingTheStatus) {
  const auto target = allow({"192.0.2.0/24", "198.51.100.0/24"});
  CheckPolicy policy{.name = "c", .stale_severity = alert::Severity::kInfo};
  const auto r = evaluate_check(policy, "t", {source("s", {"192.0.2.0/24"})}, &target, "", 2000);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_THAT(r.stale_ips.to_cidr_strings(), ElementsAre("198.51.100.0/24"));
}

}  // namespace
}  // namespace allowdrift::diff
