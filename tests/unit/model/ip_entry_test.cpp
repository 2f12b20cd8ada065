// Parsing of allowlist entries (model/ip_entry.h): addresses, prefixes, netmasks and ranges. The IPv4-mapped
// IPv6 policy, error messages, describe_normalization and parse_plain_ip_entry are in ip_entry_policy_test.cpp.
#include "model/ip_entry.h"
#include "ip_entry_test_support.h"
#include "u128_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Describe;
using testing::Entry;
using testing::ErrorOf;
using testing::Groups;
using testing::Hex;
using testing::Parsed;

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string Quoted(std::string_view token) { return "'" + std::string(token) + "'"; }

constexpr U128 kV6Max = ~U128{0};
const U128 kDocNet = Groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0});  // 2001:db8::

// ---------------------------------------------------------------------------------------------------------------
// Single addresses

TEST(ParseIpEntry, Addresses) {
  EXPECT_EQ(Parsed("192.0.2.7"), Describe(Entry(Family::kV4, 0xc0000207u, 0xc0000207u, EntryForm::kAddress)));
  EXPECT_EQ(Parsed("0.0.0.0"), Describe(Entry(Family::kV4, 0, 0, EntryForm::kAddress)));
  EXPECT_EQ(Parsed("255.255.255.255"), Describe(Entry(Family::kV4, 0xffffffffu, 0xffffffffu, EntryForm::kAddress)));
  EXPECT_EQ(Parsed("2001:db8::7"), Describe(Entry(Family::kV6, kDocNet | 7, kDocNet | 7, EntryForm::kAddress)));
  EXPECT_EQ(Parsed("::"), Describe(Entry(Family::kV6, 0, 0, EntryForm::kAddress)));
}

TEST(ParseIpEntry, AddressErrorsNameTheToken) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("empty entry"));
  EXPECT_THAT(ErrorOf("010.0.0.1"), AllOf(HasSubstr("'010.0.0.1'"), HasSubstr("leading zero")));
  EXPECT_THAT(ErrorOf("127.1"), AllOf(HasSubstr("'127.1'"), HasSubstr("shorthand")));
  EXPECT_THAT(ErrorOf("2001:db8::1%eth0"), AllOf(HasSubstr("'2001:db8::1%eth0'"), HasSubstr("zone id")));
  EXPECT_THAT(ErrorOf("192.0.2.1 "), AllOf(HasSubstr("'192.0.2.1 '"), HasSubstr("unexpected character")));
  EXPECT_THAT(ErrorOf("/8"), HasSubstr("empty address"));
  EXPECT_THAT(ErrorOf("10.0.0/8"), AllOf(HasSubstr("'10.0.0'"), HasSubstr("shorthand")));
}

// ---------------------------------------------------------------------------------------------------------------
// Prefixes

