// Parsing and canonical formatting of single addresses (model/ip_address.h), including a differential check
// against glibc's inet_pton / inet_ntop.
#include "model/ip_address.h"
#include "u128_test_util.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Groups;
using testing::Hex;

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Quoted(std::string_view token) { return "'" + std::string(token) + "'"; }

// The message of a rejected parse; a marker that no reason matcher accepts when the parse succeeded.
template <class R>
std::string ErrorOf(const R& r) {
  if (r.has_value()) return "<accepted>";
  return r.error().message;
}

std::optional<std::uint32_t> Ok4(std::string_view text) {
  auto r = parse_ipv4(text);
  if (!r) return std::nullopt;
  return *r;
}

std::optional<std::string> Ok6(std::string_view text) {
  auto r = parse_ipv6(text);
  if (!r) return std::nullopt;
  return Hex(*r);
}

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

// ---------------------------------------------------------------------------------------------------------------
// Random round trips and the differential check against glibc

// Random addresses with structure: zero runs of every length, mapped and v4-compatible prefixes, edges.
U128 RandomV6(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> kind(0, 9);
  std::array<unsigned, 8> g{};
  for (auto& x : g) x = static_cast<unsigned>(rng() & 0xffff);
  switch (kind(rng)) {
    case 0:  // fully random
      break;
    case 1:  // IPv4-mapped
      g = {0, 0, 0, 0, 0, 0xffff, g[6], g[7]};
      break;
    case 2:  // v4-compatible, including ::0.0.0.x
      g = {0, 0, 0, 0, 0, 0, (rng() & 1) ? g[6] : 0, g[7]};
      break;
    case 3:  // small values next to the zero address or the top
      return (rng() & 1) ? U128{rng() & 0xff} : ~U128{rng() & 0xff};
    default:  // each group zero with probability 1/2, so runs of all lengths and ties appear
      for (auto& x : g)
        if (rng() & 1) x = 0;
      if (rng() % 4 == 0)
        for (auto& x : g)
          if (x != 0) x &= 0xf;  // short groups
      break;
  }
  return Groups(g);
}

std::array<unsigned char, 16> ToBytes(U128 v) {
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 16; i-- > 0;) {
    b[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
  return b;
}

U128 FromBytes(const unsigned char* b) {
  U128 v = 0;
  for (std::size_t i = 0; i < 16; ++i) v = (v << 8) | b[i];
  return v;
}

std::optional<U128> GlibcPton6(const std::string& text) {
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET6, text.c_str(), b.data()) != 1) return std::nullopt;
  return FromBytes(b.data());
}

