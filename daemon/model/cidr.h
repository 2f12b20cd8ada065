// Conversion of closed intervals to the minimal list of CIDR blocks covering exactly the same values.
#pragma once

#include "model/interval_set.h"
#include "model/uint128.h"

#include <algorithm>

namespace allowdrift::model {

// Calls fn(network, prefix_length) for each block of [iv.first, iv.last], in ascending order. Greedy from the
// low end: the largest block that is aligned at the current start and does not pass the end is always part of
// the minimal cover (it cannot be merged with anything below it, which is already covered).
template <class T, class Fn>
void for_each_cidr(Interval<T> iv, Fn&& fn) {
  constexpr int kWidth = kBits<T>;
  T start = iv.first;
  while (true) {
    const T span = iv.last - start;  // block count - 1; never overflows
    // Largest k with 2^k - 1 <= span, bounded by the alignment of start.
    const int fit = span == kMaxValue<T> ? kWidth : bit_width(static_cast<T>(span + 1)) - 1;
    const int k = std::min(fit, countr_zero(start));
    fn(start, kWidth - k);
    const T block_last = static_cast<T>(start + low_mask<T>(k));
    if (block_last == iv.last) return;
    start = static_cast<T>(block_last + 1);
  }
}

template <class T, class Fn>
void for_each_cidr(const IntervalSet<T>& set, Fn&& fn) {
  for (const auto& iv : set.intervals()) for_each_cidr(iv, fn);
}

}  // namespace allowdrift::model
