// A set of IPv4 and IPv6 addresses: one interval set per family. Families never mix (see ip_entry.h for the
// IPv4-mapped IPv6 policy).
#pragma once

#include "model/cidr.h"
#include "model/interval_set.h"
#include "model/ip_entry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace allowdrift::model {

using Ipv4Set = IntervalSet<std::uint32_t>;
using Ipv6Set = IntervalSet<U128>;

class IpSet {
 public:
  IpSet() = default;
  IpSet(Ipv4Set v4, Ipv6Set v6) : v4_(std::move(v4)), v6_(std::move(v6)) {}

  const Ipv4Set& v4() const { return v4_; }
  const Ipv6Set& v6() const { return v6_; }
  bool empty() const { return v4_.empty() && v6_.empty(); }

  bool covers(const IpEntry& entry) const;
  bool intersects(const IpEntry& entry) const;
  bool covers(const IpSet& other) const { return v4_.covers(other.v4_) && v6_.covers(other.v6_); }

  IpSet unite(const IpSet& other) const { return {v4_.unite(other.v4_), v6_.unite(other.v6_)}; }
  IpSet intersect(const IpSet& other) const { return {v4_.intersect(other.v4_), v6_.intersect(other.v6_)}; }
  IpSet difference(const IpSet& other) const { return {v4_.difference(other.v4_), v6_.difference(other.v6_)}; }

  // Minimal CIDR cover, IPv4 first, each family in ascending order, e.g. "192.0.2.0/24".
  std::vector<std::string> to_cidr_strings() const;
  // How many blocks to_cidr_strings() would give, without formatting them.
  std::size_t cidr_count() const;

  friend bool operator==(const IpSet&, const IpSet&) = default;

 private:
  Ipv4Set v4_;
  Ipv6Set v6_;
};

// Collects entries in any order and builds the normalized set once.
class IpSetBuilder {
 public:
  void add(const IpEntry& entry);
  void reserve_v4(std::size_t n) { v4_.reserve(n); }
  IpSet build() &&;

 private:
  std::vector<Interval<std::uint32_t>> v4_;
  std::vector<Interval<U128>> v6_;
};

// "192.0.2.0/24" or "2001:db8::/32".
std::string format_cidr(Family family, U128 network, int prefix_length);

}  // namespace allowdrift::model
