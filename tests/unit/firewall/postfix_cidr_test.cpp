#include "firewall/allowlist_matchers.h"
#include "firewall/postfix_tables.h"
#include "test_data.h"

#include <gtest/gtest.h>

namespace {

namespace firewall = allowdrift::firewall;
namespace model = allowdrift::model;
namespace at = allowdrift::testing;
using at::allows;
using at::allows_any;
using at::error_of;
using at::warnings_with;

constexpr const char* kMailcowJuly = "localfw/postfix/postfix-postscreen_access-mailcow-2026-07-01.cidr";
constexpr const char* kMailcowAugust = "localfw/postfix/postfix-postscreen_access-mailcow-2026-08-04.cidr";

firewall::Allowlist parse(std::string_view text) {
  auto r = firewall::parse_postfix_cidr(text, "/etc/postfix/access.cidr");
  EXPECT_TRUE(r) << error_of(r);
  return r ? std::move(*r) : firewall::Allowlist{};
}

// Counted independently: awk '!/^[[:space:]]*#/ && NF {print $2}' FILE | sort | uniq -c  ->  2258 permit / 2198 permit.
TEST(PostfixCidr, MailcowPostscreenAccessEveryRuleIsAPermit) {
  const auto text = at::read_test_data(kMailcowAugust);
  auto r = firewall::parse_postfix_cidr(text, kMailcowAugust);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->ips.size(), 2258u);
  EXPECT_TRUE(r->excluded.empty());
  EXPECT_TRUE(r->domains.empty());
  EXPECT_EQ(r->ips.front().origin, std::string(kMailcowAugust) + ":4");  // 2a00:1450:4000::/36<TAB>permit
  EXPECT_TRUE(allows(*r, "2a00:1450:4000::/36"));
  // The last two lines carry a trailing "# checks.mailcow.email": Postfix has no trailing comments, but the result's
  // first word is still "permit".
  EXPECT_TRUE(allows(*r, "49.12.4.251"));
  EXPECT_TRUE(allows(*r, "2a01:4f8:c17:7906::10"));
  EXPECT_EQ(r->ips.back().origin, std::string(kMailcowAugust) + ":2261");
  // Zoho's 136.143.160.0/24 was added between the two versions.
  EXPECT_TRUE(allows(*r, "136.143.160.0/24"));
  EXPECT_FALSE(allows(*r, "8.8.8.8"));

  const auto july_text = at::read_test_data(kMailcowJuly);
  auto july = firewall::parse_postfix_cidr(july_text, kMailcowJuly);
  ASSERT_TRUE(july) << error_of(july);
  EXPECT_EQ(july->ips.size(), 2198u);
  EXPECT_FALSE(allows_any(*july, "136.143.160.0/24"));
}

TEST(PostfixCidr, ResultsThatAllow) {
  const auto list = parse(
      "192.0.2.1 OK\n"
      "192.0.2.2 ok\n"
      "192.0.2.3 PERMIT\n"
      "192.0.2.4 permit, reject\n"
      "192.0.2.5 12345\n"  // access(5): an all-numerical result is treated as OK
      "198.51.100.1 REJECT\n"
      "198.51.100.2 DUNNO\n"
      "198.51.100.3 550 go away\n"
      "198.51.100.4 permit_mynetworks\n"
      "198.51.100.5 reject_unauth_destination permit\n");
  EXPECT_EQ(at::cidrs(list), (std::vector<std::string>{"192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/31"}));
  EXPECT_EQ(list.ips.size(), 5u);
  EXPECT_TRUE(list.excluded.empty());
}

