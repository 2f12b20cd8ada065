#include "firewall/nft_elements.h"

#include "model/ip_address.h"

#include <algorithm>

namespace allowdrift::firewall {
namespace {

model::U128 top_of(model::Family family) {
  return family == model::Family::kV4 ? model::U128{0xffffffffu} : ~model::U128{0};
}

std::string show(model::Family family, model::U128 value) {
  return family == model::Family::kV4 ? model::to_string(static_cast<std::uint32_t>(value))
                                      : model::to_string_v6(value);
}

model::IpEntry entry(model::Family family, model::U128 first, model::U128 last) {
  model::IpEntry e;
  e.family = family;
  e.first = first;
  e.last = last;
  e.form = first == last ? model::EntryForm::kAddress : model::EntryForm::kRange;
  // Same policy as parse_ip_entry: IPv6 inside ::ffff:0:0/96 stays IPv6 and is flagged.
  constexpr model::U128 kMapped = model::U128{0xffff} << 32;
  e.v4_mapped = family == model::Family::kV6 && (first >> 32) == (kMapped >> 32) && (last >> 32) == (kMapped >> 32);
  return e;
}

}  // namespace

ReadResult<std::vector<model::IpEntry>> nft_elements_to_entries(std::vector<NftRawElement> elements,
                                                                model::Family family, bool interval_set,
                                                                std::string_view what) {
  const model::U128 top = top_of(family);
  const auto bad = [&](const std::string& why) {
    return ReadError{ReadErrorKind::kParse, std::string(what) + ": " + why};
  };
  std::vector<model::IpEntry> out;
  out.reserve(interval_set ? elements.size() / 2 + 1 : elements.size());
  for (const auto& e : elements) {
    if (e.key > top || (e.key_end && *e.key_end > top)) return bad("element key wider than the set's key type");
  }

  // At equal keys an end sorts first: [a, b) followed by [b, c) closes before it opens.
  std::sort(elements.begin(), elements.end(), [](const NftRawElement& a, const NftRawElement& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.interval_end > b.interval_end;
  });

  if (!interval_set) {
    for (const auto& e : elements) {
      if (e.interval_end) return bad("interval end element " + show(family, e.key) + " in a set without intervals");
      if (e.key_end && *e.key_end < e.key) return bad("range element ends before it starts at " + show(family, e.key));
      out.push_back(entry(family, e.key, e.key_end.value_or(e.key)));
    }
    return out;
  }

  // Start of the interval being read. A flag beside a plain value, not std::optional: GCC 12 at -O3 warns that
  // an optional<unsigned __int128> "may be used uninitialized" (-Wmaybe-uninitialized, a false positive).
  bool is_open = false;
  model::U128 open = 0;
  for (const auto& e : elements) {
    if (e.key_end) {
      if (is_open) return bad("range element " + show(family, e.key) + " inside an open interval");
      if (*e.key_end < e.key) return bad("range element ends before it starts at " + show(family, e.key));
      out.push_back(entry(family, e.key, *e.key_end));
      continue;
    }
    if (e.interval_end) {
      // An end with nothing open is nft's sentinel at 0 (or the end of an interval whose start expired during
      // the dump): it closes nothing.
      if (is_open) {
        out.push_back(entry(family, open, e.key - 1));  // e.key > open: equal keys sort the end first
        is_open = false;
      }
      continue;
    }
    if (is_open) {
      return bad("interval start " + show(family, e.key) + " while the interval from " + show(family, open) +
                 " has no end");
    }
    is_open = true;
    open = e.key;
  }
  if (is_open) out.push_back(entry(family, open, top));  // no end element: the interval reaches the top
  return out;
}

}  // namespace allowdrift::firewall
