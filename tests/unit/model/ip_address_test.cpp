// Parsing of single addresses (model/ip_address.h): IPv4, IPv6, the family dispatch, and error messages safe for
// logs. Formatting is in ip_address_format_test.cpp, the checks against glibc in ip_address_differential_test.cpp.
#include "model/ip_address.h"
#include "ip_address_test_support.h"
#include "u128_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::ErrorOf;
using testing::Groups;
using testing::Hex;
using testing::Ok4;
using testing::Ok6;

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Quoted(std::string_view token) { return "'" + std::string(token) + "'"; }

// ---------------------------------------------------------------------------------------------------------------
// IPv4 parsing

TEST(ParseIpv4, AcceptsDottedQuads) {
  EXPECT_EQ(Ok4("0.0.0.0"), 0x00000000u);
  EXPECT_EQ(Ok4("255.255.255.255"), 0xffffffffu);
  EXPECT_EQ(Ok4("192.0.2.1"), 0xc0000201u);
  EXPECT_EQ(Ok4("10.0.0.1"), 0x0a000001u);
  EXPECT_EQ(Ok4("1.2.3.4"), 0x01020304u);
  EXPECT_EQ(Ok4("0.10.100.255"), 0x000a64ffu);
  EXPECT_EQ(Ok4("127.0.0.1"), 0x7f000001u);
  EXPECT_EQ(Ok4("100.64.0.0"), 0x64400000u);
  EXPECT_EQ(Ok4("99.9.199.249"), 0x6309c7f9u);
}

struct RejectCase {
  std::string_view text;
  std::string_view reason;  // a substring the message must contain besides the quoted token
};

TEST(ParseIpv4, RejectsWithTokenAndReason) {
  const std::vector<RejectCase> cases = {
      {"942.180.233.122", "octet 942 is over 255"},
      {"256.0.0.1", "octet 256 is over 255"},
      {"1.2.3.256", "octet 256 is over 255"},
      {"1.2.300.4", "octet 300 is over 255"},
      {"1.2.3.1000", "'1000' is over 255"},
      // Seven octets: rejected at the first impossible octet.
      {"176.221.42.3254.174.140.223", "'3254' is over 255"},
      {"1.2.3.4.5", "exactly 4 octets"},
      {"1.2.3.4.", "exactly 4 octets"},
      {"010.0.0.1", "leading zero"},
      {"010.0.0.1", "'010'"},
      {"1.2.3.00", "leading zero"},
      {"1.02.3.4", "leading zero"},
      {"0377.0.0.1", "leading zero"},
      {"127.1", "shorthand"},
      {"127.1", "found 2"},
      {"127.0.1", "found 3"},
      {"2130706433", "shorthand"},
      {"0x7f.0.0.1", "hexadecimal"},
      {"1.2.3.0x1", "hexadecimal"},
      {"0X7F.0.0.1", "hexadecimal"},
      {"1.2.3.4 ", "unexpected character"},
      {" 1.2.3.4", "unexpected character"},
      {"1.2.3.-4", "unexpected character"},
      {"+1.2.3.4", "unexpected character"},
      {"1.2.3.4/24", "unexpected character"},
      {"1.2.3.a", "unexpected character"},
      {"10.0.0.1x", "unexpected character 'x'"},  // trailing garbage, not a hex octet
      {"255.255.255.0x", "unexpected character 'x'"},
      {"1..2.3", "empty octet"},
      {".1.2.3", "empty octet"},
      {"1.2.3.", "empty octet"},
      {"...", "empty octet"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(ErrorOf(parse_ipv4(c.text)), AllOf(HasSubstr(Quoted(c.text)), HasSubstr(c.reason)));
  }
}

TEST(ParseIpv4, RejectsEmpty) {
  EXPECT_THAT(ErrorOf(parse_ipv4("")), AllOf(HasSubstr("''"), HasSubstr("empty address")));
}

TEST(ParseIpv4, ControlAndNonAsciiBytesAreEscapedInTheMessage) {
  EXPECT_THAT(ErrorOf(parse_ipv4("1.2.3.4\n")), AllOf(HasSubstr("'1.2.3.4\\x0a'"), HasSubstr("unexpected character")));
  EXPECT_THAT(ErrorOf(parse_ipv4("1.2.3.4\t")), HasSubstr("'1.2.3.4\\x09'"));
  // A string_view with an embedded NUL: the NUL is part of the token and is rejected, not a terminator.
  EXPECT_THAT(ErrorOf(parse_ipv4(std::string_view("1.2.3.4\0", 8))), HasSubstr("'1.2.3.4\\x00'"));
  // Fullwidth digit one (U+FF11) in UTF-8.
  EXPECT_THAT(ErrorOf(parse_ipv4("\xef\xbc\x91.2.3.4")),
              AllOf(HasSubstr("'\\xef\\xbc\\x91.2.3.4'"), HasSubstr("unexpected character")));
}

// ---------------------------------------------------------------------------------------------------------------
// IPv6 parsing

TEST(ParseIpv6, AcceptsRfc4291TextForms) {
  EXPECT_EQ(Ok6("::"), Hex(0));
  EXPECT_EQ(Ok6("::1"), Hex(1));
  EXPECT_EQ(Ok6("1::"), Hex(Groups({1, 0, 0, 0, 0, 0, 0, 0})));
  EXPECT_EQ(Ok6("1::8"), Hex(Groups({1, 0, 0, 0, 0, 0, 0, 8})));
  EXPECT_EQ(Ok6("2001:db8::1"), Hex(Groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})));
  EXPECT_EQ(Ok6("1:2:3:4:5:6:7:8"), Hex(Groups({1, 2, 3, 4, 5, 6, 7, 8})));
  EXPECT_EQ(Ok6("0:0:0:0:0:0:0:0"), Hex(0));
  EXPECT_EQ(Ok6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), Hex(~U128{0}));
  EXPECT_EQ(Ok6("fe80::1:2"), Hex(Groups({0xfe80, 0, 0, 0, 0, 0, 1, 2})));
  EXPECT_EQ(Ok6("2001:db8:0:1:1:1:1:1"), Hex(Groups({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1})));
  // RFC 4291 lets "::" stand for a single zero group (RFC 5952 only forbids producing it).
  EXPECT_EQ(Ok6("1:2:3:4:5:6:7::"), Hex(Groups({1, 2, 3, 4, 5, 6, 7, 0})));
  EXPECT_EQ(Ok6("::2:3:4:5:6:7:8"), Hex(Groups({0, 2, 3, 4, 5, 6, 7, 8})));
  EXPECT_EQ(Ok6("1:2:3::5:6:7:8"), Hex(Groups({1, 2, 3, 0, 5, 6, 7, 8})));
}

