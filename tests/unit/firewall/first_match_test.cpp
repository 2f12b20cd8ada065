#include "firewall/first_match.h"
#include "firewall/allowlist_matchers.h"
#include "firewall/config_text.h"

#include <gtest/gtest.h>

#include <random>

namespace {

namespace firewall = allowdrift::firewall;
namespace model = allowdrift::model;
namespace at = allowdrift::testing;
using firewall::OrderedRule;

OrderedRule rule(bool allow, std::string_view entry, std::string origin) {
  const auto e = model::parse_ip_entry(entry);
  EXPECT_TRUE(e) << entry;
  return {{*e}, allow, std::move(origin), std::string(allow ? "allow " : "deny ") + std::string(entry)};
}

TEST(FirstMatch, OnlyAllowsNeedNoSweep) {
  firewall::Allowlist out;
  firewall::add_first_match({rule(true, "10.0.0.0/8", "f:1"), rule(true, "10.0.0.0/16", "f:2")}, out, "why");
  EXPECT_EQ(out.ips.size(), 2u);
  EXPECT_TRUE(out.excluded.empty());
  EXPECT_TRUE(out.warnings.empty());
}

TEST(FirstMatch, DenyBeforeAllowIsExcludedOnlyWhereItOverlaps) {
  firewall::Allowlist out;
  firewall::add_first_match(
      {rule(false, "10.1.0.0/16", "f:1"), rule(false, "192.168.0.0/16", "f:2"), rule(true, "10.0.0.0/8", "f:3"),
       rule(false, "0.0.0.0/0", "f:4"), rule(true, "172.16.0.0/12", "f:5")},
      out, "first match wins");
  EXPECT_EQ(at::cidrs(out).size(), 8u);  // 10.0.0.0/8 minus 10.1.0.0/16
  EXPECT_FALSE(at::allows_any(out, "10.1.0.0/16"));
  EXPECT_FALSE(at::allows_any(out, "172.16.0.0/12"));  // the deny 0.0.0.0/0 comes first
  ASSERT_EQ(out.excluded.size(), 2u);
  EXPECT_EQ(out.excluded[0].origin, "f:1");
  EXPECT_EQ(out.excluded[1].origin, "f:4");
  ASSERT_EQ(out.warnings.size(), 2u);
  EXPECT_EQ(out.warnings[0],
            "f:1: 'deny 10.1.0.0/16' comes first and takes precedence over a later allow for 10.1.0.0/16 (first match "
            "wins); excluded from the allowlist");
  EXPECT_EQ(at::warnings_with(out,
                              "f:4: 'deny 0.0.0.0/0' comes first and takes precedence over a later allow "
                              "for 172.16.0.0/12"),
            1u);
}

TEST(FirstMatch, TopOfTheAddressSpace) {
  firewall::Allowlist out;
  firewall::add_first_match({rule(false, "ffff::/16", "f:1"), rule(true, "::/0", "f:2"),
                             rule(false, "255.255.255.255", "f:3"), rule(true, "255.255.255.0/24", "f:4")},
                            out, "why");
  EXPECT_TRUE(at::allows(out, "::/1"));
  EXPECT_FALSE(at::allows_any(out, "ffff::1"));
  EXPECT_TRUE(at::allows(out, "255.255.255.254"));
  EXPECT_FALSE(at::allows_any(out, "255.255.255.255"));
}

// Against a brute-force evaluation on a small address space (192.0.2.0/28).
TEST(FirstMatch, MatchesBruteForce) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    std::vector<OrderedRule> rules;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      const auto a = static_cast<unsigned>(rng() % 16);
      const auto b = a + static_cast<unsigned>(rng() % (16 - a));
      rules.push_back(rule(rng() % 2 == 0, "192.0.2." + std::to_string(a) + "-192.0.2." + std::to_string(b),
                           "f:" + std::to_string(i)));
    }
    firewall::Allowlist out;
    firewall::add_first_match(rules, out, "why");
    const auto set = out.ip_set();
    for (unsigned x = 0; x < 16; ++x) {
      bool expected = false;
      for (const auto& r : rules) {
        if (x >= (r.match[0].first & 0xff) && x <= (r.match[0].last & 0xff)) {
          expected = r.allow;
          break;
        }
      }
      const auto e = model::parse_ip_entry("192.0.2." + std::to_string(x));
      ASSERT_EQ(set.covers(*e), expected) << "round " << round << " address " << x;
    }
  }
}

}  // namespace
