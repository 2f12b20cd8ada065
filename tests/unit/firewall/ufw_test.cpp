// ufw's user.rules / user6.rules, on the real files of tests/data/localfw/ufw/.
#include "firewall/iptables_save.h"
#include "firewall/ufw_rules.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allowdrift::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string data(const std::string& name) { return allowdrift::testing::read_test_data("localfw/ufw/" + name); }

Allowlist read_ok(const std::string& name) {
  auto list = parse_ufw_rules(data(name), "user.rules");
  EXPECT_TRUE(list) << (list ? "" : list.error().message);
  return list ? *list : Allowlist{};
}

// "ufw allow from 192.168.0.0/16": one source; "allow 22/tcp" accepts from anywhere and is only named.
TEST(Ufw, AllowFromSubnet) {
  const auto list = read_ok("ufw-user.rules-source-subnet-allow-wofwca.rules");
  EXPECT_EQ(list.ip_set().to_cidr_strings(), (std::vector<std::string>{"192.168.0.0/16"}));
  ASSERT_EQ(list.ips.size(), 1U);
  EXPECT_EQ(list.ips[0].origin, "filter/ufw-user-input rule 2 (user.rules:24)");
  EXPECT_THAT(list.warnings, ElementsAre("user.rules: filter/ufw-user-input: 1 ACCEPT rules match no source address "
                                         "(lines 21): they accept from any address, narrowed only by ports, "
                                         "interfaces or state, and are not listed as allowlist entries"));
}

// "ufw limit 22/tcp from 192.0.2.0/24": allowed (rate-limited) through the jump to ufw-user-limit-accept.
TEST(Ufw, LimitFromSubnet) {
  const auto list = read_ok("ufw-user.rules-limit-from-subnet-netravnen.rules");
  EXPECT_EQ(list.ip_set().to_cidr_strings(), (std::vector<std::string>{"192.0.2.0/24"}));
  ASSERT_EQ(list.ips.size(), 1U);
  EXPECT_EQ(list.ips[0].origin,
            "filter/ufw-user-limit-accept rule 1 (user.rules:38) via filter/ufw-user-input rule 3 (user.rules:23)");
  EXPECT_THAT(list.warnings, IsEmpty());
}

// Port-only rules (and an application profile rule with a comment in single quotes): nothing by address.
TEST(Ufw, PortRulesOnly) {
  const auto v4 = read_ok("ufw-user.rules-app-profile-nutratech.rules");
  EXPECT_THAT(v4.ips, IsEmpty());
  EXPECT_THAT(v4.warnings, ElementsAre(HasSubstr("filter/ufw-user-input: 5 ACCEPT rules match no source address "
                                                 "(lines 21, 24, 25, 28, 31)")));
  const auto v6 = read_ok("ufw-user6.rules-app-profile-nutratech.rules");
  EXPECT_THAT(v6.ips, IsEmpty());
  EXPECT_THAT(v6.warnings, ElementsAre(HasSubstr("filter/ufw6-user-input: 5 ACCEPT rules")));
  EXPECT_THAT(read_ok("ufw-user.rules-noraworld.rules").ips, IsEmpty());
  EXPECT_THAT(read_ok("ufw-user6.rules-noraworld.rules").ips, IsEmpty());
}

// 28,098 "deny out" tuples (3 MB): parsed whole; nothing accepted by source in ufw-user-input.
TEST(Ufw, LargeDenyFile) {
  const auto text = data("ufw-user.rules-ip-ir-large-outbound-deny.rules");
  const auto dump = parse_iptables_save(text, "user.rules");
  ASSERT_TRUE(dump) << dump.error().message;
  EXPECT_EQ(dump->rule_count, 28106U);  // 28,105 -A and one -I
  EXPECT_EQ(dump->tables.at(0).find("ufw-user-output")->rules.size(), 27315U);
  EXPECT_EQ(dump->tables.at(0).find("ufw-user-input")->rules.size(), 783U);
  const auto list = read_ok("ufw-user.rules-ip-ir-large-outbound-deny.rules");
  EXPECT_THAT(list.ips, IsEmpty());
  EXPECT_THAT(list.warnings, IsEmpty());  // DROP rules with destinations only: nothing to say about accepts
}

TEST(Ufw, NotAUfwFile) {
  auto list = parse_ufw_rules("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", "user.rules");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, ReadErrorKind::kParse);
  EXPECT_EQ(list.error().message,
            "user.rules: not a ufw user.rules or user6.rules file: no *filter table with a ufw-user-input or "
            "ufw6-user-input chain");
}

}  // namespace
}  // namespace allowdrift::firewall