TEST(ParseIpv6, AcceptsUpperCaseAndLeadingZerosWithinFourDigits) {
  const std::string expected = Hex(Groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(Ok6("2001:DB8::1"), expected);
  EXPECT_EQ(Ok6("2001:0DB8::0001"), expected);
  EXPECT_EQ(Ok6("2001:0db8:0000::1"), expected);
  EXPECT_EQ(Ok6("2001:0db8:0000:0000:0000:0000:0000:0001"), expected);
  EXPECT_EQ(Ok6("2001:Db8:0:0::0:1"), expected);
  EXPECT_EQ(Ok6("ABCD:EF01:2345:6789:abcd:ef01:2345:6789"),
            Hex(Groups({0xabcd, 0xef01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789})));
}

TEST(ParseIpv6, AcceptsTrailingDottedIpv4) {
  EXPECT_EQ(Ok6("::192.0.2.1"), Hex(0xc0000201u));
  EXPECT_EQ(Ok6("::ffff:192.0.2.1"), Hex(Groups({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201})));
  EXPECT_EQ(Ok6("::FFFF:192.0.2.1"), Hex(Groups({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201})));
  EXPECT_EQ(Ok6("::ffff:0.0.0.0"), Hex(Groups({0, 0, 0, 0, 0, 0xffff, 0, 0})));
  EXPECT_EQ(Ok6("::ffff:255.255.255.255"), Hex(Groups({0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff})));
  EXPECT_EQ(Ok6("64:ff9b::192.0.2.33"), Hex(Groups({0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221})));
  EXPECT_EQ(Ok6("1:2:3:4:5:6:192.0.2.1"), Hex(Groups({1, 2, 3, 4, 5, 6, 0xc000, 0x0201})));
  EXPECT_EQ(Ok6("1:2:3:4:5::192.0.2.1"), Hex(Groups({1, 2, 3, 4, 5, 0, 0xc000, 0x0201})));
  EXPECT_EQ(Ok6("0:0:0:0:0:ffff:10.1.2.3"), Hex(Groups({0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203})));
}

TEST(ParseIpv6, RejectsWithTokenAndReason) {
  const std::vector<RejectCase> cases = {
      {"2001:db8::1%eth0", "zone id"},
      {"fe80::1%1", "zone id"},
      {"fe80::1%", "zone id"},
      {"1:2:3:4:5:6:7:8:9", "too many groups"},
      {"1:2:3:4:5:6:7:1.2.3.4", "too many groups"},
      {"1:2:3:4:5:6:7", "needs 8 groups, found 7"},
      {"1:2:3:4:5:1.2.3.4", "needs 8 groups, found 7"},
      {"2001:db80a::1", "more than 4 hex digits"},
      {"2001:db80a::1", "'db80a'"},
      {"12345::", "more than 4 hex digits"},
      {"::00000", "more than 4 hex digits"},
      {":::", "':::'"},
      {"1:::2", "':::'"},
      {"::::", "more than one '::'"},
      {"1::2::3", "more than one '::'"},
      {"::1::", "more than one '::'"},
      {"1:2:3:4:5:6:7:8::", "'::' must stand for at least one group"},
      {"::1:2:3:4:5:6:7:8", "'::' must stand for at least one group"},
      {"1:2:3:4::5:6:7:8", "'::' must stand for at least one group"},
      {"1:2:3:4:5:6::1.2.3.4", "'::' must stand for at least one group"},
      {":1:2:3:4:5:6:7:8", "empty group"},
      {"1:2:3:4:5:6:7:8:", "empty group"},
      {"1:2:3:4:5:6:7:", "empty group"},
      {":", "single ':'"},
      {"example.com:443", "single ':'"},
      {"::1:", "empty group"},
      {":1::", "empty group"},
      {"2001:db8::g", "unexpected character"},
      {"2001:db8::1 ", "unexpected character"},
      {" ::1", "unexpected character"},
      {"2001:db8::/64", "unexpected character"},
      {"0x1::", "unexpected character"},
      {"::1.2.3.04", "embedded IPv4 part is invalid"},
      {"::1.2.3.04", "leading zero"},
      {"::ffff:1.2.3", "shorthand"},
      {"::256.0.0.1", "over 255"},
      {"::1.2.3.4.5", "exactly 4 octets"},
      {"::1.2.3.", "empty octet"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(ErrorOf(parse_ipv6(c.text)), AllOf(HasSubstr(Quoted(c.text)), HasSubstr(c.reason)));
  }
}

// A group holding a character that is not a hex digit is rejected for that character, whatever its length:
// "[2001" has four hex digits, not "more than 4", and a dotted IPv4 part anywhere but at the end is not a long
// hex group. Either "unexpected character" or a reason naming the misplaced IPv4 part is a true description.
TEST(ParseIpv6, NonHexGroupsAreRejectedForTheCharacterNotTheLength) {
  const std::vector<std::string_view> cases = {
      "[2001:db8::1]",        // '[' plus four hex digits
      "2001:db8::10/64",      // a prefix where an address is expected
      "::192.0.2.1:1",        // embedded IPv4 in the middle
      "1::1.2.3.4:5:6",       // embedded IPv4 in the middle
      "1.2.3.4::",            // embedded IPv4 at the start
      "1.2.3.4:1:2:3:4:5:6",  // embedded IPv4 at the start
      "::ffff:192.0.2.1:80",  // followed by a port
      "::1.2:3",              // a dotted group too short to be long
  };
  for (const auto text : cases) {
    SCOPED_TRACE(text);
    EXPECT_THAT(ErrorOf(parse_ipv6(text)),
                AllOf(HasSubstr(Quoted(text)), AnyOf(HasSubstr("unexpected character"), HasSubstr("IPv4")),
                      Not(HasSubstr("hex digits"))));
  }
}

TEST(ParseIpv6, RejectsEmpty) {
  EXPECT_THAT(ErrorOf(parse_ipv6("")), AllOf(HasSubstr("''"), HasSubstr("empty address")));
}

TEST(ParseIpv6, RejectsPlainIpv4Text) {
  // Called directly, parse_ipv6 reads "1.2.3.4" as two groups of a too-short address.
  EXPECT_THAT(ErrorOf(parse_ipv6("1.2.3.4")), AllOf(HasSubstr("'1.2.3.4'"), HasSubstr("needs 8 groups, found 2")));
}

// ---------------------------------------------------------------------------------------------------------------
// parse_ip_address: family dispatch

TEST(ParseIpAddress, DispatchesOnColon) {
  auto v4 = parse_ip_address("192.0.2.1");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->family, Family::kV4);
  EXPECT_EQ(Hex(v4->value), Hex(0xc0000201u));

  auto v6 = parse_ip_address("2001:db8::1");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->family, Family::kV6);
  EXPECT_EQ(Hex(v6->value), Hex(Groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})));

  // IPv4-mapped text stays IPv6 (see the policy in ip_entry.h).
  auto mapped = parse_ip_address("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped->family, Family::kV6);
  EXPECT_EQ(Hex(mapped->value), Hex((U128{0xffff} << 32) | 0xc0000201u));
  EXPECT_NE(*mapped, *v4);

  auto any6 = parse_ip_address("::");
  ASSERT_TRUE(any6.has_value());
  EXPECT_EQ(any6->family, Family::kV6);
  EXPECT_EQ(Hex(any6->value), Hex(0));
}

