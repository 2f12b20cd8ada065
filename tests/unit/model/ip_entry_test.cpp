// Parsing of allowlist entries (model/ip_entry.h): addresses, prefixes, netmasks, ranges, and the IPv4-mapped
// IPv6 policy.
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "u128_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Groups;
using testing::Hex;

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string_view FormName(EntryForm f) {
  switch (f) {
    case EntryForm::kAddress:
      return "address";
    case EntryForm::kPrefix:
      return "prefix";
    case EntryForm::kNetmask:
      return "netmask";
    case EntryForm::kRange:
      return "range";
  }
  return "?";
}

// A readable rendering of every field, so that a mismatch shows which one differs.
std::string Describe(const IpEntry& e) {
  return std::string(family_name(e.family)) + " " + Hex(e.first) + "-" + Hex(e.last) + " " +
         std::string(FormName(e.form)) + (e.host_bits_cleared ? " host_bits_cleared" : "") +
         (e.v4_mapped ? " v4_mapped" : "");
}

IpEntry Entry(Family family, U128 first, U128 last, EntryForm form, bool host_bits_cleared = false,
              bool v4_mapped = false) {
  IpEntry e;
  e.family = family;
  e.first = first;
  e.last = last;
  e.form = form;
  e.host_bits_cleared = host_bits_cleared;
  e.v4_mapped = v4_mapped;
  return e;
}

// The parsed entry rendered for comparison, or the error message.
std::string Parsed(std::string_view token) {
  auto r = parse_ip_entry(token);
  if (!r) return "error: " + r.error().message;
  return Describe(*r);
}

std::string ErrorOf(std::string_view token) {
  auto r = parse_ip_entry(token);
  if (r) return "<accepted: " + Describe(*r) + ">";
  return r.error().message;
}

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

// ---------------------------------------------------------------------------------------------------------------
// IPv4-mapped IPv6 policy

TEST(ParseIpEntry, MappedEntriesStayIpv6AndAreFlagged) {
  const U128 mapped_net = Groups({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0200});  // ::ffff:192.0.2.0
  EXPECT_EQ(Parsed("::ffff:192.0.2.0/120"),
            Describe(Entry(Family::kV6, mapped_net, mapped_net | 0xff, EntryForm::kPrefix, false, /*v4_mapped=*/true)));
  EXPECT_EQ(Parsed("::ffff:192.0.2.1"), Describe(Entry(Family::kV6, mapped_net | 1, mapped_net | 1, EntryForm::kAddress,
                                                       false, /*v4_mapped=*/true)));
  EXPECT_EQ(Parsed("::ffff:c000:201"), Parsed("::ffff:192.0.2.1"));
  EXPECT_EQ(Parsed("::ffff:0:0/96"), Describe(Entry(Family::kV6, U128{0xffff} << 32, (U128{0xffff} << 32) | 0xffffffffu,
                                                    EntryForm::kPrefix, false, /*v4_mapped=*/true)));
  EXPECT_EQ(Parsed("::ffff:192.0.2.1-::ffff:192.0.2.9"),
            Describe(Entry(Family::kV6, mapped_net | 1, mapped_net | 9, EntryForm::kRange, false, true)));
  EXPECT_EQ(Parsed("::ffff:192.0.2.1/120"),
            Describe(Entry(Family::kV6, mapped_net, mapped_net | 0xff, EntryForm::kPrefix, true, true)));
}

TEST(ParseIpEntry, MappedFlagOnlyWhenEntirelyInsideTheMappedPrefix) {
  auto flag = [](std::string_view token) {
    auto r = parse_ip_entry(token);
    EXPECT_TRUE(r.has_value()) << token;
    return r && r->v4_mapped;
  };
  EXPECT_TRUE(flag("::ffff:0.0.0.0"));
  EXPECT_TRUE(flag("::ffff:255.255.255.255"));
  EXPECT_FALSE(flag("::ffff:0:0/95"));  // reaches into ::fffe:0:0
  EXPECT_FALSE(flag("::/0"));
  EXPECT_FALSE(flag("::fffe:ffff:ffff-::ffff:0:1"));       // starts below
  EXPECT_FALSE(flag("::ffff:255.255.255.255-::1:0:0:0"));  // ends above
  EXPECT_FALSE(flag("::192.0.2.1"));                       // v4-compatible is not mapped
  EXPECT_FALSE(flag("::1:ffff:c000:201"));
  EXPECT_FALSE(flag("64:ff9b::192.0.2.1"));
  EXPECT_FALSE(flag("192.0.2.1"));
  EXPECT_FALSE(flag("192.0.2.0/24"));
}

