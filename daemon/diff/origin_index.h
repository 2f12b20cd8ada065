// Finds the list entries (with their line numbers) that a missing or stale block came from, so a report can say
// "104.28.0.0/14 is stale: part of 104.16.0.0/12 on line 4" instead of leaving the admin to search.
#pragma once

#include "feeds/plain_list.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace allowdrift::diff {

class OriginIndex {
 public:
  // Keeps a reference to `origins`, which must outlive the index.
  explicit OriginIndex(std::span<const feeds::IpOrigin> origins);

  // Up to `limit` entries of `family` that share at least one address with [first, last], in line order.
  // O(limit * log n) per query, whatever the overlaps: one "allow any" line among a million entries overlaps
  // every block, and a linear scan per block would make a report quadratic.
  std::vector<feeds::IpOrigin> overlapping(model::Family family, model::U128 first, model::U128 last,
                                           std::size_t limit) const;

 private:
  // Per family: positions into origins_ sorted by entry.first, and a max-tree of entry.last over that order.
  struct Family {
    std::vector<std::uint32_t> by_first;
    std::vector<model::U128> max_last;  // segment tree, leaves at [size, 2 * size)
    std::size_t size = 0;               // power of two >= by_first.size()
  };
  const Family& family(model::Family f) const { return f == model::Family::kV4 ? v4_ : v6_; }
  void build(Family& f);
  void collect(const Family& f, std::size_t node, std::size_t lo, std::size_t hi, std::size_t end, model::U128 first,
               std::size_t limit, std::vector<std::uint32_t>& out) const;

  std::span<const feeds::IpOrigin> origins_;
  Family v4_;
  Family v6_;
};

// The entry as a list would show it after normalization: "192.0.2.0/24", "192.0.2.7" or "192.0.2.1-192.0.2.9".
std::string entry_text(const model::IpEntry& entry);

}  // namespace allowdrift::diff
