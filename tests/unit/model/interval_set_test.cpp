// Known cases for IntervalSet (model/interval_set.h), CIDR conversion (model/cidr.h) and IpSet's CIDR output.
#include "model/interval_set.h"
#include "model/cidr.h"
#include "model/ip_set.h"
#include "u128_test_util.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Hex;

using Set4 = IntervalSet<std::uint32_t>;
using Set6 = IntervalSet<U128>;
using Iv4 = Interval<std::uint32_t>;
using Iv6 = Interval<U128>;

constexpr std::uint32_t kMax4 = 0xffffffffu;
constexpr U128 kMax6 = ~U128{0};
constexpr U128 kHalf6 = U128{1} << 127;

// Intervals rendered as text so failures print and U128 needs no gtest printer.
template <class T>
std::string Render(std::span<const Interval<T>> ivs) {
  std::string out;
  for (const auto& iv : ivs) {
    if (!out.empty()) out += ",";
    out += "[" + Hex(iv.first) + "," + Hex(iv.last) + "]";
  }
  return out;
}
template <class T>
std::string Render(const IntervalSet<T>& s) {
  return Render<T>(s.intervals());
}
template <class T>
std::string Render(const std::vector<Interval<T>>& v) {
  return Render<T>(std::span<const Interval<T>>(v));
}

template <class T>
std::vector<std::pair<std::string, int>> Blocks(Interval<T> iv) {
  std::vector<std::pair<std::string, int>> out;
  for_each_cidr(iv, [&](T net, int len) { out.emplace_back(Hex(net), len); });
  return out;
}

template <class T>
std::vector<std::pair<std::string, int>> Blocks(const IntervalSet<T>& s) {
  std::vector<std::pair<std::string, int>> out;
  for_each_cidr(s, [&](T net, int len) { out.emplace_back(Hex(net), len); });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Construction

TEST(IntervalSetFromUnsorted, EmptyInput) {
  const auto s = Set4::from_unsorted({});
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.interval_count(), 0u);
  EXPECT_EQ(s.size_saturated(), 0u);
  EXPECT_EQ(s, Set4{});
}

TEST(IntervalSetFromUnsorted, MergesOverlapsAdjacencyAndDuplicates) {
  EXPECT_EQ(Render(Set4::from_unsorted({{5, 10}, {8, 12}})), Render(std::vector<Iv4>{{5, 12}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{8, 12}, {5, 10}})), Render(std::vector<Iv4>{{5, 12}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{1, 2}, {3, 4}})), Render(std::vector<Iv4>{{1, 4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{3, 4}, {1, 2}})), Render(std::vector<Iv4>{{1, 4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{1, 2}, {4, 5}})), Render(std::vector<Iv4>{{1, 2}, {4, 5}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{3, 3}, {3, 3}, {3, 3}})), Render(std::vector<Iv4>{{3, 3}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{1, 10}, {2, 3}})), Render(std::vector<Iv4>{{1, 10}}));
  // A contained interval must not shorten the merged one, and the one after it still merges by adjacency.
  EXPECT_EQ(Render(Set4::from_unsorted({{1, 10}, {2, 3}, {11, 11}})), Render(std::vector<Iv4>{{1, 11}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{20, 30}, {1, 5}, {6, 10}})), Render(std::vector<Iv4>{{1, 10}, {20, 30}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{5, 5}, {1, 1}, {3, 3}, {2, 2}, {4, 4}})), Render(std::vector<Iv4>{{1, 5}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{1, 100}, {50, 60}, {99, 200}, {202, 300}})),
            Render(std::vector<Iv4>{{1, 200}, {202, 300}}));
  // Same start, different ends, in either order.
  EXPECT_EQ(Render(Set4::from_unsorted({{7, 9}, {7, 20}, {7, 7}})), Render(std::vector<Iv4>{{7, 20}}));
}

