// OriginIndex against a brute-force scan, including the case that made a linear scan quadratic: one entry
// covering everything among many small ones.
#include "diff/origin_index.h"

#include <gtest/gtest.h>

#include <random>

namespace allowdrift::diff {
namespace {

std::vector<std::size_t> brute_force(const std::vector<feeds::IpOrigin>& origins, model::U128 first, model::U128 last,
                                     std::size_t limit) {
  std::vector<std::size_t> lines;
  for (const auto& o : origins)
    if (o.entry.family == model::Family::kV4 && o.entry.first <= last && o.entry.last >= first) lines.push_back(o.line);
  if (lines.size() > limit) lines.resize(limit);
  return lines;
}

TEST(OriginIndex, MatchesBruteForceOnRandomOverlappingEntries) {
  std::mt19937_64 rng(7);
  std::vector<feeds::IpOrigin> origins;
  origins.push_back({{model::Family::kV4, 0, 0xffffffffU}, 1});  // "allow any" overlaps every block
  for (std::size_t line = 2; line < 3000; ++line) {
    const model::U128 first = rng() % 100000;
    origins.push_back({{model::Family::kV4, first, first + rng() % 300}, line});
  }
  origins.push_back({{model::Family::kV6, 5, 10}, 3000});  // other family never matches
  const OriginIndex index(origins);
  for (int q = 0; q < 2000; ++q) {
    const model::U128 first = rng() % 101000;
    const model::U128 last = first + rng() % 50;
    const std::size_t limit = 1 + rng() % 4;
    std::vector<std::size_t> got;
    for (const auto& o : index.overlapping(model::Family::kV4, first, last, 100000)) got.push_back(o.line);
    ASSERT_EQ(got, brute_force(origins, first, last, 100000)) << "query " << q;
    // With a limit: that many of them, each overlapping, in line order.
    const auto limited = index.overlapping(model::Family::kV4, first, last, limit);
    ASSERT_EQ(limited.size(), std::min(limit, got.size()));
    for (std::size_t i = 1; i < limited.size(); ++i) EXPECT_LT(limited[i - 1].line, limited[i].line);
    for (const auto& o : limited) EXPECT_TRUE(o.entry.first <= last && o.entry.last >= first);
  }
  EXPECT_EQ(index.overlapping(model::Family::kV6, 0, 4, 5).size(), 0U);
  EXPECT_EQ(index.overlapping(model::Family::kV6, 7, 7, 5).size(), 1U);
}

TEST(OriginIndex, EntryTextShowsTheNormalizedForm) {
  EXPECT_EQ(entry_text({model::Family::kV4, 0xc0000200U, 0xc00002ffU}), "192.0.2.0/24");
  EXPECT_EQ(entry_text({model::Family::kV4, 0xc0000207U, 0xc0000207U}), "192.0.2.7");
  EXPECT_EQ(entry_text({model::Family::kV4, 0xc0000201U, 0xc0000209U}), "192.0.2.1-192.0.2.9");
  EXPECT_EQ(entry_text({model::Family::kV4, 0, 0xffffffffU}), "0.0.0.0/0");
}

}  // namespace
}  // namespace allowdrift::diff
