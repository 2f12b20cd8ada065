// Allowlist entries (model/ip_entry.h) beyond the plain forms: the IPv4-mapped IPv6 policy, error messages safe
// for logs, describe_normalization, and the one-pass parse_plain_ip_entry.
#include "ip_entry_test_support.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "u128_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Describe;
using testing::Entry;
using testing::ErrorOf;
using testing::Groups;
using testing::Parsed;

using ::testing::AllOf;
using ::testing::HasSubstr;

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