TEST(IntervalSetFromUnsorted, EdgesOfTheIpv4Space) {
  EXPECT_EQ(Render(Set4::from_unsorted({{0, 0}, {1, 1}})), Render(std::vector<Iv4>{{0, 1}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{0, 0}, {2, 2}})), Render(std::vector<Iv4>{{0, 0}, {2, 2}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{kMax4, kMax4}, {kMax4 - 1, kMax4}})),
            Render(std::vector<Iv4>{{kMax4 - 1, kMax4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{kMax4, kMax4}, {kMax4 - 1, kMax4 - 1}})),
            Render(std::vector<Iv4>{{kMax4 - 1, kMax4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{kMax4, kMax4}, {kMax4 - 2, kMax4 - 2}})),
            Render(std::vector<Iv4>{{kMax4 - 2, kMax4 - 2}, {kMax4, kMax4}}));
  // 0.0.0.0-255.255.255.255 in pieces.
  EXPECT_EQ(Render(Set4::from_unsorted({{0, kMax4}})), Render(std::vector<Iv4>{{0, kMax4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{6, kMax4}, {0, 5}})), Render(std::vector<Iv4>{{0, kMax4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{kMax4, kMax4}, {0, kMax4 - 1}})), Render(std::vector<Iv4>{{0, kMax4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{0, kMax4}, {0, kMax4}, {kMax4, kMax4}, {0, 0}})),
            Render(std::vector<Iv4>{{0, kMax4}}));
  // An interval ending at the maximum followed (in sorted order) by one inside it.
  EXPECT_EQ(Render(Set4::from_unsorted({{10, kMax4}, {20, 30}, {kMax4, kMax4}})),
            Render(std::vector<Iv4>{{10, kMax4}}));
}

TEST(IntervalSetFromUnsorted, EdgesOfTheIpv6Space) {
  EXPECT_EQ(Render(Set6::from_unsorted({{0, kHalf6 - 1}, {kHalf6, kMax6}})), Render(std::vector<Iv6>{{0, kMax6}}));
  EXPECT_EQ(Render(Set6::from_unsorted({{kMax6, kMax6}, {0, kMax6 - 1}})), Render(std::vector<Iv6>{{0, kMax6}}));
  EXPECT_EQ(Render(Set6::from_unsorted({{kMax6, kMax6}, {kMax6 - 1, kMax6 - 1}})),
            Render(std::vector<Iv6>{{kMax6 - 1, kMax6}}));
  EXPECT_EQ(Render(Set6::from_unsorted({{kMax6, kMax6}, {kMax6 - 2, kMax6 - 2}})),
            Render(std::vector<Iv6>{{kMax6 - 2, kMax6 - 2}, {kMax6, kMax6}}));
  // Values differing only in the high 64 bits are not adjacent.
  const U128 lo_max = (U128{1} << 64) - 1;
  EXPECT_EQ(Render(Set6::from_unsorted({{0, lo_max}, {U128{1} << 64, U128{1} << 64}})),
            Render(std::vector<Iv6>{{0, U128{1} << 64}}));
  EXPECT_EQ(Render(Set6::from_unsorted({{0, lo_max - 1}, {U128{1} << 64, U128{1} << 64}})),
            Render(std::vector<Iv6>{{0, lo_max - 1}, {U128{1} << 64, U128{1} << 64}}));
  EXPECT_EQ(Render(Set6::from_unsorted({{kHalf6, kMax6}, {5, kMax6}, {kMax6, kMax6}})),
            Render(std::vector<Iv6>{{5, kMax6}}));
}

// ---------------------------------------------------------------------------------------------------------------
// size_saturated