TEST(PostfixCidr, CommentsBlankLinesContinuationsAndBrackets) {
  const auto list = parse(
      "# comment\n"
      "\n"
      "   \t\n"
      "  # an indented comment is still a comment\n"
      "192.0.2.0/24\n"
      "\tOK\n"  // continues the line before
      "[2001:db8::]/32 OK\n"
      "[2001:db8:1::1] OK\r\n"
      "[2001:db8:2::/48] OK\n");
  EXPECT_EQ(at::cidrs(list), (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ(at::origins(list), (std::vector<std::string>{
                                   "/etc/postfix/access.cidr:5",
                                   "/etc/postfix/access.cidr:7",
                                   "/etc/postfix/access.cidr:8",
                                   "/etc/postfix/access.cidr:9",
                               }));
}

// First match wins: a REJECT before an overlapping OK takes that part away; after it, nothing.
TEST(PostfixCidr, EarlierRejectTakesPrecedence) {
  const auto list = parse(
      "192.168.1.1 REJECT\n"
      "192.168.0.0/16 OK\n"
      "10.0.0.0/8 OK\n"
      "10.1.0.0/16 REJECT\n");
  EXPECT_EQ(at::cidrs(list).size(), 17u);  // 192.168.0.0/16 minus one address, plus 10.0.0.0/8
  EXPECT_TRUE(allows(list, "10.1.2.3"));
  EXPECT_FALSE(allows_any(list, "192.168.1.1"));
  EXPECT_TRUE(allows(list, "192.168.1.2"));
  ASSERT_EQ(list.excluded.size(), 1u);
  EXPECT_EQ(list.excluded[0].origin, "/etc/postfix/access.cidr:1");
  EXPECT_EQ(warnings_with(list, "access.cidr:1: '192.168.1.1 REJECT' comes first"), 1u) << at::all_warnings(list);
}

TEST(PostfixCidr, NegatedPatternMatchesTheRestOfItsFamily) {
  const auto list = parse("!10.0.0.0/8 OK\n");
  EXPECT_TRUE(allows(list, "11.0.0.0/8"));
  EXPECT_TRUE(allows(list, "0.0.0.0/5"));
  EXPECT_FALSE(allows_any(list, "10.0.0.0/8"));
  EXPECT_FALSE(allows_any(list, "::/0"));  // a pattern never matches the other family
}

TEST(PostfixCidr, IfEndifBlocks) {
  const auto list = parse(
      "if 10.0.0.0/8\n"
      "10.1.0.0/16 OK\n"
      "192.0.2.0/24 OK\n"  // outside the if: never matches
      "if !10.1.2.0/24\n"
      "10.1.0.0/16 REJECT\n"
      "endif\n"
      "ENDIF\n"
      "172.16.0.0/12 OK\n");
  EXPECT_TRUE(allows(list, "10.1.0.0/16"));
  EXPECT_FALSE(allows_any(list, "192.0.2.0/24"));
  EXPECT_TRUE(allows(list, "172.16.0.0/12"));
  EXPECT_EQ(warnings_with(list, "access.cidr:3: '192.0.2.0/24' never matches"), 1u) << at::all_warnings(list);
}

TEST(PostfixCidr, HostBitsRuleIsSkippedLikePostfix) {
  const auto list = parse("192.0.2.1/24 OK\n198.51.100.0/24 OK\n");
  EXPECT_EQ(at::cidrs(list), (std::vector<std::string>{"198.51.100.0/24"}));
  EXPECT_EQ(warnings_with(list, "access.cidr:1: Postfix skips this rule"), 1u) << at::all_warnings(list);
}

TEST(PostfixCidr, RejectsWhatPostfixWouldNotLoad) {
  const auto fails = [](std::string_view text, std::string_view expected) {
    auto r = firewall::parse_postfix_cidr(text, "t.cidr");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, firewall::ReadErrorKind::kParse);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  fails("192.0.2.0/24\n", "t.cidr:1: '192.0.2.0/24': no result");
  fails("192.0.2.0/33 OK\n", "t.cidr:1:");
  fails("010.0.0.1 OK\n", "t.cidr:1:");
  fails("192.0.2.0-192.0.2.9 OK\n", "ADDRESS or ADDRESS/LENGTH");
  fails("mail.example.com OK\n", "t.cidr:1:");
  fails("  192.0.2.0/24 OK\n", "t.cidr:1: a line that starts with whitespace");
  fails("# c\nendif\n", "t.cidr:2: endif without a matching if");
  fails("if 10.0.0.0/8\n10.0.0.1 OK\n", "t.cidr:1: if without a matching endif");
  fails("if\n", "t.cidr:1: expected 'if PATTERN'");
  fails("! OK\n", "no pattern after '!'");
  fails("[2001:db8::1 OK\n", "missing ']'");
}

TEST(PostfixCidr, EmptyTableIsEmpty) {
  const auto list = parse("# nothing yet\n");
  EXPECT_TRUE(list.empty());
}

}  // namespace
