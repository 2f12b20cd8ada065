#include "feeds/list_guards.h"
#include "feeds/plain_list.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace allowdrift::feeds {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

std::string read_file(const std::string& relative) { return allowdrift::testing::read_test_data(relative); }

// An ExtractedList of one section from text, through the same SectionBuilder every format uses.
ExtractedList extracted(const std::string& text, std::optional<std::string> token = std::nullopt) {
  ExtractedList list;
  SectionBuilder section("");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() != '#') section.add(line, list);
  }
  list.sections.push_back(std::move(section).build());
  list.change_token = std::move(token);
  return list;
}

TEST(ListGuards, AnUnchangedRealListIsAccepted) {
  const auto cf = extracted(read_file("published/cloudflare-ips-v4-2024-10-29.txt"));
  const auto before = extracted(read_file("published/cloudflare-ips-v4-2021-11-10.txt"));
  const auto report = judge(cf, &before, {});
  EXPECT_EQ(report.verdict, Verdict::kAccept);
  EXPECT_TRUE(report.reasons.empty());
  EXPECT_TRUE(report.flags.empty()) << report.flags.front();
  EXPECT_EQ(entry_count(cf), 15U);  // 15 CIDRs, none adjacent except /13+/14 which stay two blocks
}

TEST(ListGuards, EmptyIsRejectedUnlessTheSourceMayBeEmpty) {
  const auto empty = extracted("");
  EXPECT_EQ(judge(empty, nullptr, {}).verdict, Verdict::kReject);
  EXPECT_THAT(judge(empty, nullptr, {}).reasons, Contains(HasSubstr("empty list")));
  EXPECT_EQ(judge(empty, nullptr, {.may_be_empty = true}).verdict, Verdict::kAccept);
}

TEST(ListGuards, InvalidTokensBeyondTheToleranceReject) {
  const auto list = extracted("192.0.2.0/24\n010.0.0.1\n198.51.100.0/24\n");
  ASSERT_EQ(list.rejected_tokens, 1U);
  const auto strict = judge(list, nullptr, {});
  EXPECT_EQ(strict.verdict, Verdict::kReject);
  EXPECT_THAT(strict.reasons, Contains(HasSubstr("'010.0.0.1'")));
  EXPECT_EQ(judge(list, nullptr, {.max_rejected_tokens = 1}).verdict, Verdict::kAccept);
}

// reliability.md D10: a list that loses 90% of its entries at once is suspect, not the new truth.
TEST(ListGuards, LargeShrinkIsSuspect) {
  const auto full = extracted(read_file("published/cloudflare-ips-v4-2024-10-29.txt"));
  const auto shrunk = extracted("173.245.48.0/20\n");  // 1 of 15 left
  const auto report = judge(shrunk, &full, {});
  EXPECT_EQ(report.verdict, Verdict::kSuspect);
  EXPECT_THAT(report.reasons, Contains(HasSubstr("shrank by 93%")));
  EXPECT_EQ(judge(shrunk, &full, {.max_shrink = 0.95}).verdict, Verdict::kAccept);
  // Losing one entry of fifteen is ordinary.
  auto one_less = read_file("published/cloudflare-ips-v4-2024-10-29.txt");
  one_less.erase(0, one_less.find('\n') + 1);
  EXPECT_EQ(judge(extracted(one_less), &full, {}).verdict, Verdict::kAccept);
}

TEST(ListGuards, LargeGrowthIsSuspect) {
  const auto small = extracted("203.0.113.0/24\n");
  const auto big = extracted(read_file("published/cloudflare-ips-v4-2024-10-29.txt"));
  EXPECT_EQ(judge(big, &small, {}).verdict, Verdict::kSuspect);
  EXPECT_EQ(judge(big, &small, {.max_growth = 20.0}).verdict, Verdict::kAccept);
}

// Real AWS tokens of 2026-08-22 11:57 and 15:17: the older copy served after the newer one is suspect.
TEST(ListGuards, ChangeTokenGoingBackwardsIsSuspect) {
  const auto newer = extracted("3.4.12.4/32\n", "1787411825");
  const auto older = extracted("3.4.12.4/32\n", "1787399825");
  EXPECT_EQ(judge(newer, &older, {}).verdict, Verdict::kAccept);
  const auto rollback = judge(older, &newer, {});
  EXPECT_EQ(rollback.verdict, Verdict::kSuspect);
  EXPECT_THAT(rollback.reasons, Contains(HasSubstr("went backwards (1787411825 -> 1787399825)")));
}

TEST(ListGuards, ChangeTokenComparison) {
  EXPECT_EQ(compare_change_tokens("1787399825", "1787411825"), -1);
  EXPECT_EQ(compare_change_tokens("363", "362"), 1);  // Azure changeNumber
  EXPECT_EQ(compare_change_tokens("00363", "363"), 0);
  EXPECT_EQ(compare_change_tokens("1000", "999"), 1);                                 // numeric, not text order
  EXPECT_EQ(compare_change_tokens("2026-08-22-15-17-05", "2026-08-22-11-57-05"), 1);  // AWS createDate
  EXPECT_EQ(compare_change_tokens("2026-08-22-15-17-05", "2026-08-22T15:17:05"), std::nullopt);
  EXPECT_EQ(compare_change_tokens("abc", "1"), std::nullopt);
}

TEST(ListGuards, SpecialAndBroadRangesAreFlaggedNotRejected) {
  // A real Postfix mynetworks file: loopback and RFC 1918 space, as a published list would never hold.
  const auto list =
      extracted(read_file("local/postfix-mynetworks-openmailrelay-v1-2026-02-24T1422.txt") + "\n0.0.0.0/0\n::/0\n");
  const auto report = judge(list, nullptr, {});
  EXPECT_EQ(report.verdict, Verdict::kAccept);
  EXPECT_THAT(report.flags, Contains(HasSubstr("loopback addresses (127.0.0.0/8)")));
  EXPECT_THAT(report.flags, Contains(HasSubstr("private (RFC 1918) addresses (172.16.0.0/12)")));
  EXPECT_THAT(report.flags, Contains(HasSubstr("very broad prefix 0.0.0.0/0")));
  EXPECT_THAT(report.flags, Contains(HasSubstr("very broad prefix ::/0")));
}

}  // namespace
}  // namespace allowdrift::feeds