std::optional<std::uint32_t> GlibcPton4(const std::string& text) {
  std::array<unsigned char, 4> b{};
  if (inet_pton(AF_INET, text.c_str(), b.data()) != 1) return std::nullopt;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

std::string GlibcNtop6(U128 v) {
  const auto b = ToBytes(v);
  std::array<char, INET6_ADDRSTRLEN> out{};
  EXPECT_NE(inet_ntop(AF_INET6, b.data(), out.data(), static_cast<socklen_t>(out.size())), nullptr);
  return out.data();
}

std::string GlibcNtop4(std::uint32_t v) {
  const std::array<unsigned char, 4> b = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                                          static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::array<char, INET_ADDRSTRLEN> out{};
  EXPECT_NE(inet_ntop(AF_INET, b.data(), out.data(), static_cast<socklen_t>(out.size())), nullptr);
  return out.data();
}

// glibc prints an address of ::/96 whose seventh group is non-zero as "::a.b.c.d" (the deprecated
// v4-compatible form, RFC 4291 2.5.5.1); RFC 5952 section 5 only recommends mixed notation where the prefix
// marks an embedded IPv4 address, and ours uses it for ::ffff:0:0/96 alone. This is the one place where the two
// formatters legitimately differ.
bool GlibcPrintsV4Compatible(U128 v) { return (v >> 32) == 0 && ((v >> 16) & 0xffff) != 0; }

TEST(FormatIpv6Differential, MatchesGlibcInetNtopExceptV4Compatible) {
  std::mt19937_64 rng(0x5eed'0001);
  int differing = 0;
  constexpr int kCases = 20000;
  for (int i = 0; i < kCases; ++i) {
    const U128 v = RandomV6(rng);
    const std::string ours = to_string_v6(v);
    const std::string glibc = GlibcNtop6(v);
    SCOPED_TRACE(Hex(v) + " ours=" + ours + " glibc=" + glibc);
    if (GlibcPrintsV4Compatible(v)) {
      ++differing;
      EXPECT_EQ(ours.find('.'), std::string::npos);
      EXPECT_NE(glibc.find('.'), std::string::npos);
      // Both texts still denote the same address, to either parser.
      EXPECT_EQ(Ok6(glibc), Hex(v));
      ASSERT_TRUE(GlibcPton6(ours).has_value());
      EXPECT_EQ(Hex(*GlibcPton6(ours)), Hex(v));
    } else {
      EXPECT_EQ(ours, glibc);
    }
    // Round trips through both parsers.
    EXPECT_EQ(Ok6(ours), Hex(v));
    const auto back = GlibcPton6(ours);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(Hex(*back), Hex(v));
  }
  // The generator must have reached the differing class, or the exception above is untested.
  EXPECT_GT(differing, 100);
}

TEST(FormatIpv4Differential, MatchesGlibcInetNtop) {
  std::mt19937_64 rng(0x5eed'0002);
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<std::uint32_t>(rng());
    // Bias some octets to 0 and to one or two digits.
    if (rng() % 2 == 0) v &= static_cast<std::uint32_t>(rng()) & 0x3f1f0f07u;
    const std::string ours = to_string(v);
    ASSERT_EQ(ours, GlibcNtop4(v));
    ASSERT_EQ(Ok4(ours), v);
  }
}

// Texts for the parse differential: valid addresses in every notation, then mutated.
std::string HexGroup(unsigned g, bool upper, int min_width) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), upper ? "%0*X" : "%0*x", min_width, g);
  return buf.data();
}

std::string V4Text(std::uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." + std::to_string((v >> 8) & 0xff) +
         "." + std::to_string(v & 0xff);
}

std::string RandomV6Text(std::mt19937_64& rng, U128 v) {
  std::array<unsigned, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<unsigned>((v >> (112 - 16 * i)) & 0xffff);
  const bool upper = rng() % 4 == 0;
  const bool mixed = rng() % 4 == 0;
  const std::size_t hex_groups = mixed ? 6 : 8;
  // Optionally compress one run of zero groups (of any length >= 1) among the hex groups.
  std::size_t cs = 8;
  std::size_t ce = 8;
  if (rng() % 3 != 0) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (std::size_t i = 0; i < hex_groups;) {
      if (g[i] != 0) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < hex_groups && g[j] == 0) ++j;
      runs.emplace_back(i, j);
      i = j;
    }
    if (!runs.empty()) {
      auto [s, e] = runs[rng() % runs.size()];
      // Sometimes only part of the run.
      if (e - s > 1 && rng() % 3 == 0) e = s + 1 + rng() % (e - s - 1);
      cs = s;
      ce = e;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < hex_groups; ++i) {
    if (i == cs) {
      out += "::";
      i = ce - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += HexGroup(g[i], upper, static_cast<int>(rng() % 4) + 1);
  }
  if (mixed) {
    if (!out.empty() && out.back() != ':') out += ':';
    out += V4Text(static_cast<std::uint32_t>(v));
  }
  return out;
}

std::string RandomV4Text(std::mt19937_64& rng) {
  std::string out;
  const int octets = rng() % 8 == 0 ? static_cast<int>(rng() % 6) + 1 : 4;
  for (int i = 0; i < octets; ++i) {
    if (i > 0) out += '.';
    switch (rng() % 8) {
      case 0:
        out += "0" + std::to_string(rng() % 256);  // leading zero
        break;
      case 1:
        out += std::to_string(rng() % 1200);  // may be over 255
        break;
      default:
        out += std::to_string(rng() % 256);
        break;
    }
  }
  return out;
}

