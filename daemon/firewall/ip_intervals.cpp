#include "firewall/ip_intervals.h"

namespace allowdrift::firewall {
namespace {

template <class T>
void append(std::vector<model::IpEntry>& out, const model::IntervalSet<T>& set, model::Family family) {
  for (const auto& iv : set.intervals()) {
    model::IpEntry e;
    e.family = family;
    e.first = iv.first;
    e.last = iv.last;
    e.form = iv.first == iv.last ? model::EntryForm::kAddress : model::EntryForm::kRange;
    out.push_back(e);
  }
}

}  // namespace

model::IpSet ip_set_of(const std::vector<model::IpEntry>& entries) {
  model::IpSetBuilder builder;
  for (const auto& e : entries) builder.add(e);
  return std::move(builder).build();
}

std::vector<model::IpEntry> entries_of(const model::IpSet& set) {
  std::vector<model::IpEntry> out;
  append(out, set.v4(), model::Family::kV4);
  append(out, set.v6(), model::Family::kV6);
  return out;
}

}  // namespace allowdrift::firewall