TEST(IntervalSetSize, CountsValues) {
  EXPECT_EQ(Set4::from_unsorted({{1, 10}, {20, 20}}).size_saturated(), 11u);
  EXPECT_EQ(Set4::from_unsorted({{0, 0}}).size_saturated(), 1u);
  EXPECT_EQ(Set4::from_unsorted({{0, 255}, {0x0a000000u, 0x0affffffu}}).size_saturated(), 256u + 0x1000000u);
  EXPECT_EQ(Set4::from_unsorted({{0, kMax4 - 1}}).size_saturated(), kMax4);
  EXPECT_EQ(Set4::from_unsorted({{1, kMax4}}).size_saturated(), kMax4);
  EXPECT_EQ(Set4::from_unsorted({{0, 5}, {7, kMax4}}).size_saturated(), kMax4);
  EXPECT_EQ(Hex(Set6::from_unsorted({{0, (U128{1} << 64) - 1}}).size_saturated()), Hex(U128{1} << 64));
  EXPECT_EQ(Hex(Set6::from_unsorted({{0, kMax6 - 1}}).size_saturated()), Hex(kMax6));
  EXPECT_EQ(Hex(Set6::from_unsorted({{0, kHalf6}, {kHalf6 + 2, kMax6}}).size_saturated()), Hex(kMax6));
}

// The full space holds one value more than T can count, so it saturates at the largest T. This holds for
// IntervalSet<uint32_t> as much as for U128: 0.0.0.0/0 has 2^32 addresses, reported as 2^32 - 1 (the header
// comment says only the full IPv6 space saturates; for an IPv4 set the full space does too).
TEST(IntervalSetSize, FullSpaceSaturates) {
  EXPECT_EQ(Set4::from_unsorted({{0, kMax4}}).size_saturated(), kMax4);
  EXPECT_EQ(Hex(Set6::from_unsorted({{0, kMax6}}).size_saturated()), Hex(kMax6));
}

// ---------------------------------------------------------------------------------------------------------------
// Queries

TEST(IntervalSetQueries, ContainsCoversIntersects) {
  const auto s = Set4::from_unsorted({{10, 20}, {30, 40}});
  EXPECT_FALSE(s.contains(0));
  EXPECT_FALSE(s.contains(9));
  EXPECT_TRUE(s.contains(10));
  EXPECT_TRUE(s.contains(15));
  EXPECT_TRUE(s.contains(20));
  EXPECT_FALSE(s.contains(21));
  EXPECT_FALSE(s.contains(29));
  EXPECT_TRUE(s.contains(30));
  EXPECT_TRUE(s.contains(40));
  EXPECT_FALSE(s.contains(41));
  EXPECT_FALSE(s.contains(kMax4));

  EXPECT_TRUE(s.covers(Iv4{10, 20}));
  EXPECT_TRUE(s.covers(Iv4{12, 18}));
  EXPECT_TRUE(s.covers(Iv4{30, 30}));
  EXPECT_FALSE(s.covers(Iv4{9, 20}));
  EXPECT_FALSE(s.covers(Iv4{10, 21}));
  EXPECT_FALSE(s.covers(Iv4{15, 35}));
  EXPECT_FALSE(s.covers(Iv4{21, 29}));
  EXPECT_FALSE(s.covers(Iv4{0, 0}));
  EXPECT_FALSE(s.covers(Iv4{41, kMax4}));
  EXPECT_FALSE(s.covers(Iv4{0, kMax4}));

  EXPECT_FALSE(s.intersects(Iv4{0, 9}));
  EXPECT_TRUE(s.intersects(Iv4{0, 10}));
  EXPECT_TRUE(s.intersects(Iv4{20, 30}));
  EXPECT_FALSE(s.intersects(Iv4{21, 29}));
  EXPECT_TRUE(s.intersects(Iv4{25, 35}));
  EXPECT_TRUE(s.intersects(Iv4{40, 40}));
  EXPECT_FALSE(s.intersects(Iv4{41, kMax4}));
  EXPECT_TRUE(s.intersects(Iv4{0, kMax4}));
}

TEST(IntervalSetQueries, EmptySet) {
  const Set4 e;
  EXPECT_FALSE(e.contains(0));
  EXPECT_FALSE(e.contains(kMax4));
  EXPECT_FALSE(e.covers(Iv4{0, 0}));
  EXPECT_FALSE(e.intersects(Iv4{0, kMax4}));
  EXPECT_TRUE(e.covers(Set4{}));
  EXPECT_FALSE(e.covers(Set4::from_unsorted({{1, 1}})));
  EXPECT_TRUE(Set4::from_unsorted({{1, 1}}).covers(e));
}

