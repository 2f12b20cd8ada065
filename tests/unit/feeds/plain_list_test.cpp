#include "feeds/plain_list.h"
#include "test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace allowdrift::feeds {
namespace {

std::string read_file(const std::string& relative) { return allowdrift::testing::read_test_data(relative); }

std::vector<std::string> cidrs(const PlainList& l) { return l.ips.to_cidr_strings(); }

TEST(PlainList, ReadsEveryEntryForm) {
  const auto list = parse_plain_list(
      "# comment\n"
      "192.0.2.0/24\n"
      "  198.51.100.7  \n"
      "203.0.113.0/255.255.255.128 ; netmask\n"
      "203.0.113.200-203.0.113.201\n"
      "2001:db8::/32\n"
      "mail.example.com\n"
      "*.example.net # wildcard\n"
      "\n");
  ASSERT_TRUE(list.ok()) << list.errors.front().message;
  EXPECT_EQ(list.ip_entries, 5U);
  EXPECT_EQ(list.domain_entries, 2U);
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{"192.0.2.0/24", "198.51.100.7/32", "203.0.113.0/25",
                                                   "203.0.113.200/31", "2001:db8::/32"}));
  EXPECT_TRUE(list.domains.covers({"mail.example.com", false}));
  EXPECT_TRUE(list.domains.covers({"a.example.net", false}));
}

TEST(PlainList, AcceptsBomCrlfAndMissingFinalNewline) {
  const auto list = parse_plain_list(
      "\xEF\xBB\xBF"
      "192.0.2.0/24\r\n192.0.2.0/24\r\n10.0.0.0/8");
  ASSERT_TRUE(list.ok()) << list.errors.front().message;
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{"10.0.0.0/8", "192.0.2.0/24"}));
}

TEST(PlainList, ReportsEveryBadLineWithItsNumber) {
  const auto list = parse_plain_list("192.0.2.0/24\n010.0.0.1\nok.example.com\n1.2.3.4/33\n192.0.2.1 192.0.2.2\n");
  EXPECT_FALSE(list.ok());
  ASSERT_EQ(list.errors.size(), 3U);
  EXPECT_EQ(list.errors[0].line, 2U);
  EXPECT_NE(list.errors[0].message.find("'010.0.0.1'"), std::string::npos);
  EXPECT_EQ(list.errors[1].line, 4U);
  EXPECT_NE(list.errors[1].message.find("over 32"), std::string::npos);
  EXPECT_EQ(list.errors[2].line, 5U);
  EXPECT_NE(list.errors[2].message.find("one entry per line"), std::string::npos);
}

TEST(PlainList, WarnsOnNormalizedEntries) {
  const auto list = parse_plain_list("192.0.2.1/24\n::ffff:192.0.2.0/120\n");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.warnings.size(), 2U);
  EXPECT_EQ(list.warnings[0].line, 1U);
  EXPECT_NE(list.warnings[0].message.find("read as 192.0.2.0/24"), std::string::npos);
  EXPECT_EQ(list.warnings[1].line, 2U);
  EXPECT_NE(list.warnings[1].message.find("IPv4-mapped"), std::string::npos);
  // The mapped entry stays IPv6.
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{"192.0.2.0/24", "::ffff:192.0.2.0/120"}));
}

TEST(PlainList, CapsKeptDiagnosticsButCountsAll) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "999.0.0.1\n";
  PlainListOptions options;
  options.max_diagnostics = 5;
  const auto list = parse_plain_list(text, options);
  EXPECT_EQ(list.error_count, 100U);
  EXPECT_EQ(list.errors.size(), 5U);
  EXPECT_EQ(list.errors.back().line, 5U);
}

TEST(PlainList, RejectsOverlongLineWithoutKeepingIt) {
  PlainListOptions options;
  options.max_line_length = 16;
  PlainListParser parser(options);
  parser.feed("10.0.0.0/8\n");
  for (int i = 0; i < 1000; ++i) parser.feed(std::string(100, 'a'));
  parser.feed("\n192.0.2.0/24");
  const auto list = std::move(parser).finish();
  ASSERT_EQ(list.error_count, 1U);
  EXPECT_EQ(list.errors[0].line, 2U);
  EXPECT_NE(list.errors[0].message.find("longer than 16"), std::string::npos);
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{"10.0.0.0/8", "192.0.2.0/24"}));
}

