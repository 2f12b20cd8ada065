// Canonical formatting of single addresses (model/ip_address.h): dotted decimal, RFC 5952 IPv6 text, buffer
// bounds and the family helpers.
#include "ip_address_test_support.h"
#include "model/ip_address.h"
#include "u128_test_util.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::ErrorOf;
using testing::Groups;
using testing::Hex;
using testing::Ok6;

// ---------------------------------------------------------------------------------------------------------------
// Formatting

TEST(FormatIpv4, DottedDecimalWithoutLeadingZeros) {
  EXPECT_EQ(to_string(0x00000000u), "0.0.0.0");
  EXPECT_EQ(to_string(0xffffffffu), "255.255.255.255");
  EXPECT_EQ(to_string(0x0a000001u), "10.0.0.1");
  EXPECT_EQ(to_string(0xc0000264u), "192.0.2.100");
  EXPECT_EQ(to_string(0x0114ff09u), "1.20.255.9");
  EXPECT_EQ(to_string(0x6309c7f9u), "99.9.199.249");
}

TEST(FormatIpv4, WritesWithinTheDocumentedBound) {
  // Exact-size heap buffer: ASan reports any write past kMaxIpv4Text.
  std::vector<char> buf(kMaxIpv4Text);
  const std::size_t n = format_ipv4(0xffffffffu, buf.data());
  EXPECT_EQ(n, kMaxIpv4Text);
  EXPECT_EQ(std::string(buf.data(), n), "255.255.255.255");
}

TEST(FormatIpv6, WritesWithinTheDocumentedBound) {
  std::vector<char> buf(kMaxIpv6Text);
  const U128 all = ~U128{0};
  const std::size_t n = format_ipv6(all, buf.data());
  EXPECT_EQ(std::string(buf.data(), n), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  const std::size_t m = format_ipv6(Groups({0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff}), buf.data());
  EXPECT_EQ(std::string(buf.data(), m), "::ffff:255.255.255.255");
}

struct FormatCase {
  std::array<unsigned, 8> groups;
  std::string_view text;
};

TEST(FormatIpv6, Rfc5952Canonical) {
  const std::vector<FormatCase> cases = {
      // RFC 5952 4.2.1: shorten as much as possible.
      {{0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}, "2001:db8::2:1"},
      // 4.2.2: "::" must not shorten a single zero group.
      {{0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}, "2001:db8:0:1:1:1:1:1"},
      {{1, 2, 3, 4, 5, 6, 7, 0}, "1:2:3:4:5:6:7:0"},
      {{0, 2, 3, 4, 5, 6, 7, 8}, "0:2:3:4:5:6:7:8"},
      {{1, 0, 2, 0, 3, 0, 4, 0}, "1:0:2:0:3:0:4:0"},
      // 4.2.3: the longest run; the first one on a tie.
      {{0x2001, 0, 0, 1, 0, 0, 0, 1}, "2001:0:0:1::1"},
      {{0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}, "2001:db8::1:0:0:1"},
      {{0, 0, 1, 2, 3, 4, 0, 0}, "::1:2:3:4:0:0"},
      {{1, 0, 0, 0, 2, 0, 0, 0}, "1::2:0:0:0"},
      {{1, 0, 0, 2, 0, 0, 0, 3}, "1:0:0:2::3"},
      {{1, 0, 0, 1, 0, 0, 1, 1}, "1::1:0:0:1:1"},
      // 4.3: lowercase, no leading zeros.
      {{0x2001, 0x0db8, 0, 0, 0, 0, 0, 1}, "2001:db8::1"},
      {{0xabcd, 0xef01, 0x0023, 0x0004, 0x0050, 0x0600, 0x7000, 0xffff}, "abcd:ef01:23:4:50:600:7000:ffff"},
      // Runs at either end and the whole address.
      {{0, 0, 0, 0, 0, 0, 0, 0}, "::"},
      {{0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
      {{1, 0, 0, 0, 0, 0, 0, 0}, "1::"},
      {{1, 0, 0, 0, 0, 0, 0, 1}, "1::1"},
      {{0, 1, 0, 0, 0, 0, 0, 0}, "0:1::"},
      {{0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
      // 5: IPv4-mapped addresses in mixed notation.
      {{0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}, "::ffff:192.0.2.1"},
      {{0, 0, 0, 0, 0, 0xffff, 0, 0}, "::ffff:0.0.0.0"},
      {{0, 0, 0, 0, 0, 0xffff, 0, 1}, "::ffff:0.0.0.1"},
      {{0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff}, "::ffff:255.255.255.255"},
      // Only ::ffff:0:0/96 is mixed; v4-compatible (deprecated), NAT64 and near-misses stay hex.
      {{0, 0, 0, 0, 0, 0, 0xc000, 0x0201}, "::c000:201"},
      {{0, 0, 0, 0, 0, 0, 0, 2}, "::2"},
      {{0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201}, "::1:ffff:c000:201"},
      {{0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0201}, "::fffe:c000:201"},
      {{0, 0, 0, 0, 0xffff, 0, 0, 0}, "::ffff:0:0:0"},
      {{0, 0, 0, 0, 0xffff, 0, 0xc000, 0x0201}, "::ffff:0:c000:201"},
      {{0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221}, "64:ff9b::c000:221"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(to_string_v6(Groups(c.groups)), c.text);
    // And the canonical text reads back as the same address.
    EXPECT_EQ(Ok6(c.text), Hex(Groups(c.groups)));
  }
}

TEST(FormatIpv6, NonCanonicalInputsFormatCanonically) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {"2001:db8::0:1", "2001:db8::1"},
      {"0:0:0:0:0:0:0:0", "::"},
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
      {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
      {"0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"::192.0.2.1", "::c000:201"},
  };
  for (const auto& [in, out] : cases) {
    SCOPED_TRACE(in);
    auto v = parse_ipv6(in);
    ASSERT_TRUE(v.has_value()) << ErrorOf(v);
    EXPECT_EQ(to_string_v6(*v), out);
  }
}

TEST(FormatIpAddress, ByFamily) {
  EXPECT_EQ(to_string(IpAddress{Family::kV4, 0xc0000201u}), "192.0.2.1");
  EXPECT_EQ(to_string(IpAddress{Family::kV6, 0xc0000201u}), "::c000:201");
  EXPECT_EQ(to_string(IpAddress{Family::kV6, Groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})}), "2001:db8::1");
}

TEST(FamilyHelpers, BitsAndNames) {
  EXPECT_EQ(address_bits(Family::kV4), 32);
  EXPECT_EQ(address_bits(Family::kV6), 128);
  EXPECT_EQ(family_name(Family::kV4), "IPv4");
  EXPECT_EQ(family_name(Family::kV6), "IPv6");
}

}  // namespace
}  // namespace allowdrift::model
