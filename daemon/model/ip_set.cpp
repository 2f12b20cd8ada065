#include "model/ip_set.h"

namespace allowdrift::model {
namespace {

Interval<std::uint32_t> v4_interval(const IpEntry& e) {
  return {static_cast<std::uint32_t>(e.first), static_cast<std::uint32_t>(e.last)};
}

}  // namespace

bool IpSet::covers(const IpEntry& entry) const {
  return entry.family == Family::kV4 ? v4_.covers(v4_interval(entry)) : v6_.covers({entry.first, entry.last});
}

bool IpSet::intersects(const IpEntry& entry) const {
  return entry.family == Family::kV4 ? v4_.intersects(v4_interval(entry)) : v6_.intersects({entry.first, entry.last});
}

std::vector<std::string> IpSet::to_cidr_strings() const {
  std::vector<std::string> out;
  for_each_cidr(v4_, [&](std::uint32_t net, int len) { out.push_back(format_cidr(Family::kV4, net, len)); });
  for_each_cidr(v6_, [&](U128 net, int len) { out.push_back(format_cidr(Family::kV6, net, len)); });
  return out;
}

std::size_t IpSet::cidr_count() const {
  std::size_t n = 0;
  for_each_cidr(v4_, [&](std::uint32_t, int) { ++n; });
  for_each_cidr(v6_, [&](U128, int) { ++n; });
  return n;
}

void IpSetBuilder::add(const IpEntry& entry) {
  if (entry.family == Family::kV4) {
    v4_.push_back(v4_interval(entry));
  } else {
    v6_.push_back({entry.first, entry.last});
  }
}

IpSet IpSetBuilder::build() && {
  return {Ipv4Set::from_unsorted(std::move(v4_)), Ipv6Set::from_unsorted(std::move(v6_))};
}

std::string format_cidr(Family family, U128 network, int prefix_length) {
  std::string out = family == Family::kV4 ? to_string(static_cast<std::uint32_t>(network)) : to_string_v6(network);
  out += '/';
  out += std::to_string(prefix_length);
  return out;
}

}  // namespace allowdrift::model