TEST(ParseIpEntry, MappedPrefixIsNotTheIpv4Prefix) {
  auto mapped = parse_ip_entry("::ffff:192.0.2.0/120");
  auto v4 = parse_ip_entry("192.0.2.0/24");
  ASSERT_TRUE(mapped.has_value());
  ASSERT_TRUE(v4.has_value());
  EXPECT_NE(*mapped, *v4);
  EXPECT_EQ(mapped->family, Family::kV6);
  EXPECT_EQ(v4->family, Family::kV4);

  // Nor does a set of one allow what the other allows.
  IpSetBuilder b4;
  b4.add(*v4);
  const IpSet only_v4 = std::move(b4).build();
  IpSetBuilder b6;
  b6.add(*mapped);
  const IpSet only_mapped = std::move(b6).build();
  EXPECT_FALSE(only_v4.covers(*mapped));
  EXPECT_FALSE(only_v4.intersects(*mapped));
  EXPECT_FALSE(only_mapped.covers(*v4));
  EXPECT_FALSE(only_mapped.intersects(*v4));
  EXPECT_NE(only_v4, only_mapped);
  EXPECT_FALSE(only_v4.covers(only_mapped));
  EXPECT_FALSE(only_mapped.covers(only_v4));
  EXPECT_TRUE(only_v4.intersect(only_mapped).empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Error messages go to logs

::testing::AssertionResult SafeForLogs(const std::string& message) {
  for (char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e)
      return ::testing::AssertionFailure() << "raw byte " << static_cast<unsigned>(u) << " in " << quote_token(message);
  }
  // The entry token and at most one inner address token, each quoted to 64 characters (4 bytes per escape).
  if (message.size() > 800) return ::testing::AssertionFailure() << "message of " << message.size() << " bytes";
  return ::testing::AssertionSuccess();
}

TEST(ParseIpEntry, ErrorMessagesArePrintableAndBounded) {
  const std::vector<std::string> tokens = {
      "10.0.0.0/" + std::string(5000, '1'),
      "1.2.3.4-" + std::string(5000, '1') + ".0.0.0",
      std::string(5000, '1') + ".0.0.0-1.2.3.4",
      "10.0.0.0/255.255." + std::string(5000, '2') + ".0",
      "0" + std::string(5000, '7') + ".0.0.0/8",
      "2001:db8::\x1b[2J/64",
      "::1-::\r\nX-Injected",
  };
  for (const auto& t : tokens) {
    // (An invalid address under a prefix is reported with the address part quoted, so match no more than that.)
    const std::string message = ErrorOf(t);
    std::string quoted_head = quote_token(t.substr(0, 6));
    quoted_head.pop_back();  // the closing quote
    EXPECT_THAT(message, HasSubstr(quoted_head));
    EXPECT_TRUE(SafeForLogs(message)) << quote_token(t);
  }

  std::mt19937_64 rng(0x5eed'0101);
  static constexpr std::string_view kSyntax = "0123456789abcdefABCDEF:.:.:.:%/-/-";
  for (int i = 0; i < 10000; ++i) {
    std::string t(static_cast<std::size_t>(rng() % 32), '\0');
    for (auto& c : t) c = rng() % 3 == 0 ? static_cast<char>(rng() & 0xff) : kSyntax[rng() % kSyntax.size()];
    auto r = parse_ip_entry(t);
    if (r) continue;
    ASSERT_TRUE(SafeForLogs(r.error().message)) << "input " << quote_token(t);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// describe_normalization

std::string Described(std::string_view token) {
  auto r = parse_ip_entry(token);
  EXPECT_TRUE(r.has_value()) << token;
  if (!r) return "<rejected>";
  return describe_normalization(*r, token);
}

TEST(DescribeNormalization, NothingToSayForCleanEntries) {
  EXPECT_EQ(Described("192.0.2.0/24"), "");
  EXPECT_EQ(Described("192.0.2.7"), "");
  EXPECT_EQ(Described("192.0.2.1-192.0.2.9"), "");
  EXPECT_EQ(Described("2001:db8::/32"), "");
  EXPECT_EQ(Described("10.0.0.0/255.0.0.0"), "");
}

TEST(DescribeNormalization, HostBits) {
  EXPECT_EQ(Described("192.0.2.1/24"), "'192.0.2.1/24' has host bits set; read as 192.0.2.0/24");
  EXPECT_EQ(Described("2001:db8::1/32"), "'2001:db8::1/32' has host bits set; read as 2001:db8::/32");
  EXPECT_EQ(Described("10.1.2.3/255.0.0.0"), "'10.1.2.3/255.0.0.0' has host bits set; read as 10.0.0.0/255.0.0.0");
  EXPECT_EQ(Described("1.2.3.4/8"), "'1.2.3.4/8' has host bits set; read as 1.0.0.0/8");
}

TEST(DescribeNormalization, MappedAndBoth) {
  EXPECT_EQ(Described("::ffff:192.0.2.0/120"),
            "'::ffff:192.0.2.0/120' is IPv4-mapped IPv6; kept as IPv6, where it does not match native IPv4 traffic");
  EXPECT_EQ(Described("::ffff:192.0.2.1/120"),
            "'::ffff:192.0.2.1/120' has host bits set; read as ::ffff:192.0.2.0/120; '::ffff:192.0.2.1/120' is "
            "IPv4-mapped IPv6; kept as IPv6, where it does not match native IPv4 traffic");
  EXPECT_THAT(Described("::ffff:192.0.2.1"), AllOf(HasSubstr("IPv4-mapped"), HasSubstr("kept as IPv6")));
}

// ---------------------------------------------------------------------------------------------------------------
// The one-pass reading of the common forms

// What parse_plain_ip_entry returns, rendered, or "-" for nothing.
std::string Plain(std::string_view token) {
  const auto e = parse_plain_ip_entry(token);
  return e ? Describe(*e) : "-";
}

TEST(ParsePlainIpEntry, CommonFormsAsTheGeneralParserReadsThem) {
  for (const char* token : {"4.145.74.52/30",
                            "0.0.0.0/0",
                            "255.255.255.255",
                            "192.0.2.1/24",
                            "10.0.0.0/8",
                            "1.178.86.0/24",
                            "2603:1000:4::/56",
                            "2001:DB8::1",
                            "2001:db8::/32",
                            "::",
                            "::1",
                            "1::",
                            "1::2",
                            "1:2:3:4:5:6:7:8",
                            "1:2:3:4:5:6:7::",
                            "::2:3:4:5:6:7:8",
                            "fe80::/10",
                            "::/0",
                            "2001:db8::1/128",
                            "2001:db8::1/64",
                            "::ffff:c000:201/128"}) {
    EXPECT_EQ(Plain(token), Parsed(token)) << token;
  }
}

TEST(ParsePlainIpEntry, EverythingElseIsLeftToTheGeneralParser) {
  // Other forms, and every error: parse_ip_entry accepts or says why.
  for (const char* token : {"",
                            "1.2.3",
                            "1.2.3.4.5",
                            "01.2.3.4",
                            "1.2.3.4/08",
                            "1.2.3.4/33",
                            "1.2.3.4/",
                            "1.2.3.4x",
                            "256.1.1.1",
                            "1.2.3.4/255.255.255.0",
                            "1.2.3.4-1.2.3.5",
                            "1.2.3.4/+8",
                            "10.0.0.1/7",
                            "::ffff:1.2.3.4",
                            "1:2:3:4:5:6:7:8:9",
                            "1:2:3:4:5:6:7:8::",
                            "1::2::3",
                            ":::",
                            "1:::2",
                            ":1",
                            "1:",
                            "1:2",
                            "12345::",
                            "2001:db8::/129",
                            "2001:db8::1%eth0",
                            "2001:db8::1/15",
                            "::ffff:2:0:0b0:",
                            "1::2:",
                            "a.example"}) {
    EXPECT_EQ(Plain(token), "-") << token << " -> " << Parsed(token);
  }
}

}  // namespace
}  // namespace allowdrift::model