TEST(IntervalSetQueries, EdgesAtZeroAndMaximum) {
  const auto s4 = Set4::from_unsorted({{0, 0}, {kMax4 - 1, kMax4}});
  EXPECT_TRUE(s4.contains(0));
  EXPECT_FALSE(s4.contains(1));
  EXPECT_TRUE(s4.contains(kMax4));
  EXPECT_TRUE(s4.covers(Iv4{kMax4, kMax4}));
  EXPECT_TRUE(s4.covers(Iv4{kMax4 - 1, kMax4}));
  EXPECT_FALSE(s4.covers(Iv4{kMax4 - 2, kMax4}));
  EXPECT_TRUE(s4.intersects(Iv4{kMax4, kMax4}));
  EXPECT_TRUE(s4.intersects(Iv4{1, kMax4}));
  EXPECT_FALSE(s4.intersects(Iv4{1, kMax4 - 2}));

  const auto s6 = Set6::from_unsorted({{0, 0}, {kMax6 - 1, kMax6}});
  EXPECT_TRUE(s6.contains(0));
  EXPECT_FALSE(s6.contains(1));
  EXPECT_TRUE(s6.contains(kMax6));
  EXPECT_FALSE(s6.contains(kHalf6));
  EXPECT_TRUE(s6.covers(Iv6{kMax6, kMax6}));
  EXPECT_FALSE(s6.covers(Iv6{kMax6 - 2, kMax6}));
  EXPECT_TRUE(s6.intersects(Iv6{1, kMax6}));
  EXPECT_FALSE(s6.intersects(Iv6{1, kMax6 - 2}));

  const auto full6 = Set6::from_unsorted({{0, kMax6}});
  EXPECT_TRUE(full6.covers(Iv6{0, kMax6}));
  EXPECT_TRUE(full6.contains(kMax6));
  EXPECT_TRUE(full6.covers(s6));
  EXPECT_FALSE(s6.covers(full6));
}

// ---------------------------------------------------------------------------------------------------------------
// Set algebra

TEST(IntervalSetAlgebra, KnownCases) {
  const auto a = Set4::from_unsorted({{0, 10}, {20, 30}, {40, 50}});
  const auto b = Set4::from_unsorted({{5, 22}, {28, 42}, {50, 60}});
  EXPECT_EQ(Render(a.unite(b)), Render(std::vector<Iv4>{{0, 60}}));
  EXPECT_EQ(Render(a.intersect(b)), Render(std::vector<Iv4>{{5, 10}, {20, 22}, {28, 30}, {40, 42}, {50, 50}}));
  EXPECT_EQ(Render(a.difference(b)), Render(std::vector<Iv4>{{0, 4}, {23, 27}, {43, 49}}));
  EXPECT_EQ(Render(b.difference(a)), Render(std::vector<Iv4>{{11, 19}, {31, 39}, {51, 60}}));
  // Adjacent but not overlapping sets unite into one interval and do not intersect.
  const auto lo = Set4::from_unsorted({{0, 9}});
  const auto hi = Set4::from_unsorted({{10, 19}});
  EXPECT_EQ(Render(lo.unite(hi)), Render(std::vector<Iv4>{{0, 19}}));
  EXPECT_TRUE(lo.intersect(hi).empty());
  EXPECT_EQ(lo.difference(hi), lo);
  // One subtrahend interval spanning several minuend intervals, and several inside one.
  const auto many = Set4::from_unsorted({{1, 1}, {3, 3}, {5, 5}});
  EXPECT_TRUE(many.difference(Set4::from_unsorted({{0, 10}})).empty());
  EXPECT_EQ(Render(Set4::from_unsorted({{0, 10}}).difference(many)),
            Render(std::vector<Iv4>{{0, 0}, {2, 2}, {4, 4}, {6, 10}}));
  EXPECT_TRUE(a.covers(a.intersect(b)));
  EXPECT_FALSE(a.covers(b));
  EXPECT_TRUE(a.unite(b).covers(b));
}

