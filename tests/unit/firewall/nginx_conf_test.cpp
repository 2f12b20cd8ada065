#include "firewall/nginx_conf.h"
#include "firewall/allowlist_matchers.h"
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
  auto r = firewall::parse_nginx_conf(text, relative);
  EXPECT_TRUE(r) << error_of(r);
  return r ? std::move(*r) : firewall::Allowlist{};
}

firewall::Allowlist parse(std::string_view text) {
  auto r = firewall::parse_nginx_conf(text, "site.conf");
  EXPECT_TRUE(r) << error_of(r);
  return r ? std::move(*r) : firewall::Allowlist{};
}

// The 2019 Cloudflare allow list: still the retired 104.16.0.0/12, and no 2405:8100::/32 (added in 2020).
TEST(NginxConf, CloudflareAllowList2019) {
  constexpr const char* kFile = "localfw/nginx/nginx-cloudflare-allow-2019-01-17-toomuchio.conf";
  const auto list = read(kFile);
  EXPECT_EQ(list.ips.size(), 20u);
  EXPECT_TRUE(allows(list, "104.16.0.0/12"));
  EXPECT_FALSE(allows_any(list, "2405:8100::/32"));
  EXPECT_TRUE(allows(list, "2a06:98c0::/29"));  // the last line, which has no final newline
  EXPECT_EQ(list.ips.front().origin, std::string(kFile) + ":3");
  EXPECT_EQ(list.ips.back().origin, std::string(kFile) + ":24");
  EXPECT_TRUE(list.warnings.empty()) << at::all_warnings(list);
}

TEST(NginxConf, SetRealIpFromCloudflare) {
  const auto v4 = read("localfw/nginx/nginx-set_real_ip_from-cloudflare-ipv4-c0m4r.conf");
  const auto v6 = read("localfw/nginx/nginx-set_real_ip_from-cloudflare-ipv6-c0m4r.conf");
  EXPECT_EQ(v4.ips.size(), 15u);
  EXPECT_TRUE(allows(v4, "104.16.0.0/13"));
  EXPECT_TRUE(allows(v4, "104.24.0.0/14"));
  EXPECT_FALSE(allows_any(v4, "104.28.0.0/14"));  // the part of the old /12 Cloudflare gave up
  EXPECT_EQ(v6.ips.size(), 7u);
  EXPECT_TRUE(allows(v6, "2405:8100::/32"));
}

TEST(NginxConf, DenyListsAllowNothing) {
  const auto mariusv = read("localfw/nginx/nginx-deny-blockips-with-comments-mariusv.conf");
  EXPECT_TRUE(mariusv.empty());
  EXPECT_EQ(warnings_with(mariusv, "this file allows nothing"), 1u) << at::all_warnings(mariusv);
  const auto mzhren = read("localfw/nginx/nginx-deny-blockips-duplicates-mzhren.conf");
  EXPECT_TRUE(mzhren.empty());
  EXPECT_EQ(warnings_with(mzhren, "this file allows nothing"), 1u);
}

TEST(NginxConf, FirstMatchWithinABlock) {
  const auto list = parse(
      "location /admin {\n"
      "    deny  192.0.2.7;\n"
      "    allow 192.0.2.0/24;\n"
      "    allow 2001:db8::/32;\n"
      "    deny  all;\n"
      "}\n");
  EXPECT_TRUE(allows(list, "192.0.2.8"));
  EXPECT_FALSE(allows_any(list, "192.0.2.7"));
  EXPECT_TRUE(allows(list, "2001:db8::/32"));  // the trailing deny all takes nothing away
  ASSERT_EQ(list.excluded.size(), 1u);
  EXPECT_EQ(list.excluded[0].origin, "site.conf:2");
  EXPECT_EQ(warnings_with(list, "site.conf:2: 'deny 192.0.2.7' comes first and takes precedence over a later allow"),
            1u)
      << at::all_warnings(list);
}

