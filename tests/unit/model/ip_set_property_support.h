// Shared helpers of the IntervalSet and IpSet property tests: 256-value windows and their bitmap model.
#pragma once

#include "model/interval_set.h"
#include "model/uint128.h"
#include "u128_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <optional>
#include <random>
#include <utility>

namespace allowdrift::model::testing {

// Every case lives in a window of kN = 256 consecutive values; the model is a std::bitset over the window.
inline constexpr std::size_t kN = 256;
using Bits = std::bitset<kN>;
using Rng = std::mt19937_64;

inline std::size_t Below(Rng& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

template <class T>
struct Window {
  T base;
  T top() const { return static_cast<T>(base + static_cast<T>(kN - 1)); }
  T at(std::size_t offset) const { return static_cast<T>(base + static_cast<T>(offset)); }
  std::size_t offset(T v) const { return static_cast<std::size_t>(v - base); }
  bool holds(T v) const { return v >= base && v <= top(); }
};

// ---------------------------------------------------------------------------------------------------------------
// Model helpers

// Sorted, each interval non-empty, and a gap of at least one value between neighbours.
template <class T>
::testing::AssertionResult Normalized(const IntervalSet<T>& s) {
  const auto ivs = s.intervals();
  for (std::size_t i = 0; i < ivs.size(); ++i) {
    if (ivs[i].first > ivs[i].last) return ::testing::AssertionFailure() << "interval " << i << " is reversed";
    if (i > 0 && !(ivs[i - 1].last < ivs[i].first && ivs[i].first - ivs[i - 1].last >= T{2}))
      return ::testing::AssertionFailure()
             << "intervals " << i - 1 << " and " << i << " overlap, touch or are out of order";
  }
  if (s.interval_count() != ivs.size()) return ::testing::AssertionFailure() << "interval_count disagrees";
  if (s.empty() != ivs.empty()) return ::testing::AssertionFailure() << "empty() disagrees";
  return ::testing::AssertionSuccess();
}

// The set as a bitmap of the window; nullopt when it holds a value outside the window.
template <class T>
std::optional<Bits> ToBits(const IntervalSet<T>& s, const Window<T>& w) {
  Bits b;
  for (const auto& iv : s.intervals()) {
    if (!w.holds(iv.first) || !w.holds(iv.last) || iv.first > iv.last) return std::nullopt;
    for (std::size_t o = w.offset(iv.first); o <= w.offset(iv.last); ++o) b.set(o);
  }
  return b;
}

// Offsets [lo, hi] in the window: mostly short, some long, some anchored at either edge.
inline std::pair<std::size_t, std::size_t> RandomSpan(Rng& rng) {
  std::size_t lo = Below(rng, kN);
  std::size_t len = 0;
  switch (Below(rng, 10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      len = Below(rng, 4);
      break;
    case 4:
    case 5:
    case 6:
      len = Below(rng, 40);
      break;
    default:
      len = Below(rng, kN);
      break;
  }
  std::size_t hi = std::min(kN - 1, lo + len);
  if (Below(rng, 10) == 0) lo = 0;
  if (Below(rng, 10) == 0) hi = kN - 1;
  return {lo, hi};
}

struct Prefix {
  std::array<std::size_t, kN + 1> sums{};
  explicit Prefix(const Bits& b) {
    for (std::size_t i = 0; i < kN; ++i) sums[i + 1] = sums[i] + (b[i] ? 1 : 0);
  }
  // All of offsets [lo, lo + size) are set (and inside the window).
  bool full(std::size_t lo, std::size_t size) const { return lo + size <= kN && sums[lo + size] - sums[lo] == size; }
  bool any(std::size_t lo, std::size_t hi) const { return sums[hi + 1] - sums[lo] != 0; }  // [lo, hi]
};

// The fewest aligned blocks that partition the set, by dynamic programming over the window: best[o] is the
// fewest blocks that cover exactly the set's values below offset o with no block reaching past o. Independent
// of for_each_cidr's greedy rule.
template <class T>
std::size_t MinimalBlockCount(const Bits& m, const Window<T>& w) {
  constexpr std::size_t kInf = kN + 1;
  const Prefix p(m);
  std::array<std::size_t, kN + 1> best{};
  best.fill(kInf);
  best[0] = 0;
  for (std::size_t o = 0; o < kN; ++o) {
    if (best[o] == kInf) continue;
    if (!m[o]) {
      best[o + 1] = std::min(best[o + 1], best[o]);
      continue;
    }
    for (std::size_t size = 1; size <= kN; size *= 2) {
      const T v = w.at(o);
      if ((v & static_cast<T>(size - 1)) != 0) break;  // not aligned for this or any larger block
      if (!p.full(o, size)) break;                     // a larger block contains this one
      best[o + size] = std::min(best[o + size], best[o] + 1);
    }
  }
  return best[kN];
}

}  // namespace allowdrift::model::testing