void Mutate(std::mt19937_64& rng, std::string& s) {
  static constexpr std::string_view kAlphabet = "0123456789abcdefABCDEF:.:.:.xXg% /-";
  const int edits = static_cast<int>(rng() % 3) + 1;
  for (int e = 0; e < edits; ++e) {
    const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    const char c = kAlphabet[rng() % kAlphabet.size()];
    switch (rng() % 5) {
      case 0:
        s.insert(pos, 1, c);
        break;
      case 1:
        if (pos < s.size()) s.erase(pos, 1);
        break;
      case 2:
        if (pos < s.size()) s[pos] = c;
        break;
      case 3:
        s.insert(pos, "::");
        break;
      default:
        if (pos < s.size()) s.erase(pos, 1 + rng() % 4);
        break;
    }
  }
}

// Our parsers and glibc's inet_pton agree on every input, accepted or rejected: both implement strict dotted
// quads (glibc's inet_pton, unlike inet_aton, rejects leading zeros and shorthand) and RFC 4291 IPv6 text
// without zone ids. (glibc's inet_pton6 reads hex digits before the '.' of an embedded IPv4 part and hands the
// group to its inet_pton4, so the two also agree on where a dotted part may stand.)
TEST(ParseDifferential, AgreesWithGlibcInetPton) {
  std::mt19937_64 rng(0x5eed'0003);
  int accepted = 0;
  int rejected = 0;
  constexpr int kCases = 40000;
  for (int i = 0; i < kCases; ++i) {
    std::string text;
    switch (rng() % 3) {
      case 0:
        text = RandomV4Text(rng);
        break;
      default:
        text = RandomV6Text(rng, RandomV6(rng));
        break;
    }
    if (rng() % 2 == 0) Mutate(rng, text);
    SCOPED_TRACE("input: '" + text + "'");

    const bool v6 = text.find(':') != std::string::npos;
    auto ours = parse_ip_address(text);
    if (v6) {
      const auto glibc = GlibcPton6(text);
      ASSERT_EQ(ours.has_value(), glibc.has_value()) << ErrorOf(ours);
      if (glibc) {
        EXPECT_EQ(ours->family, Family::kV6);
        EXPECT_EQ(Hex(ours->value), Hex(*glibc));
      }
      // The v4 parser never takes text with ':'.
      EXPECT_FALSE(GlibcPton4(text).has_value());
    } else {
      const auto glibc = GlibcPton4(text);
      ASSERT_EQ(ours.has_value(), glibc.has_value()) << ErrorOf(ours);
      if (glibc) {
        EXPECT_EQ(ours->family, Family::kV4);
        EXPECT_EQ(Hex(ours->value), Hex(*glibc));
      }
    }
    if (ours) {
      ++accepted;
      // The canonical text of what was read reads back to the same address.
      auto again = parse_ip_address(to_string(*ours));
      ASSERT_TRUE(again.has_value()) << to_string(*ours);
      EXPECT_EQ(*again, *ours);
    } else {
      ++rejected;
      // Every rejection names the token.
      EXPECT_THAT(ours.error().message, HasSubstr(quote_token(text)));
    }
  }
  // Both outcomes must be well represented for the agreement to mean something.
  EXPECT_GT(accepted, kCases / 5);
  EXPECT_GT(rejected, kCases / 5);
}

TEST(RoundTrip, CanonicalTextIsAFixedPoint) {
  std::mt19937_64 rng(0x5eed'0004);
  for (int i = 0; i < 20000; ++i) {
    const U128 v = RandomV6(rng);
    const std::string text = to_string_v6(v);
    ASSERT_LE(text.size(), kMaxIpv6Text);
    auto back = parse_ipv6(text);
    ASSERT_TRUE(back.has_value()) << text << ": " << ErrorOf(back);
    ASSERT_EQ(Hex(*back), Hex(v)) << text;
    ASSERT_EQ(to_string_v6(*back), text);
    // Any other notation of the same address formats to the same canonical text.
    const std::string other = RandomV6Text(rng, v);
    auto from_other = parse_ipv6(other);
    ASSERT_TRUE(from_other.has_value()) << other << ": " << ErrorOf(from_other);
    ASSERT_EQ(to_string_v6(*from_other), text) << other;
  }
}

}  // namespace
}  // namespace allowdrift::model
