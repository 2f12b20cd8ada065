#include "firewall/squid_acl.h"
#include "firewall/allowlist_matchers.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace firewall = allowdrift::firewall;
namespace model = allowdrift::model;
namespace at = allowdrift::testing;
using at::error_of;
using at::warnings_with;
using ::testing::Contains;
using ::testing::Not;

firewall::Allowlist read(const std::string& relative) {
  const auto text = at::read_test_data(relative);
  auto r = firewall::parse_squid_acl(text, relative);
  EXPECT_TRUE(r) << error_of(r);
  return r ? std::move(*r) : firewall::Allowlist{};
}

// 41 values: 37 with a leading dot (2 of them with a path or port), 4 bare names; counted with
// grep -cv '^\s*\(#\|$\)' and grep -c '^\.'.
TEST(SquidAcl, WaitingdotWhitelistWithPathsAndPorts) {
  constexpr const char* kFile = "localfw/squid/squid-dstdomain-whitelist-waitingdot.txt";
  const auto list = read(kFile);
  EXPECT_EQ(list.domains.size(), 35u * 2 + 4);
  const auto names = at::domains(list);
  EXPECT_THAT(names, Contains("github.com"));
  EXPECT_THAT(names, Contains("*.github.com"));
  EXPECT_THAT(names, Contains("www.w3.org"));
  EXPECT_THAT(names, Not(Contains("*.www.w3.org")));  // no leading dot: that name only
  EXPECT_THAT(names, Not(Contains("facebook.com")));  // commented out
  // ".google.com/recaptcha" and ".google.com:443/recaptcha" never match a host name: warnings, not entries.
  EXPECT_THAT(names, Not(Contains("google.com")));
  EXPECT_EQ(warnings_with(list, std::string(kFile) + ":20: '.google.com/recaptcha' can never match"), 1u)
      << at::all_warnings(list);
  EXPECT_EQ(warnings_with(list, std::string(kFile) + ":21: '.google.com:443/recaptcha' can never match"), 1u);
  EXPECT_EQ(list.warnings.size(), 2u);
  EXPECT_EQ(list.domains.front().origin, std::string(kFile) + ":1");
}

TEST(SquidAcl, TimwebsterWhitelistWithAnAddress) {
  const auto list = read("localfw/squid/squid-dstdomain-whitelist-timwebster9.txt");
  EXPECT_EQ(at::cidrs(list), (std::vector<std::string>{"162.254.197.108/32"}));
  EXPECT_EQ(list.domains.size(), 51u * 2 + 1);
  EXPECT_THAT(at::domains(list), Contains("s0.2mdn.net"));
  EXPECT_THAT(at::domains(list), Contains("*.steampowered.com"));
  EXPECT_THAT(at::domains(list), Not(Contains("slither.io")));
  EXPECT_TRUE(list.warnings.empty()) << at::all_warnings(list);
}

TEST(SquidAcl, OtherRealLists) {
  const auto bare = read("localfw/squid/squid-dstdomain-whitelist-bare-domains-cesarsaez.txt");
  EXPECT_EQ(at::domains(bare).size(), 10u);
  EXPECT_THAT(at::domains(bare), Contains("carrefour.es"));
  const auto gray = read("localfw/squid/squid-dstdomain-graylist-waitingdot.txt");  // no final newline
  EXPECT_THAT(at::domains(gray), Contains("*.googleusercontent.com"));
  const auto parental = read("localfw/squid/squid-dstdomain-whitelist-parental-filter-onnozweers.txt");
  EXPECT_EQ(parental.domains.size(), 106u * 2);
  EXPECT_THAT(at::domains(parental), Contains("*.office365.com"));
  EXPECT_THAT(at::domains(parental), Not(Contains("spotify.com")));
}

TEST(SquidAcl, WordsWarningsAndRejections) {
  auto r = firewall::parse_squid_acl(
      "Example.COM. extra words\n"
      ".example.org # trailing comment\n"
      "*.example.net\n"
      "intranet\n"
      "[2001:db8::1]\n",
      "acl.txt");
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::domains(*r), (std::vector<std::string>{"example.com", "example.org", "*.example.org"}));
  EXPECT_EQ(at::cidrs(*r), (std::vector<std::string>{"2001:db8::1/128"}));
  EXPECT_EQ(warnings_with(*r, "acl.txt:1: squid reads only the first word of a line; 'extra words' is ignored"), 1u)
      << at::all_warnings(*r);
  EXPECT_EQ(warnings_with(*r, "acl.txt:3: '*.example.net' can never match"), 1u);
  EXPECT_EQ(warnings_with(*r, "acl.txt:4: 'intranet' is a single-label name"), 1u);
  EXPECT_EQ(r->warnings.size(), 3u);

  for (const char* bad : {"exa_mple..com\n", "bad!name.com\n", ".1.2.3\n", "-x.com:80\n"}) {
    auto e = firewall::parse_squid_acl(bad, "acl.txt");
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().kind, firewall::ReadErrorKind::kParse);
    EXPECT_EQ(e.error().message.rfind("acl.txt:1: ", 0), 0u) << e.error().message;
  }
}

}  // namespace