TEST(IntervalSetAlgebra, EdgesOfTheSpace) {
  const auto full4 = Set4::from_unsorted({{0, kMax4}});
  EXPECT_EQ(Render(full4.difference(Set4::from_unsorted({{0, 0}}))), Render(std::vector<Iv4>{{1, kMax4}}));
  EXPECT_EQ(Render(full4.difference(Set4::from_unsorted({{kMax4, kMax4}}))), Render(std::vector<Iv4>{{0, kMax4 - 1}}));
  EXPECT_EQ(Render(full4.difference(Set4::from_unsorted({{5, 5}}))), Render(std::vector<Iv4>{{0, 4}, {6, kMax4}}));
  EXPECT_TRUE(full4.difference(full4).empty());
  EXPECT_EQ(Render(Set4::from_unsorted({{0, 4}}).unite(Set4::from_unsorted({{5, kMax4}}))),
            Render(std::vector<Iv4>{{0, kMax4}}));
  EXPECT_EQ(Render(Set4::from_unsorted({{kMax4, kMax4}}).unite(Set4::from_unsorted({{0, kMax4 - 1}}))),
            Render(std::vector<Iv4>{{0, kMax4}}));
  EXPECT_EQ(Render(full4.intersect(Set4::from_unsorted({{kMax4, kMax4}}))), Render(std::vector<Iv4>{{kMax4, kMax4}}));

  const auto full6 = Set6::from_unsorted({{0, kMax6}});
  EXPECT_EQ(Render(full6.difference(Set6::from_unsorted({{kMax6, kMax6}}))), Render(std::vector<Iv6>{{0, kMax6 - 1}}));
  EXPECT_EQ(Render(full6.difference(Set6::from_unsorted({{0, 0}, {kHalf6, kHalf6}}))),
            Render(std::vector<Iv6>{{1, kHalf6 - 1}, {kHalf6 + 1, kMax6}}));
  EXPECT_EQ(Render(Set6::from_unsorted({{0, kHalf6 - 1}}).unite(Set6::from_unsorted({{kHalf6, kMax6}}))),
            Render(std::vector<Iv6>{{0, kMax6}}));
  EXPECT_EQ(Render(full6.intersect(Set6::from_unsorted({{kMax6 - 3, kMax6}}))),
            Render(std::vector<Iv6>{{kMax6 - 3, kMax6}}));
}

// ---------------------------------------------------------------------------------------------------------------
// CIDR conversion

using BlockList = std::vector<std::pair<std::string, int>>;

TEST(ForEachCidr, Ipv4KnownCases) {
  // 10.0.0.1-10.0.0.9 -> 10.0.0.1/32, 10.0.0.2/31, 10.0.0.4/30, 10.0.0.8/31
  EXPECT_EQ(
      Blocks(Iv4{0x0a000001u, 0x0a000009u}),
      (BlockList{{Hex(0x0a000001u), 32}, {Hex(0x0a000002u), 31}, {Hex(0x0a000004u), 30}, {Hex(0x0a000008u), 31}}));
  EXPECT_EQ(Blocks(Iv4{0, kMax4}), (BlockList{{Hex(0), 0}}));
  EXPECT_EQ(Blocks(Iv4{0, 0}), (BlockList{{Hex(0), 32}}));
  EXPECT_EQ(Blocks(Iv4{kMax4, kMax4}), (BlockList{{Hex(kMax4), 32}}));
  EXPECT_EQ(Blocks(Iv4{0xc0a80000u, 0xc0a8ffffu}), (BlockList{{Hex(0xc0a80000u), 16}}));
  EXPECT_EQ(Blocks(Iv4{0x0a000000u, 0x0a0000ffu}), (BlockList{{Hex(0x0a000000u), 24}}));
  EXPECT_EQ(Blocks(Iv4{0x01000000u, 0x01000002u}), (BlockList{{Hex(0x01000000u), 31}, {Hex(0x01000002u), 32}}));
  EXPECT_EQ(Blocks(Iv4{0x80000000u, kMax4}), (BlockList{{Hex(0x80000000u), 1}}));
  EXPECT_EQ(Blocks(Iv4{0, 0x7fffffffu}), (BlockList{{Hex(0), 1}}));
  // 10.0.0.255-10.0.1.0 straddles a /24 boundary: two /32s.
  EXPECT_EQ(Blocks(Iv4{0x0a0000ffu, 0x0a000100u}), (BlockList{{Hex(0x0a0000ffu), 32}, {Hex(0x0a000100u), 32}}));
}

