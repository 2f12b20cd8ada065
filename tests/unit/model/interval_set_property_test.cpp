// Property tests of IntervalSet and for_each_cidr against a brute-force bitmap model (ip_set_property_support.h),
// in windows at the bottom, the middle and the top of the value space, for both uint32_t and U128.
#include "ip_set_property_support.h"
#include "model/cidr.h"
#include "model/interval_set.h"
#include "u128_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Below;
using testing::Bits;
using testing::Hex;
using testing::kN;
using testing::MinimalBlockCount;
using testing::Normalized;
using testing::Prefix;
using testing::RandomSpan;
using testing::Rng;
using testing::ToBits;
using testing::Window;

// Windows are placed at the bottom of the value space, in the middle at an unaligned offset straddling a large
// power-of-two boundary, and at the very top, so that arithmetic at 0 and at the maximum value (where last + 1
// wraps) is exercised for both uint32_t and U128. The seeds are fixed: a failure reproduces.
template <class T>
std::vector<Window<T>> Windows() {
  const T max = kMaxValue<T>;
  const T half = static_cast<T>(T{1} << (kBits<T> - 1));
  // Bottom, straddling 2^(bits-1) at an offset that is not a multiple of any block size above 4, and top.
  return {Window<T>{0}, Window<T>{static_cast<T>(half - 100)}, Window<T>{static_cast<T>(max - (kN - 1))}};
}

template <class T>
Bits BitsOf(const std::vector<Interval<T>>& raw, const Window<T>& w) {
  Bits b;
  for (const auto& iv : raw)
    for (std::size_t o = w.offset(iv.first); o <= w.offset(iv.last); ++o) b.set(o);
  return b;
}

template <class T>
std::vector<Interval<T>> RandomIntervals(Rng& rng, const Window<T>& w) {
  std::vector<Interval<T>> out;
  const std::size_t n = Below(rng, 8);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [lo, hi] = RandomSpan(rng);
    out.push_back({w.at(lo), w.at(hi)});
    if (Below(rng, 8) == 0) out.push_back(out.back());  // duplicate
  }
  if (Below(rng, 40) == 0) out.push_back({w.base, w.top()});
  return out;
}

// for_each_cidr over the set: aligned, inside the window, ascending, disjoint, covering exactly the model, no
// block mergeable with its neighbour or growable into its parent, and as few blocks as the DP finds.
template <class T>
void CheckCidr(const IntervalSet<T>& s, const Bits& m, const Window<T>& w) {
  struct Block {
    T net;
    T last;
    int len;
  };
  std::vector<Block> blocks;
  bool sane = true;
  for_each_cidr(s, [&](T net, int len) {
    // Within a 256-value window no block is larger than 2^8.
    if (len < kBits<T> - 8 || len > kBits<T>) {
      sane = false;
      return;
    }
    const T size_minus_1 = static_cast<T>((T{1} << (kBits<T> - len)) - 1);
    blocks.push_back({net, static_cast<T>(net + size_minus_1), len});
  });
  ASSERT_TRUE(sane) << "prefix length out of range for a 256-value window";

  const Prefix p(m);
  Bits covered;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    // Built only when an assertion fails.
    const auto where = [&] { return "block " + Hex(b.net) + "/" + std::to_string(b.len) + ": "; };
    const auto size = std::size_t{1} << (kBits<T> - b.len);
    ASSERT_TRUE((b.net & static_cast<T>(size - 1)) == 0) << where() << "not aligned";
    ASSERT_TRUE(w.holds(b.net) && w.holds(b.last) && b.net <= b.last) << where() << "outside the window";
    if (i > 0) {
      ASSERT_TRUE(blocks[i - 1].last < b.net) << where() << "not ascending and disjoint";
    }
    const std::size_t o = w.offset(b.net);
    ASSERT_TRUE(p.full(o, size)) << where() << "covers a value outside the set";
    for (std::size_t k = o; k < o + size; ++k) {
      ASSERT_FALSE(covered[k]) << where() << "overlaps another block";
      covered.set(k);
    }
    // Not mergeable: the aligned parent block (twice the size) is not entirely in the set.
    const T parent = static_cast<T>(b.net & ~static_cast<T>(2 * size - 1));
    const bool parent_in_window = w.holds(parent) && w.offset(parent) + 2 * size <= kN;
    EXPECT_FALSE(parent_in_window && p.full(w.offset(parent), 2 * size))
        << where() << "could be merged into its parent";
    if (i > 0) {
      const Block& a = blocks[i - 1];
      EXPECT_FALSE(a.len == b.len && static_cast<T>(a.last + 1) == b.net && (a.net & static_cast<T>(2 * size - 1)) == 0)
          << where() << "merges with the block before it";
    }
  }
  EXPECT_EQ(covered, m) << "blocks do not cover exactly the set";
  EXPECT_EQ(blocks.size(), MinimalBlockCount(m, w));
}

