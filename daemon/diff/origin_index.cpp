#include "diff/origin_index.h"

#include <algorithm>

namespace allowdrift::diff {

OriginIndex::OriginIndex(std::span<const feeds::IpOrigin> origins) : origins_(origins) {
  for (std::size_t i = 0; i < origins.size(); ++i)
    (origins[i].entry.family == model::Family::kV4 ? v4_ : v6_).by_first.push_back(static_cast<std::uint32_t>(i));
  build(v4_);
  build(v6_);
}

void OriginIndex::build(Family& f) {
  std::stable_sort(f.by_first.begin(), f.by_first.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return origins_[a].entry.first < origins_[b].entry.first; });
  f.size = 1;
  while (f.size < f.by_first.size()) f.size *= 2;
  f.max_last.assign(2 * f.size, 0);
  for (std::size_t i = 0; i < f.by_first.size(); ++i) f.max_last[f.size + i] = origins_[f.by_first[i]].entry.last;
  for (std::size_t n = f.size - 1; n >= 1; --n) f.max_last[n] = std::max(f.max_last[2 * n], f.max_last[2 * n + 1]);
}

// Visits positions [lo, hi) of node, restricted to positions < end, whose entry.last >= first; stops at limit.
void OriginIndex::collect(const Family& f, std::size_t node, std::size_t lo, std::size_t hi, std::size_t end,
                          model::U128 first, std::size_t limit, std::vector<std::uint32_t>& out) const {
  if (out.size() >= limit || lo >= end || f.max_last[node] < first) return;
  if (hi - lo == 1) {
    out.push_back(f.by_first[lo]);
    return;
  }
  const std::size_t mid = lo + (hi - lo) / 2;
  collect(f, 2 * node, lo, mid, end, first, limit, out);
  collect(f, 2 * node + 1, mid, hi, end, first, limit, out);
}

std::vector<feeds::IpOrigin> OriginIndex::overlapping(model::Family family_id, model::U128 first, model::U128 last,
                                                      std::size_t limit) const {
  const Family& f = family(family_id);
  if (f.by_first.empty() || limit == 0) return {};
  // Entries starting at or before `last` (a prefix of by_first) that end at or after `first`.
  const auto end = static_cast<std::size_t>(
      std::upper_bound(f.by_first.begin(), f.by_first.end(), last,
                       [&](model::U128 v, std::uint32_t i) { return v < origins_[i].entry.first; }) -
      f.by_first.begin());
  std::vector<std::uint32_t> found;
  collect(f, 1, 0, f.size, end, first, limit, found);
  std::sort(found.begin(), found.end());  // origins_ is in line order
  std::vector<feeds::IpOrigin> out;
  out.reserve(found.size());
  for (const auto i : found) out.push_back(origins_[i]);
  return out;
}

std::string entry_text(const model::IpEntry& e) {
  auto addr = [&](model::U128 v) {
    return e.family == model::Family::kV4 ? model::to_string(static_cast<std::uint32_t>(v)) : model::to_string_v6(v);
  };
  if (e.first == e.last) return addr(e.first);
  std::string out;
  bool single_block = true;
  model::for_each_cidr(model::Interval<model::U128>{e.first, e.last}, [&](model::U128 net, int len) {
    if (!out.empty()) {
      single_block = false;
      return;
    }
    const int bits = model::address_bits(e.family);
    out = addr(net) + "/" + std::to_string(len - (128 - bits));
  });
  if (single_block) return out;
  return addr(e.first) + "-" + addr(e.last);
}

}  // namespace allowdrift::diff