TEST(PlainList, ChunkingDoesNotChangeTheResult) {
  const std::string text = "\xEF\xBB\xBF# x\r\n192.0.2.0/24\r\n2001:db8::1\nbad..example\n*.example.com";
  const auto whole = parse_plain_list(text, {.keep_origins = true});
  for (std::size_t step = 1; step <= text.size(); ++step) {
    PlainListParser parser({.keep_origins = true});
    for (std::size_t i = 0; i < text.size(); i += step) parser.feed(std::string_view(text).substr(i, step));
    const auto chunked = std::move(parser).finish();
    EXPECT_EQ(chunked.ips, whole.ips) << "step " << step;
    EXPECT_EQ(chunked.domains.size(), whole.domains.size()) << "step " << step;
    ASSERT_EQ(chunked.errors.size(), whole.errors.size()) << "step " << step;
    EXPECT_EQ(chunked.errors[0].line, 4U);
    ASSERT_EQ(chunked.ip_origins.size(), 2U);
    EXPECT_EQ(chunked.ip_origins[1].line, 3U);
  }
}

TEST(PlainList, ShortFilesThatLookLikeABomPrefix) {
  EXPECT_EQ(parse_plain_list("").ip_entries, 0U);
  const auto partial_bom = parse_plain_list("\xEF\xBB");
  EXPECT_FALSE(partial_bom.ok());  // two stray bytes are not an entry
}

// Real published data: Cloudflare's list ends without a newline; both dated copies hold the same set.
TEST(PlainListRealData, CloudflareV4CopiesHoldTheSameSet) {
  const auto a = parse_plain_list(read_file("published/cloudflare-ips-v4-2021-11-10.txt"));
  const auto b = parse_plain_list(read_file("published/cloudflare-ips-v4-2024-10-29.txt"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a.ip_entries, 15U);
  EXPECT_EQ(b.ip_entries, 15U);
  EXPECT_EQ(a.ips, b.ips);
  EXPECT_EQ(b.ips.v4().interval_count(), 14U);  // 104.16.0.0/13 and 104.24.0.0/14 are adjacent: one interval
}

// A fetch that stored a 500 error page must be rejected, never read as an empty or partial list.
TEST(PlainListRealData, ErrorPageIsRejectedNotEmpty) {
  const auto list = parse_plain_list(read_file("published/badfetch-cloudflare-ips-v4-http500-2024-10-29.html"));
  EXPECT_FALSE(list.ok());
  EXPECT_GE(list.error_count, 1U);
  EXPECT_EQ(list.errors.front().line, 1U);
}

// Postfix's bracketed IPv6 syntax is not the plain format; it is rejected with the line, not skipped.
TEST(PlainListRealData, PostfixBracketedIpv6IsRejected) {
  const auto list = parse_plain_list(read_file("local/postfix-mynetworks-karmak23-bracketed-ipv6.txt"));
  EXPECT_FALSE(list.ok());
  ASSERT_EQ(list.error_count, 2U);
  EXPECT_EQ(list.errors[0].line, 2U);
  EXPECT_EQ(list.errors[1].line, 3U);
}

}  // namespace
}  // namespace allowdrift::feeds

namespace allowdrift::feeds {
namespace {

// Tokens that start like an address are checked as addresses, so a typo cannot slip through as a "domain".
TEST(PlainListClassification, AddressTyposAreRejectedNotReadAsDomains) {
  for (const char* token : {"192.168.1.1a", "1.2.3.0x10", "1.2.3.4-5", "10.0.0.1-10.0.0.9x", "example.com:443",
                            "http://example.com", "https://192.0.2.1/list"}) {
    SCOPED_TRACE(token);
    const auto list = parse_plain_list(std::string(token) + "\n");
    EXPECT_FALSE(list.ok());
    EXPECT_EQ(list.domain_entries, 0U);
    ASSERT_EQ(list.errors.size(), 1U);
    EXPECT_NE(list.errors[0].message.find(std::string("'") + token + "'"), std::string::npos) << list.errors[0].message;
  }
  EXPECT_NE(parse_plain_list("http://example.com\n").errors[0].message.find("URL"), std::string::npos);
}

TEST(PlainListClassification, NamesWithNumericLabelsStayDomains) {
  const auto list = parse_plain_list("163.com\n1e100.net\n3.cn.example.org\nmail-1.example.com\n");
  ASSERT_TRUE(list.ok()) << list.errors.front().message;
  EXPECT_EQ(list.domain_entries, 4U);
}

}  // namespace
}  // namespace allowdrift::feeds