TEST(ParseIpAddress, PassesErrorsThrough) {
  EXPECT_THAT(ErrorOf(parse_ip_address("")), HasSubstr("empty address"));
  EXPECT_THAT(ErrorOf(parse_ip_address("010.0.0.1")), AllOf(HasSubstr("'010.0.0.1'"), HasSubstr("leading zero")));
  EXPECT_THAT(ErrorOf(parse_ip_address("2001:db8::1%eth0")),
              AllOf(HasSubstr("'2001:db8::1%eth0'"), HasSubstr("zone id")));
  // host:port is not an address.
  EXPECT_THAT(ErrorOf(parse_ip_address("192.0.2.1:80")), HasSubstr("'192.0.2.1:80'"));
  EXPECT_THAT(ErrorOf(parse_ip_address("example.com")),
              AllOf(HasSubstr("'example.com'"), Not(HasSubstr("<accepted>"))));
}

// ---------------------------------------------------------------------------------------------------------------
// quote_token

TEST(QuoteToken, QuotesEscapesAndTruncates) {
  EXPECT_EQ(quote_token("abc"), "'abc'");
  EXPECT_EQ(quote_token(""), "''");
  EXPECT_EQ(quote_token("a'b"), "'a\\x27b'");
  EXPECT_EQ(quote_token("a\\b"), "'a\\x5cb'");
  EXPECT_EQ(quote_token("a\x7f"), "'a\\x7f'");
  EXPECT_EQ(quote_token("\x1b[31m"), "'\\x1b[31m'");
  EXPECT_EQ(quote_token(std::string(64, 'a')), "'" + std::string(64, 'a') + "'");
  EXPECT_EQ(quote_token(std::string(65, 'a')), "'" + std::string(64, 'a') + "...'");
  EXPECT_EQ(quote_token(std::string(1000, 'b')), "'" + std::string(64, 'b') + "...'");
}

