// Finds the list entries (with their line numbers) that a missing or stale block came from, so a report can say
// "104.28.0.0/14 is stale: part of 104.16.0.0/12 on line 4" instead of leaving the admin to search.
#pragma once

#include "feeds/plain_list.h"

#include <cstddef>
#include <span>
#include <vector>

namespace allowdrift::diff {

class OriginIndex {
 public:
  explicit OriginIndex(std::span<const feeds::IpOrigin> origins);

  // Entries of `family` that share at least one address with [first, last], in line order, at most `limit`.
  std::vector<feeds::IpOrigin> overlapping(model::Family family, model::U128 first, model::U128 last,
                                           std::size_t limit) const;

 private:
  struct Family {
    std::vector<feeds::IpOrigin> by_first;  // sorted by entry.first
    std::vector<model::U128> max_last;      // running maximum of entry.last over by_first
  };
  const Family& family(model::Family f) const { return f == model::Family::kV4 ? v4_ : v6_; }

  Family v4_;
  Family v6_;
};

// The entry as a list would show it after normalization: "192.0.2.0/24", "192.0.2.7" or "192.0.2.1-192.0.2.9".
std::string entry_text(const model::IpEntry& entry);

}  // namespace allowdrift::diff
