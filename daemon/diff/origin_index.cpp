#include "diff/origin_index.h"

#include <algorithm>

namespace allowdrift::diff {

OriginIndex::OriginIndex(std::span<const feeds::IpOrigin> origins) {
  for (const auto& o : origins) (o.entry.family == model::Family::kV4 ? v4_ : v6_).by_first.push_back(o);
  for (Family* f : {&v4_, &v6_}) {
    std::stable_sort(f->by_first.begin(), f->by_first.end(),
                     [](const feeds::IpOrigin& a, const feeds::IpOrigin& b) { return a.entry.first < b.entry.first; });
    f->max_last.reserve(f->by_first.size());
    model::U128 running = 0;
    for (const auto& o : f->by_first) {
      running = std::max(running, o.entry.last);
      f->max_last.push_back(running);
    }
  }
}

std::vector<feeds::IpOrigin> OriginIndex::overlapping(model::Family f, model::U128 first, model::U128 last,
                                                      std::size_t limit) const {
  const Family& fam = family(f);
  // Candidates start at or before `last`; walk down while some earlier entry can still reach `first`.
  auto end = std::upper_bound(fam.by_first.begin(), fam.by_first.end(), last,
                              [](model::U128 v, const feeds::IpOrigin& o) { return v < o.entry.first; });
  std::vector<feeds::IpOrigin> out;
  for (auto i = static_cast<std::size_t>(end - fam.by_first.begin()); i > 0; --i) {
    if (fam.max_last[i - 1] < first) break;
    if (fam.by_first[i - 1].entry.last >= first) out.push_back(fam.by_first[i - 1]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
  if (out.size() > limit) out.resize(limit);
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
