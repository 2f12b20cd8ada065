// A set of unsigned integers held as sorted, disjoint, non-adjacent closed intervals.
//
// This is the representation every comparison runs on: IPv4 sets use std::uint32_t (8 bytes an interval, which
// keeps a million-prefix list small), IPv6 sets use U128. All operations are linear merges over the sorted
// vectors, except construction from unsorted input (one sort) and point/interval queries (binary search).
#pragma once

#include "model/uint128.h"

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

namespace allowdrift::model {

template <class T>
struct Interval {
  T first;
  T last;  // inclusive, first <= last

  friend bool operator==(const Interval&, const Interval&) = default;
};

template <class T>
class IntervalSet {
 public:
  using value_type = T;
  using interval = Interval<T>;

  IntervalSet() = default;

  // Takes any intervals (unsorted, overlapping, adjacent, duplicated) and normalizes them.
  static IntervalSet from_unsorted(std::vector<interval> raw) {
    sort_by_first(raw);
    IntervalSet out;
    // Merge in place: raw is consumed, so a million-entry list needs no second buffer.
    std::size_t n = 0;
    for (const interval& iv : raw) {
      if (n > 0 && touches(raw[n - 1], iv)) {
        raw[n - 1].last = std::max(raw[n - 1].last, iv.last);
      } else {
        raw[n++] = iv;
      }
    }
    raw.resize(n);
    raw.shrink_to_fit();
    out.intervals_ = std::move(raw);
    return out;
  }

  std::span<const interval> intervals() const { return intervals_; }
  bool empty() const { return intervals_.empty(); }
  std::size_t interval_count() const { return intervals_.size(); }

  // Number of values in the set, saturating at the largest T (only the full address space of T saturates).
  T size_saturated() const {
    T total = 0;
    for (const interval& iv : intervals_) {
      const T n = iv.last - iv.first;  // count - 1, cannot overflow
      if (total > kMaxValue<T> - n - 1 || n == kMaxValue<T>) return kMaxValue<T>;
      total += n + 1;
    }
    return total;
  }

  bool contains(T value) const { return covers(interval{value, value}); }

  // True when every value of [iv.first, iv.last] is in the set.
  bool covers(interval iv) const {
    // The only interval that can hold iv.first is the last one starting at or before it.
    auto it = std::upper_bound(intervals_.begin(), intervals_.end(), iv.first,
                               [](T v, const interval& x) { return v < x.first; });
    if (it == intervals_.begin()) return false;
    --it;
    return it->last >= iv.last && it->last >= iv.first;
  }

  // True when some value of iv is in the set.
  bool intersects(interval iv) const {
    auto it = std::lower_bound(intervals_.begin(), intervals_.end(), iv.first,
                               [](const interval& x, T v) { return x.last < v; });
    return it != intervals_.end() && it->first <= iv.last;
  }

  bool covers(const IntervalSet& other) const { return other.difference(*this).empty(); }

  IntervalSet unite(const IntervalSet& other) const {
    std::vector<interval> out;
    out.reserve(intervals_.size() + other.intervals_.size());
    auto a = intervals_.begin();
    auto b = other.intervals_.begin();
    while (a != intervals_.end() || b != other.intervals_.end()) {
      const interval next =
          (b == other.intervals_.end() || (a != intervals_.end() && a->first <= b->first)) ? *a++ : *b++;
      if (!out.empty() && touches(out.back(), next)) {
        out.back().last = std::max(out.back().last, next.last);
      } else {
        out.push_back(next);
      }
    }
    return from_normalized(std::move(out));
  }

  IntervalSet intersect(const IntervalSet& other) const {
    std::vector<interval> out;
    auto a = intervals_.begin();
    auto b = other.intervals_.begin();
    while (a != intervals_.end() && b != other.intervals_.end()) {
      const T lo = std::max(a->first, b->first);
      const T hi = std::min(a->last, b->last);
      if (lo <= hi) out.push_back({lo, hi});
      // Advance whichever ends first; the other may still overlap the next one.
      if (a->last < b->last) {
        ++a;
      } else {
        ++b;
      }
    }
    return from_normalized(std::move(out));
  }

  // Values in this set and not in `other`.
  IntervalSet difference(const IntervalSet& other) const {
    std::vector<interval> out;
    auto b = other.intervals_.begin();
    for (const interval& iv : intervals_) {
      T lo = iv.first;
      bool open = true;  // false once [lo, iv.last] is used up
      // Skip subtrahend intervals wholly below the remaining piece.
      while (b != other.intervals_.end() && b->last < lo) ++b;
      auto c = b;
      while (open && c != other.intervals_.end() && c->first <= iv.last) {
        if (c->first > lo) out.push_back({lo, static_cast<T>(c->first - 1)});
        if (c->last >= iv.last) {
          open = false;
        } else {
          lo = static_cast<T>(c->last + 1);
          ++c;
        }
      }
      if (open) out.push_back({lo, iv.last});
      b = c;
    }
    return from_normalized(std::move(out));
  }

  friend bool operator==(const IntervalSet&, const IntervalSet&) = default;

 private:
  // Already sorted, disjoint and non-adjacent.
  static IntervalSet from_normalized(std::vector<interval> v) {
    IntervalSet out;
    out.intervals_ = std::move(v);
    return out;
  }

  // IPv4 lists of a million entries: an LSD radix sort on `first` (3 passes of 11 bits) is about three times
  // faster than std::sort there, for one extra buffer of the same size. Small inputs and U128 use std::sort.
  static void sort_by_first(std::vector<interval>& v) {
    constexpr std::size_t kRadixThreshold = 1 << 12;
    if constexpr (sizeof(T) == 4) {
      if (v.size() >= kRadixThreshold) {
        constexpr unsigned kBits = 11;
        constexpr std::size_t kBuckets = std::size_t{1} << kBits;
        std::vector<interval> tmp(v.size());
        std::vector<std::size_t> count(kBuckets + 1);
        for (unsigned shift = 0; shift < 32; shift += kBits) {
          std::fill(count.begin(), count.end(), 0);
          for (const interval& iv : v) ++count[((iv.first >> shift) & (kBuckets - 1)) + 1];
          for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
          for (const interval& iv : v) tmp[count[(iv.first >> shift) & (kBuckets - 1)]++] = iv;
          v.swap(tmp);
        }
        return;
      }
    }
    std::sort(v.begin(), v.end(), [](const interval& a, const interval& b) { return a.first < b.first; });
  }

  // Overlapping or adjacent, given a.first <= b.first.
  static bool touches(const interval& a, const interval& b) {
    return a.last == kMaxValue<T> || b.first <= static_cast<T>(a.last + 1);
  }

  std::vector<interval> intervals_;
};

}  // namespace allowdrift::model
