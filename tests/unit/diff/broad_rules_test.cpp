// Broad rules (a local /8 allowing a published /24) through LocalTarget's width classes, checked against the
// entry-by-entry definition on random targets, and the same evaluation after drop_entries().
#include "diff/check_evaluation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace allowdrift::diff {
namespace {

using model::Family;
using model::IpEntry;
using model::U128;

// The definition: a rule is broad when it spans at least 2^(bits - threshold) addresses.
bool broad_by_definition(const IpEntry& e, int broad_v4, int broad_v6) {
  const int bits = e.family == Family::kV4 ? 32 : 128;
  const int host_bits = bits - (e.family == Family::kV4 ? broad_v4 : broad_v6);
  const U128 span = e.last - e.first;  // addresses - 1
  if (host_bits >= 128) return span == ~U128{0};
  return span >= (U128{1} << host_bits) - 1;
}

// A random prefix or range of the family, its width near `around` host bits so that thresholds fall on both sides.
IpEntry random_entry(std::mt19937_64& rng, Family family, int around) {
  const int bits = family == Family::kV4 ? 32 : 128;
  std::uniform_int_distribution<int> jitter(-3, 3);
  const int host_bits = std::clamp(around + jitter(rng), 0, bits);
  const U128 top = bits == 128 ? ~U128{0} : (U128{1} << bits) - 1;
  const U128 random = (U128{rng()} << 64 | rng()) & top;
  IpEntry e;
  e.family = family;
  e.form = model::EntryForm::kPrefix;
  const U128 host_mask = host_bits == 128 ? ~U128{0} : (U128{1} << host_bits) - 1;
  e.first = random & ~host_mask;
  e.last = e.first | host_mask;
  if (host_bits > 1 && rng() % 3 == 0) {  // a range: not a power of two long, inside the prefix
    e.form = model::EntryForm::kRange;
    e.first += (random & host_mask) / 4;
    e.last -= (random & host_mask) / 5;
  }
  return e;
}

TEST(BroadRules, WidthClassesMatchTheEntryByEntryDefinition) {
  std::mt19937_64 rng(20261128);
  int rounds_with_broad = 0;
  for (int round = 0; round < 400; ++round) {
    std::uniform_int_distribution<int> v4_threshold(0, 32);
    std::uniform_int_distribution<int> v6_threshold(0, 128);
    CheckPolicy policy{.name = "c", .report_stale = false};
    policy.broad_v4 = v4_threshold(rng);
    policy.broad_v6 = v6_threshold(rng);

    firewall::Allowlist list;
    model::IpSetBuilder published_builder;
    for (int i = 0; i < 12; ++i) {
      const Family f = i % 2 == 0 ? Family::kV4 : Family::kV6;
      const int around = f == Family::kV4 ? 32 - policy.broad_v4 : 128 - policy.broad_v6;
      const IpEntry local = random_entry(rng, f, around);
      list.ips.push_back({local, "test"});
      // Published entries inside and around the local ones, so broad and narrow coverage both occur.
      published_builder.add(random_entry(rng, f, std::max(0, around - 4)));
      IpEntry inside = local;
      inside.last = inside.first;
      inside.form = model::EntryForm::kAddress;
      published_builder.add(inside);
    }
    if (rng() % 10 == 0) list.ips.push_back({model::parse_ip_entry("::/0").value(), "test"});
    if (rng() % 10 == 0) list.ips.push_back({model::parse_ip_entry("0.0.0.0/0").value(), "test"});

    PublishedSource source;
    source.name = "s";
    source.has_snapshot = true;
    source.ips = std::move(published_builder).build();
    const LocalTarget target(list);
    const auto result = evaluate_check(policy, "t", {source}, &target, "", 0);

    model::IpSetBuilder narrow;
    bool has_broad = false;
    for (const auto& ip : list.ips) {
      if (broad_by_definition(ip.entry, policy.broad_v4, policy.broad_v6)) {
        has_broad = true;
      } else {
        narrow.add(ip.entry);
      }
    }
    const model::IpSet expected =
        has_broad ? source.ips.intersect(list.ip_set()).difference(std::move(narrow).build()) : model::IpSet{};
    ASSERT_EQ(result.broad_ips, expected)
        << "round " << round << ", broad_v4 " << policy.broad_v4 << ", broad_v6 " << policy.broad_v6;
    if (!expected.empty()) ++rounds_with_broad;
  }
  EXPECT_GT(rounds_with_broad, 100);  // the random targets did exercise broad coverage
}

TEST(BroadRules, DroppingTheEntriesKeepsTheEvaluation) {
  firewall::Allowlist list;
  for (const char* e : {"10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32", "2001:db8:1::/48"})
    list.ips.push_back({model::parse_ip_entry(e).value(), "file.txt:1"});
  list.warnings.push_back("file.txt:9: a warning");
  PublishedSource source;
  source.name = "s";
  source.has_snapshot = true;
  model::IpSetBuilder published;
  for (const char* e : {"10.1.2.0/24", "192.0.2.7", "2001:db8:2::/48", "203.0.113.0/24"})
    published.add(model::parse_ip_entry(e).value());
  source.ips = std::move(published).build();

  LocalTarget target(list);
  const CheckPolicy policy{.name = "c"};
  const auto before = evaluate_check(policy, "t", {source}, &target, "", 0);
  target.drop_entries();
  EXPECT_TRUE(target.list.ips.empty());
  const auto after = evaluate_check(policy, "t", {source}, &target, "", 0);
  EXPECT_THAT(before.broad_ips.to_cidr_strings(), ::testing::ElementsAre("10.1.2.0/24", "2001:db8:2::/48"));
  EXPECT_EQ(after.broad_ips, before.broad_ips);
  EXPECT_EQ(after.missing_ips, before.missing_ips);
  EXPECT_EQ(after.stale_ips, before.stale_ips);
  EXPECT_EQ(after.notes, before.notes);
}

}  // namespace
}  // namespace allowdrift::diff