TEST(ForEachCidr, Ipv4AllButOneEnd) {
  // 0.0.0.1-255.255.255.255: 0.0.0.1/32, 0.0.0.2/31, 0.0.0.4/30, ..., 128.0.0.0/1.
  BlockList expected;
  for (int k = 0; k < 32; ++k) expected.emplace_back(Hex(std::uint32_t{1} << k), 32 - k);
  EXPECT_EQ(Blocks(Iv4{1, kMax4}), expected);
  // 0.0.0.0-255.255.255.254: 0.0.0.0/1, 128.0.0.0/2, ..., 255.255.255.254/32.
  expected.clear();
  std::uint32_t net = 0;
  for (int len = 1; len <= 32; ++len) {
    expected.emplace_back(Hex(net), len);
    net |= std::uint32_t{1} << (32 - len);
  }
  EXPECT_EQ(Blocks(Iv4{0, kMax4 - 1}), expected);
}

TEST(ForEachCidr, Ipv6KnownCases) {
  EXPECT_EQ(Blocks(Iv6{0, kMax6}), (BlockList{{Hex(0), 0}}));
  EXPECT_EQ(Blocks(Iv6{kMax6, kMax6}), (BlockList{{Hex(kMax6), 128}}));
  EXPECT_EQ(Blocks(Iv6{0, 0}), (BlockList{{Hex(0), 128}}));
  EXPECT_EQ(Blocks(Iv6{kHalf6, kMax6}), (BlockList{{Hex(kHalf6), 1}}));
  const U128 doc = U128{0x20010db8} << 96;
  EXPECT_EQ(Blocks(Iv6{doc, doc | ((U128{1} << 96) - 1)}), (BlockList{{Hex(doc), 32}}));
  EXPECT_EQ(Blocks(Iv6{doc | 1, doc | 9}),
            (BlockList{{Hex(doc | 1), 128}, {Hex(doc | 2), 127}, {Hex(doc | 4), 126}, {Hex(doc | 8), 127}}));
  // Across the 64-bit word boundary: [2^64 - 1, 2^64].
  EXPECT_EQ(Blocks(Iv6{(U128{1} << 64) - 1, U128{1} << 64}),
            (BlockList{{Hex((U128{1} << 64) - 1), 128}, {Hex(U128{1} << 64), 128}}));
  EXPECT_EQ(Blocks(Iv6{0, (U128{1} << 64) - 1}), (BlockList{{Hex(0), 64}}));
}

TEST(ForEachCidr, Ipv6AllButOneEnd) {
  BlockList expected;
  for (int k = 0; k < 128; ++k) expected.emplace_back(Hex(U128{1} << k), 128 - k);
  EXPECT_EQ(Blocks(Iv6{1, kMax6}), expected);
  expected.clear();
  U128 net = 0;
  for (int len = 1; len <= 128; ++len) {
    expected.emplace_back(Hex(net), len);
    net |= U128{1} << (128 - len);
  }
  EXPECT_EQ(Blocks(Iv6{0, kMax6 - 1}), expected);
}

