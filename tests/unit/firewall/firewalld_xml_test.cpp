#include "firewall/firewalld_xml.h"
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

firewall::ReadResult<firewall::Allowlist> zone(std::string_view text) {
  return firewall::parse_firewalld_zone(text, "zone.xml");
}

std::string wrap(std::string_view body, std::string_view zone_attributes = "") {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<zone" + std::string(zone_attributes) + ">\n" +
         std::string(body) + "</zone>\n";
}

// Four SSH rich rules; 149.126.4.94/23 has host bits set: accepted as 149.126.4.0/23, with a warning.
TEST(FirewalldZone, RichRulesSshAllowlist) {
  constexpr const char* kFile = "localfw/firewalld/firewalld-zone-public-rich-rules-ssh-allowlist-mikch06.xml";
  const auto text = at::read_test_data(kFile);
  auto r = firewall::parse_firewalld_zone(text, kFile);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::cidrs(*r),
            (std::vector<std::string>{"62.171.108.7/32", "85.195.192.176/32", "147.88.200.97/32", "149.126.4.0/23"}));
  EXPECT_EQ(at::origins(*r), (std::vector<std::string>{std::string(kFile) + ":10", std::string(kFile) + ":15",
                                                       std::string(kFile) + ":20", std::string(kFile) + ":25"}));
  EXPECT_EQ(warnings_with(*r, std::string(kFile) + ":15: '149.126.4.94/23' has host bits set; read as 149.126.4.0/23"),
            1u)
      << at::all_warnings(*r);
  EXPECT_EQ(r->warnings.size(), 1u);
}

TEST(FirewalldZone, UpstreamZonesHaveNoSources) {
  for (const char* file : {"localfw/firewalld/firewalld-upstream-default-zone-trusted.xml",
                           "localfw/firewalld/firewalld-upstream-default-zone-drop.xml"}) {
    const auto text = at::read_test_data(file);
    auto r = firewall::parse_firewalld_zone(text, file);
    ASSERT_TRUE(r) << error_of(r);
    EXPECT_TRUE(r->empty()) << file;
    EXPECT_TRUE(r->warnings.empty()) << file;
  }
  // A policy file is not a zone.
  const auto policy = at::read_test_data("localfw/firewalld/firewalld-upstream-default-policy-allow-host-ipv6.xml");
  auto r = firewall::parse_firewalld_zone(policy, "allow-host-ipv6.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "allow-host-ipv6.xml:2: root element is 'policy', expected <zone>");
}

TEST(FirewalldZone, SourcesActionsAndWarnings) {
  auto r = zone(
      wrap("  <source address=\"192.0.2.0/24\"/>\n"                                                                 // 3
           "  <source address=\"2001:db8::/32\"/>\n"                                                                // 4
           "  <source address=\"198.51.100.0/255.255.255.0\"/>\n"                                                   // 5
           "  <source ipset=\"cloudflare\"/>\n"                                                                     // 6
           "  <source mac=\"00:11:22:33:44:55\"/>\n"                                                                // 7
           "  <rule family=\"ipv4\"><source address=\"203.0.113.0/25\"/><service name=\"ssh\"/><reject/></rule>\n"  // 8
           "  <rule family=\"ipv4\"><source address=\"203.0.113.128/25\" invert=\"true\"/><accept/></rule>\n"       // 9
           "  <rule><source address=\"2001:db8:1::/48\"/><port port=\"22\" protocol=\"tcp\"/><accept><limit "
           "value=\"1/m\"/></accept></rule>\n"                                                                 // 10
           "  <rule family=\"ipv6\"><source ipset=\"office6\"/><accept/></rule>\n"                             // 11
           "  <rule family=\"ipv4\"><forward-port port=\"80\" protocol=\"tcp\" to-port=\"8080\"/></rule>\n"))  // 12
      ;
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::cidrs(*r),
            (std::vector<std::string>{"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"}));  // 2001:db8:1::/48 inside
  EXPECT_EQ(at::origins(*r), (std::vector<std::string>{"zone.xml:3", "zone.xml:4", "zone.xml:5", "zone.xml:10"}));
  EXPECT_EQ(warnings_with(*r, "zone.xml:6: source ipset 'cloudflare' cannot be resolved from the zone file"), 1u)
      << at::all_warnings(*r);
  EXPECT_EQ(warnings_with(*r, "zone.xml:7: source MAC address"), 1u);
  EXPECT_EQ(warnings_with(*r, "zone.xml:9: rule with an inverted source"), 1u);
  EXPECT_EQ(warnings_with(*r, "unsupported"), 1u);
  EXPECT_EQ(warnings_with(*r, "zone.xml:11: rule accepts the sources in ipset 'office6'"), 1u);
  EXPECT_EQ(r->warnings.size(), 4u);
  EXPECT_FALSE(allows_any(*r, "203.0.113.0/24"));
}

