// IntervalSet::from_unsorted switches to a radix sort for large IPv4 inputs; check that path against a
// straightforward reference (std::sort, then merge) on large random inputs, including the top of the range.
#include "model/interval_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace allowdrift::model {
namespace {

using Iv = Interval<std::uint32_t>;

std::vector<Iv> reference_merge(std::vector<Iv> v) {
  std::sort(v.begin(), v.end(), [](const Iv& a, const Iv& b) { return a.first < b.first; });
  std::vector<Iv> out;
  for (const Iv& iv : v) {
    if (!out.empty() && (out.back().last == UINT32_MAX || iv.first <= out.back().last + 1)) {
      out.back().last = std::max(out.back().last, iv.last);
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

TEST(IntervalSort, LargeIpv4InputsMatchTheReference) {
  std::mt19937_64 rng(20261127);
  for (const std::size_t n : {std::size_t{4095}, std::size_t{4096}, std::size_t{50000}, std::size_t{200000}}) {
    std::vector<Iv> raw;
    raw.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      // Mix of clustered, spread and top-of-range starts, with block sizes from 1 to 2^20.
      std::uint32_t first = static_cast<std::uint32_t>(rng());
      if (i % 3 == 0) first = 0x0a000000U + static_cast<std::uint32_t>(rng() % 65536);
      if (i % 17 == 0) first = UINT32_MAX - static_cast<std::uint32_t>(rng() % 1024);
      const std::uint32_t span = static_cast<std::uint32_t>(rng() % (1U << (rng() % 21)));
      const std::uint32_t last = first > UINT32_MAX - span ? UINT32_MAX : first + span;
      raw.push_back({first, last});
    }
    const auto expected = reference_merge(raw);
    const auto got = IntervalSet<std::uint32_t>::from_unsorted(raw);
    ASSERT_EQ(got.interval_count(), expected.size()) << "n=" << n;
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), got.intervals().begin())) << "n=" << n;
  }
}

}  // namespace
}  // namespace allowdrift::model