TEST(ForEachCidr, OverASetInAscendingOrder) {
  const auto s = Set4::from_unsorted({{0x0a000008u, 0x0a00000bu}, {0x0a000001u, 0x0a000001u}, {kMax4, kMax4}});
  EXPECT_EQ(Blocks(s), (BlockList{{Hex(0x0a000001u), 32}, {Hex(0x0a000008u), 30}, {Hex(kMax4), 32}}));
  EXPECT_TRUE(Blocks(Set4{}).empty());
  EXPECT_EQ(Blocks(Set6::from_unsorted({{0, kHalf6 - 1}, {kHalf6, kMax6}})), (BlockList{{Hex(0), 0}}));
}

// ---------------------------------------------------------------------------------------------------------------
// IpSet: per-family sets and CIDR text

IpEntry MustParse(std::string_view token) {
  auto r = parse_ip_entry(token);
  EXPECT_TRUE(r.has_value()) << token;
  return r ? *r : IpEntry{};
}

IpSet Build(std::initializer_list<std::string_view> tokens) {
  IpSetBuilder b;
  for (auto t : tokens) b.add(MustParse(t));
  return std::move(b).build();
}

TEST(IpSetCidr, KnownCasesIpv4FirstThenIpv6Ascending) {
  const IpSet s = Build({"2001:db8::/32", "10.0.0.1-10.0.0.9", "::ffff:192.0.2.0/120", "192.0.2.0/24"});
  EXPECT_EQ(s.to_cidr_strings(), (std::vector<std::string>{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/31",
                                                           "192.0.2.0/24", "::ffff:192.0.2.0/120", "2001:db8::/32"}));
  EXPECT_EQ(Build({"0.0.0.0-255.255.255.255"}).to_cidr_strings(), (std::vector<std::string>{"0.0.0.0/0"}));
  EXPECT_EQ(Build({"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}).to_cidr_strings(),
            (std::vector<std::string>{"::/0"}));
  EXPECT_EQ(Build({"192.0.2.1/24", "192.0.2.128/25"}).to_cidr_strings(), (std::vector<std::string>{"192.0.2.0/24"}));
  EXPECT_EQ(Build({"10.0.0.0/255.255.255.128", "10.0.0.128/25"}).to_cidr_strings(),
            (std::vector<std::string>{"10.0.0.0/24"}));
  EXPECT_TRUE(Build({}).to_cidr_strings().empty());
  EXPECT_TRUE(Build({}).empty());
}

TEST(IpSetCidr, FormatCidr) {
  EXPECT_EQ(format_cidr(Family::kV4, 0xc0000200u, 24), "192.0.2.0/24");
  EXPECT_EQ(format_cidr(Family::kV4, 0, 0), "0.0.0.0/0");
  EXPECT_EQ(format_cidr(Family::kV6, U128{0x20010db8} << 96, 32), "2001:db8::/32");
  EXPECT_EQ(format_cidr(Family::kV6, 0, 0), "::/0");
  EXPECT_EQ(format_cidr(Family::kV6, kMax6, 128), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}

TEST(IpSetQueries, FamiliesAreSeparate) {
  const IpSet s = Build({"192.0.2.0/24", "2001:db8::/32"});
  EXPECT_TRUE(s.covers(MustParse("192.0.2.7")));
  EXPECT_TRUE(s.covers(MustParse("192.0.2.0-192.0.2.255")));
  EXPECT_FALSE(s.covers(MustParse("192.0.2.0-192.0.3.0")));
  EXPECT_TRUE(s.intersects(MustParse("192.0.2.0-192.0.3.0")));
  EXPECT_TRUE(s.covers(MustParse("2001:db8:1::/48")));
  EXPECT_FALSE(s.covers(MustParse("2001:db9::1")));
  // The IPv6 value 0xc0000207 (::c000:207) is not the IPv4 address with the same bits.
  EXPECT_FALSE(s.covers(MustParse("::192.0.2.7")));
  EXPECT_FALSE(s.intersects(MustParse("::/64")));
  EXPECT_EQ(s.v4().interval_count(), 1u);
  EXPECT_EQ(s.v6().interval_count(), 1u);
}

}  // namespace
}  // namespace allowdrift::model