// A query interval: mostly inside the window, sometimes reaching to 0 or to the maximum value.
template <class T>
Interval<T> RandomQuery(Rng& rng, const Window<T>& w) {
  const auto [lo, hi] = RandomSpan(rng);
  Interval<T> q{w.at(lo), w.at(hi)};
  if (Below(rng, 12) == 0) q.first = 0;
  if (Below(rng, 12) == 0) q.last = kMaxValue<T>;
  return q;
}

struct Expected {
  bool covers;
  bool intersects;
};

template <class T>
Expected Model(const Prefix& p, const Window<T>& w, Interval<T> q) {
  // Values outside the window are never in the set.
  const bool reaches_outside = q.first < w.base || q.last > w.top();
  const T lo = std::max(q.first, w.base);
  const T hi = std::min(q.last, w.top());
  if (lo > hi) return {false, false};
  const std::size_t a = w.offset(lo);
  const std::size_t b = w.offset(hi);
  return {!reaches_outside && p.full(a, b - a + 1), p.any(a, b)};
}

template <class T>
void CheckIntervalSetOnce(Rng& rng, const Window<T>& w) {
  const auto raw_a = RandomIntervals(rng, w);
  const auto raw_b = RandomIntervals(rng, w);
  const Bits ma = BitsOf(raw_a, w);
  const Bits mb = BitsOf(raw_b, w);
  const auto a = IntervalSet<T>::from_unsorted(raw_a);
  const auto b = IntervalSet<T>::from_unsorted(raw_b);

  ASSERT_TRUE(Normalized(a));
  ASSERT_TRUE(Normalized(b));
  ASSERT_EQ(ToBits(a, w), ma);
  ASSERT_EQ(ToBits(b, w), mb);
  EXPECT_EQ(Hex(a.size_saturated()), Hex(static_cast<T>(ma.count())));
  EXPECT_EQ(a == b, ma == mb);

  const auto u = a.unite(b);
  const auto n = a.intersect(b);
  const auto d = a.difference(b);
  const auto r = b.difference(a);
  ASSERT_TRUE(Normalized(u));
  ASSERT_TRUE(Normalized(n));
  ASSERT_TRUE(Normalized(d));
  ASSERT_TRUE(Normalized(r));
  EXPECT_EQ(ToBits(u, w), ma | mb);
  EXPECT_EQ(ToBits(n, w), ma & mb);
  EXPECT_EQ(ToBits(d, w), ma & ~mb);
  EXPECT_EQ(ToBits(r, w), mb & ~ma);
  EXPECT_EQ(a.covers(b), (mb & ~ma).none());
  EXPECT_EQ(b.covers(a), (ma & ~mb).none());
  EXPECT_TRUE(u.covers(a));
  EXPECT_TRUE(a.covers(n));
  // Canonical form: equal sets have equal representations whatever built them.
  EXPECT_EQ(u, b.unite(a));
  EXPECT_EQ(n, b.intersect(a));

  const Prefix pa(ma);
  for (int i = 0; i < 12; ++i) {
    const Interval<T> q = RandomQuery(rng, w);
    const auto where = [&] { return "query [" + Hex(q.first) + ", " + Hex(q.last) + "]"; };
    const Expected e = Model(pa, w, q);
    EXPECT_EQ(a.covers(q), e.covers) << where();
    EXPECT_EQ(a.intersects(q), e.intersects) << where();
    const T v = Below(rng, 2) == 0 ? q.first : q.last;
    EXPECT_EQ(a.contains(v), w.holds(v) && ma[w.offset(v)]) << "contains " << Hex(v);
  }

  CheckCidr(a, ma, w);
  CheckCidr(u, ma | mb, w);
  CheckCidr(n, ma & mb, w);
  CheckCidr(d, ma & ~mb, w);
}