TEST(ParseIpEntry, Ipv4Prefixes) {
  EXPECT_EQ(Parsed("192.0.2.0/24"), Describe(Entry(Family::kV4, 0xc0000200u, 0xc00002ffu, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("10.0.0.0/8"), Describe(Entry(Family::kV4, 0x0a000000u, 0x0affffffu, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("0.0.0.0/0"), Describe(Entry(Family::kV4, 0, 0xffffffffu, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("192.0.2.7/32"), Describe(Entry(Family::kV4, 0xc0000207u, 0xc0000207u, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("255.255.255.255/32"), Describe(Entry(Family::kV4, 0xffffffffu, 0xffffffffu, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("128.0.0.0/1"), Describe(Entry(Family::kV4, 0x80000000u, 0xffffffffu, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("192.0.2.6/31"), Describe(Entry(Family::kV4, 0xc0000206u, 0xc0000207u, EntryForm::kPrefix)));
}

TEST(ParseIpEntry, Ipv6Prefixes) {
  const U128 low96 = (U128{1} << 96) - 1;
  EXPECT_EQ(Parsed("2001:db8::/32"), Describe(Entry(Family::kV6, kDocNet, kDocNet | low96, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("::/0"), Describe(Entry(Family::kV6, 0, kV6Max, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("2001:db8::7/128"), Describe(Entry(Family::kV6, kDocNet | 7, kDocNet | 7, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
            Describe(Entry(Family::kV6, kV6Max, kV6Max, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("8000::/1"), Describe(Entry(Family::kV6, U128{1} << 127, kV6Max, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("2001:db8::/64"),
            Describe(Entry(Family::kV6, kDocNet, kDocNet | ((U128{1} << 64) - 1), EntryForm::kPrefix)));
}

TEST(ParseIpEntry, HostBitsAreClearedAndFlagged) {
  EXPECT_EQ(Parsed("192.0.2.1/24"),
            Describe(Entry(Family::kV4, 0xc0000200u, 0xc00002ffu, EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  EXPECT_EQ(Parsed("10.1.2.3/8"),
            Describe(Entry(Family::kV4, 0x0a000000u, 0x0affffffu, EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  EXPECT_EQ(Parsed("192.0.2.7/31"),
            Describe(Entry(Family::kV4, 0xc0000206u, 0xc0000207u, EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  EXPECT_EQ(Parsed("2001:db8::1/64"), Describe(Entry(Family::kV6, kDocNet, kDocNet | ((U128{1} << 64) - 1),
                                                     EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  EXPECT_EQ(Parsed("10.1.2.3/8"),
            Describe(Entry(Family::kV4, 0x0a000000u, 0x0affffffu, EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  EXPECT_EQ(Parsed("2001:db8::1/16"),
            Describe(Entry(Family::kV6, U128{0x2001} << 112, (U128{0x2001} << 112) | ((U128{1} << 112) - 1),
                           EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  EXPECT_EQ(Parsed("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127"),
            Describe(Entry(Family::kV6, kV6Max - 1, kV6Max, EntryForm::kPrefix, /*host_bits_cleared=*/true)));
  // /32 and /128 have no host bits.
  EXPECT_EQ(Parsed("192.0.2.1/32"), Describe(Entry(Family::kV4, 0xc0000201u, 0xc0000201u, EntryForm::kPrefix)));
  EXPECT_EQ(Parsed("2001:db8::1/128"), Describe(Entry(Family::kV6, kDocNet | 1, kDocNet | 1, EntryForm::kPrefix)));
}

struct RejectCase {
  std::string_view token;
  std::string_view reason;
};

void ExpectRejected(const std::vector<RejectCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.token);
    EXPECT_THAT(ErrorOf(c.token), AllOf(HasSubstr(Quoted(c.token)), HasSubstr(c.reason)));
  }
}

TEST(ParseIpEntry, PrefixLengthRules) {
  ExpectRejected({
      {"10.0.0.0/33", "prefix length 33 is over 32"},
      {"10.0.0.0/99", "prefix length 99 is over 32"},
      {"10.0.0.0/1000", "over 32"},
      {"10.0.0.0/4294967328", "over 32"},  // 2^32 + 32: must not wrap around to 32
      {"2001:db8::/129", "prefix length 129 is over 128"},
      {"2001:db8::/999", "over 128"},
      {"10.0.0.0/+8", "must not carry a sign"},
      {"2001:db8::/+32", "must not carry a sign"},
      {"10.0.0.0/024", "leading zero"},
      {"10.0.0.0/00", "leading zero"},
      {"2001:db8::/032", "leading zero"},
      {"10.0.0.0/", "missing prefix length"},
      {"2001:db8::/", "missing prefix length"},
      {"10.0.0.0/8x", "decimal number"},
      {"10.0.0.0/x8", "decimal number"},
      {"10.0.0.0/ 8", "decimal number"},
      {"10.0.0.0/8 ", "decimal number"},
      {"10.0.0.0/8/8", "decimal number"},
      {"2001:db8::/0x20", "decimal number"},
      // IPv6 has no netmask form.
      {"2001:db8::/ffff:ffff::", "decimal number"},
      {"2001:db8::/255.255.0.0", "decimal number"},
  });
}

// A negative prefix length is a sign error like "/+8"; the '-' must not send the token down the range path,
// whose message ("a range takes two addresses") would misdescribe what was written.
TEST(ParseIpEntry, NegativePrefixLengthIsASignError) {
  ExpectRejected({
      {"10.0.0.0/-1", "must not carry a sign"},
      {"2001:db8::/-1", "must not carry a sign"},
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Netmasks

// A name with a path or a length is not "an IPv4 address with a bad character": say what was expected.
TEST(ParseIpEntry, NameWithASlashSaysWhatWasExpected) {
  ExpectRejected({
      {"example.com/path", "expected ADDRESS/LENGTH; a domain name cannot carry a '/' suffix"},
      {"mail.example.com/24", "a domain name cannot carry"},
      {"10.0.0.1x/24", "unexpected character 'x'"},
  });
}

TEST(ParseIpEntry, ContiguousNetmasks) {
  EXPECT_EQ(Parsed("10.0.0.0/255.255.255.0"),
            Describe(Entry(Family::kV4, 0x0a000000u, 0x0a0000ffu, EntryForm::kNetmask)));
  EXPECT_EQ(Parsed("10.0.0.0/255.0.0.0"), Describe(Entry(Family::kV4, 0x0a000000u, 0x0affffffu, EntryForm::kNetmask)));
  EXPECT_EQ(Parsed("10.0.0.7/255.255.255.255"),
            Describe(Entry(Family::kV4, 0x0a000007u, 0x0a000007u, EntryForm::kNetmask)));
  EXPECT_EQ(Parsed("10.0.0.6/255.255.255.254"),
            Describe(Entry(Family::kV4, 0x0a000006u, 0x0a000007u, EntryForm::kNetmask)));
  EXPECT_EQ(Parsed("128.0.0.0/128.0.0.0"), Describe(Entry(Family::kV4, 0x80000000u, 0xffffffffu, EntryForm::kNetmask)));
  // An all-zero mask is /0.
  EXPECT_EQ(Parsed("0.0.0.0/0.0.0.0"), Describe(Entry(Family::kV4, 0, 0xffffffffu, EntryForm::kNetmask)));
  EXPECT_EQ(Parsed("10.1.2.3/255.255.0.0"),
            Describe(Entry(Family::kV4, 0x0a010000u, 0x0a01ffffu, EntryForm::kNetmask, /*host_bits_cleared=*/true)));
}

// A host address under a very short prefix is a typo far more often than intent: normalizing "203.0.113.7/0"
// would compare against the whole address space. Refused below /8 (IPv4) and /16 (IPv6); network addresses with
// short prefixes stay valid.
TEST(ParseIpEntry, HostBitsUnderAVeryShortPrefixAreRejected) {
  for (const char* token :
       {"203.0.113.7/0", "255.255.255.255/0", "10.0.0.0/0.0.0.0", "11.0.0.0/7", "::1/0", "2001:db8::1/15"}) {
    SCOPED_TRACE(token);
    EXPECT_THAT(ErrorOf(token), AllOf(HasSubstr(std::string("'") + token + "'"), HasSubstr("host bits set under")));
  }
  EXPECT_TRUE(parse_ip_entry("0.0.0.0/0").has_value());
  EXPECT_TRUE(parse_ip_entry("10.0.0.0/7").has_value());
  EXPECT_TRUE(parse_ip_entry("::/0").has_value());
  EXPECT_TRUE(parse_ip_entry("2000::/3").has_value());
}

TEST(ParseIpEntry, EveryContiguousNetmaskEqualsItsPrefixLength) {
  for (int len = 0; len <= 32; ++len) {
    const std::uint32_t mask = len == 0 ? 0u : ~std::uint32_t{0} << (32 - len);
    const std::string mask_text = std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 0xff) + "." +
                                  std::to_string((mask >> 8) & 0xff) + "." + std::to_string(mask & 0xff);
    SCOPED_TRACE(mask_text);
    auto by_mask = parse_ip_entry("203.0.113.77/" + mask_text);
    auto by_len = parse_ip_entry("203.0.113.77/" + std::to_string(len));
    if (len < 8) {  // host bits under a very short prefix: both spellings are refused
      EXPECT_FALSE(by_mask.has_value());
      EXPECT_FALSE(by_len.has_value());
      continue;
    }
    ASSERT_TRUE(by_mask.has_value()) << by_mask.error().message;
    ASSERT_TRUE(by_len.has_value()) << by_len.error().message;
    EXPECT_EQ(by_mask->form, EntryForm::kNetmask);
    EXPECT_EQ(by_len->form, EntryForm::kPrefix);
    EXPECT_EQ(Hex(by_mask->first), Hex(by_len->first));
    EXPECT_EQ(Hex(by_mask->last), Hex(by_len->last));
    EXPECT_EQ(Hex(by_mask->first), Hex(0xcb00714du & mask));
    EXPECT_EQ(by_mask->host_bits_cleared, by_len->host_bits_cleared);
  }
}

TEST(ParseIpEntry, NetmaskRules) {
  ExpectRejected({
      {"10.0.0.0/255.0.255.0", "netmask 255.0.255.0 is not contiguous"},
      {"10.0.0.0/0.255.255.255", "netmask 0.255.255.255 is not contiguous"},
      {"10.0.0.0/255.255.255.253", "not contiguous"},
      {"10.0.0.0/0.0.0.1", "not contiguous"},
      {"10.0.0.0/254.255.255.255", "not contiguous"},
      {"10.0.0.0/255.255.256.0", "over 255"},
      {"10.0.0.0/255.255.255.00", "leading zero"},
      {"10.0.0.0/255.255", "shorthand"},
      {"10.0.0.0/255.255.255.0.0", "exactly 4 octets"},
  });
  EXPECT_THAT(ErrorOf("10.0.0.0/255.255.256.0"), HasSubstr("netmask"));
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges

TEST(ParseIpEntry, Ranges) {
  EXPECT_EQ(Parsed("192.0.2.10-192.0.2.20"), Describe(Entry(Family::kV4, 0xc000020au, 0xc0000214u, EntryForm::kRange)));
  EXPECT_EQ(Parsed("192.0.2.10-192.0.2.10"), Describe(Entry(Family::kV4, 0xc000020au, 0xc000020au, EntryForm::kRange)));
  EXPECT_EQ(Parsed("0.0.0.0-255.255.255.255"), Describe(Entry(Family::kV4, 0, 0xffffffffu, EntryForm::kRange)));
  EXPECT_EQ(Parsed("2001:db8::1-2001:db8::9"),
            Describe(Entry(Family::kV6, kDocNet | 1, kDocNet | 9, EntryForm::kRange)));
  EXPECT_EQ(Parsed("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            Describe(Entry(Family::kV6, 0, kV6Max, EntryForm::kRange)));
  // A range is never host-bits-normalized, whatever its alignment.
  EXPECT_EQ(Parsed("10.0.0.1-10.0.0.9"), Describe(Entry(Family::kV4, 0x0a000001u, 0x0a000009u, EntryForm::kRange)));
}

TEST(ParseIpEntry, RangeRules) {
  ExpectRejected({
      {"192.0.2.20-192.0.2.10", "range start is above range end"},
      {"2001:db8::9-2001:db8::1", "range start is above range end"},
      {"192.0.2.1-2001:db8::1", "different address families"},
      {"2001:db8::1-192.0.2.1", "different address families"},
      // Mapped text is IPv6, so pairing it with IPv4 is mixing families too.
      {"::ffff:192.0.2.1-192.0.2.9", "different address families"},
      {"192.0.2.0/24-192.0.2.255", "not prefixes"},
      {"192.0.2.0-192.0.2.255/32", "not prefixes"},
      {"2001:db8::/64-2001:db8::ffff", "not prefixes"},
      {"192.0.2.1-", "range end"},
      {"192.0.2.1-", "empty address"},
      {"-192.0.2.1", "range start"},
      {"192.0.2.1 - 192.0.2.9", "range start"},
      {"192.0.2.1-192.0.2.9-192.0.2.20", "range end"},
      {"010.0.0.1-10.0.0.9", "range start"},
      {"010.0.0.1-10.0.0.9", "leading zero"},
      {"10.0.0.1-10.0.0.09", "range end"},
      {"10.0.0.1-10.0.0.09", "leading zero"},
  });
}

}  // namespace
}  // namespace allowdrift::model
