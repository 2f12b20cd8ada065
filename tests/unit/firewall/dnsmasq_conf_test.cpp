#include "firewall/dnsmasq_conf.h"
#include "firewall/allowlist_matchers.h"
#include "test_data.h"

#include <gtest/gtest.h>

namespace {

namespace firewall = allowdrift::firewall;
namespace model = allowdrift::model;
namespace at = allowdrift::testing;
using at::error_of;
using at::warnings_with;

TEST(DnsmasqConf, HandWrittenDropIn) {
  constexpr const char* kFile = "localfw/dnsmasq/dnsmasq-allowlist-handwritten.conf";
  const auto text = at::read_test_data(kFile);
  auto r = firewall::parse_dnsmasq_conf(text, kFile);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::domains(*r), (std::vector<std::string>{
                                 "atlassian.com",
                                 "*.atlassian.com",
                                 "github.com",
                                 "*.github.com",
                                 "githubusercontent.com",
                                 "*.githubusercontent.com",
                                 "sdpondemand.manageengine.com",
                                 "*.sdpondemand.manageengine.com",
                                 "zoho.com",
                                 "*.zoho.com",
                                 "zohomail.com",
                                 "*.zohomail.com",
                                 "atlassian.net",
                                 "*.atlassian.net",
                             }));
  EXPECT_TRUE(r->ips.empty());
  EXPECT_EQ(r->domains.front().origin, std::string(kFile) + ":12");
  EXPECT_EQ(r->domains.back().origin, std::string(kFile) + ":16");
  // server=, address= and local= are not allowlists; the four sets are named in one warning.
  EXPECT_EQ(warnings_with(*r, "the domains of 4 sets are combined"), 1u) << at::all_warnings(*r);
  EXPECT_EQ(r->warnings.size(), 1u);
}

TEST(DnsmasqConf, DomainFormsCommentsAndOtherOptions) {
  auto r = firewall::parse_dnsmasq_conf(
      "  # comment\n"
      "ipset = /*.example.com/*example.org/#/lan/set1   # spaces around '=' and a comment\n"
      "nftset=\"/quoted.example/4#inet#t#s\"\n"
      "server=/example.com/192.0.2.53\n"
      "conf-dir=/etc/dnsmasq.d/,*.conf\n"
      "bogus-priv\n",
      "d.conf");
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::domains(*r), (std::vector<std::string>{
                                 "*.example.com",
                                 "quoted.example",
                                 "*.quoted.example",
                                 "example.org",
                                 "*.example.org",
                             }));
  EXPECT_EQ(warnings_with(*r, "d.conf:2: '*example.org' also matches names that merely end in example.org"), 1u)
      << at::all_warnings(*r);
  EXPECT_EQ(warnings_with(*r, "d.conf:2: '#' matches every domain"), 1u);
  EXPECT_EQ(warnings_with(*r, "d.conf:2: 'lan' is a single-label name"), 1u);
  EXPECT_EQ(warnings_with(*r, "d.conf:5: conf-dir='/etc/dnsmasq.d/,*.conf' is not followed"), 1u);
}

TEST(DnsmasqConf, Rejections) {
  const auto fails = [](std::string_view text, std::string_view expected) {
    auto r = firewall::parse_dnsmasq_conf(text, "d.conf");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, firewall::ReadErrorKind::kParse);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  fails("ipset=example.com/set\n", "d.conf:1: 'ipset=example.com/set': expected ipset=/DOMAIN");
  fails("\nipset=/example.com/\n", "d.conf:2: 'ipset=/example.com/': no set name");
  fails("ipset=/allow\n", "expected ipset=/DOMAIN");
  fails("nftset=/example.com/4#inet#t#a,,b\n", "empty set name");
  fails("ipset=/exa mple.com/s\n", "d.conf:1:");
  fails("ipset=/bad_label-.com/s\n", "d.conf:1:");
  fails("ipset=\"/example.com/s\n", "d.conf:1: missing '\"'");
}

}  // namespace