template <class T>
void RunIntervalSetProperties(std::uint64_t seed, int cases_per_window) {
  Rng rng(seed);
  for (const auto& w : Windows<T>()) {
    SCOPED_TRACE("window base " + Hex(w.base));
    for (int i = 0; i < cases_per_window; ++i) {
      CheckIntervalSetOnce(rng, w);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(IntervalSetProperty, Uint32AgainstBitmap) { RunIntervalSetProperties<std::uint32_t>(0x1001, 1500); }

TEST(IntervalSetProperty, U128AgainstBitmap) { RunIntervalSetProperties<U128>(0x1002, 1500); }

// ---------------------------------------------------------------------------------------------------------------
// for_each_cidr on single intervals anywhere in the space (not window-bound)

template <class T>
T RandomValue(Rng& rng) {
  U128 v = (U128{rng()} << 64) | rng();
  switch (Below(rng, 6)) {
    case 0:
      v = Below(rng, 1000);  // near 0
      break;
    case 1:
      v = ~U128{Below(rng, 1000)};  // near the maximum
      break;
    case 2:  // on or next to a power-of-two boundary
      v = (U128{1} << Below(rng, static_cast<std::size_t>(kBits<T>))) - Below(rng, 3) + 1;
      break;
    default:
      break;
  }
  return static_cast<T>(v);
}

template <class T>
void CheckIntervalCidr(Interval<T> iv) {
  const auto where = [&](std::size_t i) {
    return "interval [" + Hex(iv.first) + ", " + Hex(iv.last) + "] block " + std::to_string(i) + ": ";
  };
  std::vector<std::pair<T, int>> blocks;
  for_each_cidr(iv, [&](T net, int len) { blocks.emplace_back(net, len); });
  ASSERT_FALSE(blocks.empty()) << where(0);
  ASSERT_LE(blocks.size(), static_cast<std::size_t>(2 * kBits<T>)) << where(0);
  T expect_next = iv.first;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto [net, len] = blocks[i];
    ASSERT_GE(len, 0) << where(i);
    ASSERT_LE(len, kBits<T>) << where(i);
    const int host = kBits<T> - len;
    const T mask = host == kBits<T> ? kMaxValue<T> : static_cast<T>((T{1} << host) - 1);
    ASSERT_TRUE(net == expect_next) << where(i) << "gap or overlap before it";
    ASSERT_TRUE((net & mask) == 0) << where(i) << "not aligned";
    const T last = static_cast<T>(net | mask);
    ASSERT_TRUE(last <= iv.last) << where(i) << "passes the end";
    // Maximal: the parent block is not inside the interval (or there is no parent: /0).
    if (len > 0) {
      const T parent_mask = static_cast<T>((mask << 1) | 1);
      const T parent_first = static_cast<T>(net & ~parent_mask);
      const T parent_last = static_cast<T>(net | parent_mask);
      EXPECT_FALSE(parent_first >= iv.first && parent_last <= iv.last) << where(i) << "could be larger";
    }
    if (i + 1 == blocks.size()) {
      ASSERT_TRUE(last == iv.last) << where(i) << "the last block does not end the interval";
    } else {
      ASSERT_TRUE(last < iv.last) << where(i);
      expect_next = static_cast<T>(last + 1);
    }
  }
}

template <class T>
void RunWideIntervals(std::uint64_t seed) {
  Rng rng(seed);
  for (int i = 0; i < 3000; ++i) {
    T a = RandomValue<T>(rng);
    T b = RandomValue<T>(rng);
    if (a > b) std::swap(a, b);
    CheckIntervalCidr(Interval<T>{a, b});
    if (::testing::Test::HasFatalFailure()) return;
  }
  CheckIntervalCidr(Interval<T>{0, kMaxValue<T>});
  CheckIntervalCidr(Interval<T>{1, kMaxValue<T>});
  CheckIntervalCidr(Interval<T>{0, static_cast<T>(kMaxValue<T> - 1)});
  CheckIntervalCidr(Interval<T>{kMaxValue<T>, kMaxValue<T>});
}

TEST(ForEachCidrProperty, Uint32WideIntervals) { RunWideIntervals<std::uint32_t>(0x2001); }

TEST(ForEachCidrProperty, U128WideIntervals) { RunWideIntervals<U128>(0x2002); }

}  // namespace
}  // namespace allowdrift::model