TEST(NginxConf, BlocksAreEvaluatedSeparately) {
  // The deny in one location does not touch the allow of another.
  const auto list = parse(
      "server {\n"
      "  location /a { deny 10.0.0.0/8; }\n"
      "  location /b { allow 10.1.0.0/16; }\n"
      "}\n");
  EXPECT_TRUE(allows(list, "10.1.0.0/16"));
  EXPECT_TRUE(list.excluded.empty());
}

TEST(NginxConf, AllowAll) {
  const auto list = parse("deny 203.0.113.0/24;\nallow all;\n");
  EXPECT_TRUE(allows(list, "198.51.100.0/24"));
  EXPECT_TRUE(allows(list, "2001:db8::/32"));
  EXPECT_FALSE(allows_any(list, "203.0.113.9"));
  EXPECT_EQ(warnings_with(list, "site.conf:2: 'allow all': every address is allowed"), 1u) << at::all_warnings(list);
}

TEST(NginxConf, SyntaxAndOtherDirectives) {
  const auto list = parse(
      "# Cloudflare\r\n"
      "real_ip_header CF-Connecting-IP;\n"
      "set_real_ip_from \"103.21.244.0/22\";  # quoted\n"
      "allow\n"
      "    192.0.2.0/24;\n"  // a directive may span lines: its origin is the first line
      "include /etc/nginx/more-allows.conf;\n"
      "set $x \"a;b{c}\"; if ($x ~ ^${x}$) { return 403; }\n"
      "set_real_ip_from unix:;\n"
      "set_real_ip_from proxy.example.com;\n"
      "allow 198.51.100.1/24;\n"
      "geo $ok { default 0; 10.0.0.0/8 1; }\n");
  EXPECT_EQ(at::cidrs(list), (std::vector<std::string>{"103.21.244.0/22", "192.0.2.0/24", "198.51.100.0/24"}));
  EXPECT_EQ(at::origins(list), (std::vector<std::string>{"site.conf:3", "site.conf:4", "site.conf:10"}));
  EXPECT_EQ(warnings_with(list, "site.conf:6: include '/etc/nginx/more-allows.conf' is not followed"), 1u)
      << at::all_warnings(list);
  EXPECT_EQ(warnings_with(list, "site.conf:8: 'set_real_ip_from unix:'"), 1u);
  EXPECT_EQ(warnings_with(list, "site.conf:9: set_real_ip_from 'proxy.example.com' is a host name"), 1u);
  EXPECT_EQ(warnings_with(list, "site.conf:10: '198.51.100.1/24' has host bits set"), 1u);
  EXPECT_EQ(warnings_with(list, "site.conf:11: the addresses of a geo block"), 1u);
}

TEST(NginxConf, Rejections) {
  const auto fails = [](std::string_view text, std::string_view expected) {
    auto r = firewall::parse_nginx_conf(text, "n.conf");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, firewall::ReadErrorKind::kParse);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  fails("allow 192.0.2.0/24", "n.conf:1: unexpected end of file, expecting ';' or '}'");
  fails("server {\n allow 192.0.2.0/24;\n", "n.conf:1: unexpected end of file, expecting '}'");
  fails("}\n", "n.conf:1: unexpected '}'");
  fails("\nallow 192.0.2.0/24 10.0.0.0/8;\n", "n.conf:2: invalid number of arguments in 'allow' directive");
  fails("allow 192.0.2.0-192.0.2.9;\n", "nginx accepts ADDRESS or ADDRESS/LENGTH");
  fails("deny 010.0.0.1;\n", "n.conf:1:");
  fails("allow example.com;\n", "n.conf:1:");
  fails("set_real_ip_from 192.0.2.0/33;\n", "n.conf:1:");
  fails("allow \"192.0.2.0/24\"x;\n", "after a quoted string");
  fails("allow \"192.0.2.0/24;\n", "unexpected end of file in a quoted string");
  fails(";\n", "unexpected ';'");
}

}  // namespace
