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

firewall::Allowlist read(const std::string& relative) {
  const auto text = at::read_test_data(relative);
  auto r = firewall::parse_mynetworks(text, relative);
  EXPECT_TRUE(r) << error_of(r);
  return r ? std::move(*r) : firewall::Allowlist{};
}

firewall::Allowlist parse(std::string_view text) {
  auto r = firewall::parse_mynetworks(text, "/etc/postfix/mynetworks");
  EXPECT_TRUE(r) << error_of(r);
  return r ? std::move(*r) : firewall::Allowlist{};
}

TEST(Mynetworks, OpenMailRelayVersions) {
  const auto v1 = read("localfw/postfix/postfix-mynetworks-openmailrelay-v1-2026-02-24T1422.txt");
  const auto v2 = read("localfw/postfix/postfix-mynetworks-openmailrelay-v2-reordered-2026-02-24T1913.txt");
  const auto v3 = read("localfw/postfix/postfix-mynetworks-openmailrelay-v3-entry-removed-2026-02-24T1916.txt");
  EXPECT_EQ(at::cidrs(v1), (std::vector<std::string>{"88.198.250.128/27", "127.0.0.0/8", "172.16.0.0/12"}));
  EXPECT_EQ(v1.ip_set(), v2.ip_set());  // reordered only
  EXPECT_TRUE(allows(v1, "88.198.250.128/27"));
  EXPECT_FALSE(allows_any(v3, "88.198.250.128/27"));
  EXPECT_EQ(at::cidrs(v3), (std::vector<std::string>{"127.0.0.0/8", "172.16.0.0/12"}));
  EXPECT_EQ(v1.ips.front().origin, "localfw/postfix/postfix-mynetworks-openmailrelay-v1-2026-02-24T1422.txt:1");
  EXPECT_TRUE(v1.warnings.empty());
}

TEST(Mynetworks, BracketedIpv6) {
  const auto list = read("localfw/postfix/postfix-mynetworks-karmak23-bracketed-ipv6.txt");
  EXPECT_EQ(at::cidrs(list),
            (std::vector<std::string>{"10.0.3.0/24", "127.0.0.0/8", "::1/128", "::ffff:127.0.0.0/104"}));
  // [::ffff:127.0.0.0]/104 stays IPv6 (it does not match native IPv4 clients), with a warning.
  EXPECT_EQ(warnings_with(list, "bracketed-ipv6.txt:2: '[::ffff:127.0.0.0]/104' is IPv4-mapped"), 1u)
      << at::all_warnings(list);
}

TEST(Mynetworks, SeparatorsCommentsAndNegation) {
  const auto list = parse(
      "# trusted\n"
      "127.0.0.0/8, [::1]/128 ,192.0.2.0/24\n"
      "\t!198.51.100.7 198.51.100.0/24 # office\n"
      "[2001:db8::/32]\n");
  EXPECT_TRUE(allows(list, "192.0.2.0/24"));
  EXPECT_TRUE(allows(list, "2001:db8::/32"));
  EXPECT_TRUE(allows(list, "198.51.100.8"));
  EXPECT_FALSE(allows_any(list, "198.51.100.7"));  // excluded: it comes first
  ASSERT_EQ(list.excluded.size(), 1u);
  EXPECT_EQ(list.excluded[0].origin, "/etc/postfix/mynetworks:3");
  EXPECT_EQ(warnings_with(list, "mynetworks:3: comment at end of line"), 1u) << at::all_warnings(list);
}

TEST(Mynetworks, HostNameIsAWarning) {
  const auto list = parse("mail.example.com 192.0.2.0/24\n");
  EXPECT_EQ(at::cidrs(list), (std::vector<std::string>{"192.0.2.0/24"}));
  EXPECT_EQ(warnings_with(list, "'mail.example.com' is a host name pattern"), 1u) << at::all_warnings(list);
}

TEST(Mynetworks, Rejections) {
  const auto fails = [](std::string_view text, firewall::ReadErrorKind kind, std::string_view expected) {
    auto r = firewall::parse_mynetworks(text, "mn");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, kind) << r.error().message;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  using Kind = firewall::ReadErrorKind;
  fails("127.0.0.0/8\n::1/128\n", Kind::kParse, "mn:2: '::1/128': an IPv6 address in mynetworks must be in brackets");
  fails("/etc/postfix/more_networks\n", Kind::kUnsupported, "mn:1: '/etc/postfix/more_networks' is a file reference");
  fails("cidr:/etc/postfix/net.cidr\n", Kind::kUnsupported, "lookup table reference");
  fails("192.0.2.1/24\n", Kind::kParse, "mn:1: '192.0.2.1/24' has host bits set");
  fails("192.0.2.0/255.255.255.0\n", Kind::kParse, "ADDRESS or ADDRESS/LENGTH");
  fails("300.0.0.1\n", Kind::kParse, "mn:1:");
  fails("!\n", Kind::kParse, "no pattern after '!'");
}

}  // namespace
