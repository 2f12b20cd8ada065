// Set elements as the kernel dumps them (NFT_MSG_GETSETELEM) to entries: the dumps below are what
// `nft --debug=netlink list set` showed for tests/data/localfw/nftables/handwritten-allowlist-cases.nft on
// nft 1.0.6 / Linux 6.18 (descending keys, interval ends flagged, the sentinel end at 0).
#include "firewall/nft_elements.h"

#include "model/ip_address.h"
#include "model/ip_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allowdrift::firewall {
namespace {

using model::Family;
using ::testing::HasSubstr;

model::U128 v4(const char* text) { return model::parse_ipv4(text).value(); }
model::U128 v6(const char* text) { return model::parse_ipv6(text).value(); }

NftRawElement start(model::U128 key) { return {key, std::nullopt, false}; }
NftRawElement end(model::U128 key) { return {key, std::nullopt, true}; }

std::vector<std::string> cidrs(const std::vector<model::IpEntry>& entries) {
  model::IpSetBuilder b;
  for (const auto& e : entries) b.add(e);
  return std::move(b).build().to_cidr_strings();
}

std::vector<model::IpEntry> convert(std::vector<NftRawElement> elements, Family family, bool interval = true) {
  auto r = nft_elements_to_entries(std::move(elements), family, interval, "set inet/filter/t");
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : std::vector<model::IpEntry>{};
}

// set allowed: { 10.0.0.0/8, 192.0.2.1-192.0.2.9, 198.51.100.7, 203.0.113.0/24, 255.255.255.0/24 }
TEST(NftElements, Interval4AsDumped) {
  const auto entries = convert({start(v4("255.255.255.0")), end(v4("203.0.114.0")), start(v4("203.0.113.0")),
                                end(v4("198.51.100.8")), start(v4("198.51.100.7")), end(v4("192.0.2.10")),
                                start(v4("192.0.2.1")), end(v4("11.0.0.0")), start(v4("10.0.0.0")), end(0)},
                               Family::kV4);
  ASSERT_EQ(entries.size(), 5U);
  EXPECT_EQ(entries[0].first, v4("10.0.0.0"));
  EXPECT_EQ(entries[0].last, v4("10.255.255.255"));
  EXPECT_EQ(entries[2].form, model::EntryForm::kAddress);
  EXPECT_EQ(entries[4].last, v4("255.255.255.255"));  // no end element: the top of the address space
  EXPECT_EQ(cidrs(entries),
            (std::vector<std::string>{"10.0.0.0/8", "192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/30", "192.0.2.8/31",
                                      "198.51.100.7/32", "203.0.113.0/24", "255.255.255.0/24"}));
}

// set allowed6: { ::1, 2001:db8::/32, ffff::/16 }: starts at 0 need no sentinel; ffff::/16 reaches the top.
TEST(NftElements, Interval6AsDumped) {
  const auto entries = convert(
      {start(v6("ffff::")), end(v6("2001:db9::")), start(v6("2001:db8::")), end(v6("::2")), start(v6("::1")), end(0)},
      Family::kV6);
  EXPECT_EQ(cidrs(entries), (std::vector<std::string>{"::1/128", "2001:db8::/32", "ffff::/16"}));
}

TEST(NftElements, WholeSpaceAndZero) {
  EXPECT_EQ(cidrs(convert({start(0)}, Family::kV4)), (std::vector<std::string>{"0.0.0.0/0"}));
  EXPECT_EQ(cidrs(convert({start(0), end(1)}, Family::kV4)), (std::vector<std::string>{"0.0.0.0/32"}));
  EXPECT_EQ(cidrs(convert({end(0)}, Family::kV6)), (std::vector<std::string>{}));  // the sentinel alone: empty
  EXPECT_TRUE(convert({}, Family::kV4).empty());
}

// Without auto-merge the kernel keeps [a, b) [b, c) apart: the end at b sorts before the start at b.
TEST(NftElements, AdjacentIntervalsInAnyOrder) {
  const auto entries = convert(
      {start(v4("10.0.1.0")), end(v4("10.0.1.0")), end(v4("10.0.2.0")), start(v4("10.0.0.0")), end(0)}, Family::kV4);
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(cidrs(entries), (std::vector<std::string>{"10.0.0.0/23"}));
}

TEST(NftElements, HashSetAndPipapoRanges) {
  EXPECT_EQ(cidrs(convert({start(v4("192.0.2.201")), start(v4("192.0.2.200"))}, Family::kV4, false)),
            (std::vector<std::string>{"192.0.2.200/31"}));
  EXPECT_EQ(
      cidrs(convert({{v4("192.0.2.0"), v4("192.0.2.127"), false}, {v4("198.51.100.9"), v4("198.51.100.9"), false}},
                    Family::kV4)),
      (std::vector<std::string>{"192.0.2.0/25", "198.51.100.9/32"}));
}

TEST(NftElements, MalformedDumpsAreErrors) {
  const auto error = [](std::vector<NftRawElement> elements, Family family, bool interval = true) {
    auto r = nft_elements_to_entries(std::move(elements), family, interval, "set inet/filter/t");
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_THAT(error({start(v4("10.0.0.0")), start(v4("10.0.1.0")), end(v4("10.0.2.0"))}, Family::kV4),
              HasSubstr("set inet/filter/t: interval start 10.0.1.0 while the interval from 10.0.0.0 has no end"));
  EXPECT_THAT(error({start(model::U128{1} << 32)}, Family::kV4), HasSubstr("wider than the set's key type"));
  EXPECT_THAT(error({end(v4("10.0.0.1"))}, Family::kV4, false), HasSubstr("in a set without intervals"));
  EXPECT_THAT(error({{v4("10.0.0.9"), v4("10.0.0.1"), false}}, Family::kV4), HasSubstr("ends before it starts"));
  EXPECT_THAT(error({{v4("10.0.0.9"), v4("10.0.0.1"), false}}, Family::kV4, false), HasSubstr("ends before it starts"));
}

}  // namespace
}  // namespace allowdrift::firewall