TEST(FirewalldZone, BlockingZoneSourcesAreNotAllowed) {
  auto r =
      zone(wrap("  <source address=\"192.0.2.0/24\"/>\n  <source ipset=\"bad\"/>\n"
                "  <rule><source address=\"198.51.100.1\"/><accept/></rule>\n",
                " target=\"DROP\""));
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::cidrs(*r), (std::vector<std::string>{"198.51.100.1/32"}));  // rich rules come first
  EXPECT_EQ(warnings_with(*r, "zone.xml:2: the zone's target is 'DROP', so its 2 <source> elements are blocked"), 1u)
      << at::all_warnings(*r);
}

TEST(FirewalldZone, Rejections) {
  const auto fails = [](const std::string& text, std::string_view expected) {
    auto r = zone(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, firewall::ReadErrorKind::kParse);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  fails("<?xml version=\"1.0\"?>\n<zone>\n  <source address=\"192.0.2.0/24\">\n</zone>\n", "zone.xml:4: XML error:");
  fails("", "zone.xml:1: XML error: No document element found");
  fails("<zone/><zone/>", "more than one root element");
  fails(wrap("  <source address=\"192.0.2.300\"/>\n"), "zone.xml:3: '192.0.2.300'");
  fails(wrap("  <source address=\"192.0.2.1-192.0.2.9\"/>\n"), "not accepted here");
  fails(wrap("  <source/>\n"), "zone.xml:3: <source> needs exactly one of address, ipset or mac");
  fails(wrap("  <source address=\"192.0.2.1\" ipset=\"x\"/>\n"), "needs exactly one");
  fails(wrap("  <rule family=\"ipv6\"><source address=\"192.0.2.1\"/><accept/></rule>\n"),
        "zone.xml:3: '192.0.2.1' is not an address of the rule's family ipv6");
  fails(wrap("  <rule family=\"ipx\"><accept/></rule>\n"), "rule family 'ipx'");
  fails(wrap("  <rule><source address=\"192.0.2.1\"/><accept/><drop/></rule>\n"), "at most one action");
  fails(std::string("<zone>\0</zone>", 14), "NUL byte");
}

TEST(FirewalldIpset, CloudflareHashNet) {
  constexpr const char* kFile = "localfw/firewalld/firewalld-ipset-cloudflare-hash-net-from-nicholascw.xml";
  const auto text = at::read_test_data(kFile);
  auto r = firewall::parse_firewalld_ipset(text, kFile);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->ips.size(), 14u);
  EXPECT_TRUE(allows(*r, "104.16.0.0/12"));
  EXPECT_FALSE(allows_any(*r, "2405:8100::/32"));
  EXPECT_EQ(r->ips.front().origin, std::string(kFile) + ":6");
  EXPECT_TRUE(r->warnings.empty()) << at::all_warnings(*r);
}

TEST(FirewalldIpset, FamilyMaxelemAndTypes) {
  auto v6 = firewall::parse_firewalld_ipset(
      "<ipset type=\"hash:ip\">\n<option name=\"family\" value=\"inet6\"/>\n<option name=\"maxelem\" value=\"2\"/>\n"
      "<entry>2001:db8::1</entry>\n<entry> 2001:db8::10-2001:db8::20 </entry>\n</ipset>\n",
      "s.xml");
  ASSERT_TRUE(v6) << error_of(v6);
  EXPECT_TRUE(allows(*v6, "2001:db8::1"));
  EXPECT_TRUE(allows(*v6, "2001:db8::10-2001:db8::20"));
  EXPECT_EQ(warnings_with(*v6, "s.xml:1: the set holds 2 of at most 2 entries"), 1u) << at::all_warnings(*v6);

  const auto fails = [](std::string_view text, firewall::ReadErrorKind kind, std::string_view expected) {
    auto r = firewall::parse_firewalld_ipset(text, "s.xml");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, kind);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  using Kind = firewall::ReadErrorKind;
  fails("<ipset type=\"hash:ip,port\"><entry>192.0.2.1,tcp:80</entry></ipset>", Kind::kUnsupported,
        "ipset type 'hash:ip,port' is not supported");
  fails("<ipset><entry>192.0.2.1</entry></ipset>", Kind::kParse, "no type attribute");
  fails("<ipset type=\"hash:net\">\n<entry>2001:db8::/32</entry></ipset>", Kind::kParse,
        "s.xml:2: '2001:db8::/32' is not of the set's family inet");
  fails("<ipset type=\"hash:net\"><option name=\"family\" value=\"ipv4\"/></ipset>", Kind::kParse, "family 'ipv4'");
  fails("<ipset type=\"hash:net\"><option name=\"maxelem\" value=\"-1\"/></ipset>", Kind::kParse, "maxelem '-1'");
  fails("<ipset type=\"hash:net\"><entry></entry></ipset>", Kind::kParse, "s.xml:1:");
  fails("<ipset type=\"hash:net\"><entry>192.0.2.0/255.255.255.0</entry></ipset>", Kind::kParse, "not accepted here");
  fails("<zone/>", Kind::kParse, "expected <ipset>");
}

}  // namespace