// Messages go to logs: whatever a hostile list holds, a message is printable ASCII of bounded length (the token
// goes through quote_token, and no part of it is echoed around that).
::testing::AssertionResult SafeForLogs(const std::string& message) {
  for (char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e)
      return ::testing::AssertionFailure() << "raw byte " << static_cast<unsigned>(u) << " in " << quote_token(message);
  }
  if (message.size() > 400) return ::testing::AssertionFailure() << "message of " << message.size() << " bytes";
  return ::testing::AssertionSuccess();
}

TEST(ErrorMessages, LongRejectedTokenIsTruncated) {
  const std::string token = std::string(100, '1') + ".0.0.0";
  const std::string message = ErrorOf(parse_ipv4(token));
  EXPECT_THAT(message, HasSubstr("'" + std::string(64, '1') + "...'"));
  EXPECT_THAT(message, Not(HasSubstr(std::string(65, '1'))));
  EXPECT_THAT(ErrorOf(parse_ipv4("0" + std::string(5000, '1') + ".0.0.0")), Not(HasSubstr(std::string(65, '1'))));
  EXPECT_TRUE(SafeForLogs(ErrorOf(parse_ipv4(std::string(100000, '9') + ".0.0.0"))));
}

TEST(ErrorMessages, ControlBytesInAGroupAreNotEchoedRaw) {
  // Groups longer than four characters holding terminal escapes and line breaks.
  for (const std::string_view text :
       {"::\x1b[31m", "2001:db8::\r\nX-Injected: 1", "::\n\n\n\n\n", "::\xff\xfe\xfd\xfc\xfb"}) {
    SCOPED_TRACE(quote_token(text));
    const std::string message = ErrorOf(parse_ipv6(text));
    EXPECT_THAT(message, HasSubstr(quote_token(text)));
    EXPECT_TRUE(SafeForLogs(message));
  }
}

TEST(ErrorMessages, RandomBytesGiveSafeMessages) {
  std::mt19937_64 rng(0x5eed'0005);
  static constexpr std::string_view kSyntax = "0123456789abcdefABCDEF:.:.:.:%/-";
  for (int i = 0; i < 20000; ++i) {
    std::string text(static_cast<std::size_t>(rng() % 24), '\0');
    for (auto& c : text) {
      c = rng() % 3 == 0 ? static_cast<char>(rng() & 0xff) : kSyntax[rng() % kSyntax.size()];
    }
    for (const auto& message :
         {ErrorOf(parse_ipv4(text)), ErrorOf(parse_ipv6(text)), ErrorOf(parse_ip_address(text))}) {
      if (message == "<accepted>") continue;
      ASSERT_TRUE(SafeForLogs(message)) << "input " << quote_token(text);
    }
  }
}

}  // namespace
}  // namespace allowdrift::model
