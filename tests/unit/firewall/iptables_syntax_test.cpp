// iptables-restore syntax, one rule at a time: what is read, what is reported, what rejects the text.
#include "firewall/iptables_chain.h"
#include "firewall/iptables_save.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allowdrift::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string filter(const std::string& body) {
  return "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:ALLOW - [0:0]\n" + body + "COMMIT\n";
}

Allowlist read_ok(const std::string& text, std::string_view chain = "ALLOW") {
  auto list = parse_iptables_save_chain(text, "r", "filter", chain);
  EXPECT_TRUE(list) << (list ? "" : list.error().message);
  return list ? *list : Allowlist{};
}

std::string parse_error(const std::string& text) {
  auto list = parse_iptables_save_chain(text, "r", "filter", "ALLOW");
  EXPECT_FALSE(list);
  if (list) return "";
  EXPECT_EQ(list.error().kind, ReadErrorKind::kParse);
  return list.error().message;
}

std::vector<std::string> cidrs(const Allowlist& list) { return list.ip_set().to_cidr_strings(); }

TEST(IptablesSyntax, SourceListsRangesCountersAndQuotes) {
  const auto v4 = read_ok(
      filter("-A ALLOW -s 192.0.2.1,198.51.100.0/24 -p tcp -m tcp --dport 25 -j ACCEPT\n"
             "[12:3456] -A ALLOW --source 203.0.113.0/255.255.255.128 -j ACCEPT\n"
             "-A ALLOW -m iprange --src-range 10.0.0.1-10.0.0.9 -m comment --comment \"a \\\"quoted\\\" -s 9.9.9.9\" "
             "-j ACCEPT\n"
             "-A ALLOW -m comment --comment 'single' -j ACCEPT\n"));
  EXPECT_EQ(cidrs(v4), (std::vector<std::string>{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/31",
                                                 "192.0.2.1/32", "198.51.100.0/24", "203.0.113.0/25"}));
  EXPECT_EQ(v4.ips.size(), 4U);
  EXPECT_EQ(v4.ips[3].origin, "filter/ALLOW rule 3 (r:8)");
  EXPECT_THAT(v4.warnings, ElementsAre(HasSubstr("1 ACCEPT rules match no source address (lines 9)")));
}

TEST(IptablesSyntax, NegationsAreReportedNeverMisread) {
  const auto list =
      read_ok(filter("-A ALLOW ! -s 10.0.0.0/8 -j ACCEPT\n"
                     "-A ALLOW -s ! 172.16.0.0/12 -j ACCEPT\n"
                     "-A ALLOW -m set ! --match-set blocked src -j ACCEPT\n"
                     "-A ALLOW -m iprange ! --src-range 10.0.0.1-10.0.0.5 -j ACCEPT\n"
                     "-A ALLOW -s 192.0.2.0/24 ! -d 192.0.2.1 ! -i eth0 -j ACCEPT\n"
                     "-A ALLOW -m set --match-set a src -m set --match-set b src -j ACCEPT\n"
                     "-A ALLOW -m set --match-set c src --return-nomatch -j ACCEPT\n"));
  // Negated destinations and interfaces only narrow the rule.
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{"192.0.2.0/24"}));
  EXPECT_THAT(list.warnings,
              ElementsAre("r:6: filter/ALLOW rule 1: negated source match (! -s 10.0.0.0/8) is not supported; rule "
                          "skipped",
                          "r:7: filter/ALLOW rule 2: negated source match (! -s 172.16.0.0/12) is not supported; rule "
                          "skipped",
                          "r:8: filter/ALLOW rule 3: negated source match (! --match-set blocked src) is not "
                          "supported; rule skipped",
                          "r:9: filter/ALLOW rule 4: negated source match (! --src-range 10.0.0.1-10.0.0.5) is not "
                          "supported; rule skipped",
                          "r:11: filter/ALLOW rule 6: matches two ipsets (--match-set a src, --match-set b src); not "
                          "supported, rule skipped",
                          "r:12: filter/ALLOW rule 7: --match-set c src with --return-nomatch is not supported; rule "
                          "skipped"));
}

TEST(IptablesSyntax, JumpsAreFollowedWithinTheJumpingRulesSources) {
  const auto text = filter(
      ":SUB - [0:0]\n:LOOP - [0:0]\n:LOGDROP - [0:0]\n"
      "-A ALLOW -s 10.0.0.0/8 -j SUB\n"
      "-A ALLOW -g LOOP\n"
      "-A ALLOW -s 198.51.100.0/24 -j LOGDROP\n"
      "-A SUB -s 10.1.0.0/16 -j ACCEPT\n"
      "-A SUB -s 192.168.0.0/16 -j ACCEPT\n"
      "-A SUB -m set --match-set extra src -j ACCEPT\n"
      "-A LOOP -j ALLOW\n"
      "-A LOOP -s 203.0.113.9 -j ACCEPT\n"
      "-A LOGDROP -j LOG\n-A LOGDROP -j DROP\n");
  const auto list = read_ok(text);
  // 192.168.0.0/16 is outside the jump's 10.0.0.0/8: never accepted through it.
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{"10.1.0.0/16", "203.0.113.9/32"}));
  EXPECT_EQ(list.ips[0].origin, "filter/SUB rule 1 (r:12) via filter/ALLOW rule 1 (r:9)");
  EXPECT_THAT(list.warnings,
              ElementsAre("r:15: filter/LOOP rule 1: jumps back to ALLOW, which is already being read (a loop); "
                          "rule skipped",
                          HasSubstr("r:14: filter/SUB rule 3: accepts the sources in ipset 'extra'")));

  auto dump = parse_iptables_save(text, "r");
  ASSERT_TRUE(dump);
  auto reading = read_iptables_chain(*dump, "filter", "ALLOW", "r");
  ASSERT_TRUE(reading);
  ASSERT_EQ(reading->set_uses.size(), 1U);
  ASSERT_TRUE(reading->set_uses[0].within);
  EXPECT_EQ(reading->set_uses[0].within->to_cidr_strings(), (std::vector<std::string>{"10.0.0.0/8"}));
}

TEST(IptablesSyntax, DestinationsAndMissingChains) {
  const auto list = read_ok(filter("-A ALLOW -d 192.0.2.1 -j ACCEPT\n-A ALLOW -m set --match-set x dst -j ACCEPT\n"));
  EXPECT_THAT(list.ips, IsEmpty());
  EXPECT_THAT(list.warnings, ElementsAre("r: filter/ALLOW: 2 ACCEPT rules match only a destination address (lines 6, "
                                         "7): this reader lists the source addresses a chain accepts; destinations "
                                         "are not read"));
  auto missing = parse_iptables_save_chain(filter(""), "r", "filter", "NOPE");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ReadErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message, "r: table filter has no chain NOPE (chains: INPUT, FORWARD, OUTPUT, ALLOW)");
}

TEST(IptablesSyntax, InsertNewChainReplacedTableAndLegacyNotice) {
  const auto text =
      "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n"
      "*filter\n-A INPUT -s 192.0.2.1 -j ACCEPT\nCOMMIT\n"
      "*filter\n-N X\n-A X -s 192.0.2.2 -j ACCEPT\n-I X -s 192.0.2.3 -j ACCEPT\n-I X 2 -s 192.0.2.4 -j ACCEPT\n"
      "-A INPUT -j X\nCOMMIT\n";
  auto list = parse_iptables_save_chain(text, "r", "filter", "INPUT");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->ips.size(), 3U);  // the first *filter block was replaced by the second
  EXPECT_EQ(list->ips[0].origin, "filter/X rule 1 (r:8) via filter/INPUT rule 1 (r:10)");
  EXPECT_EQ(list->ips[1].origin, "filter/X rule 2 (r:9) via filter/INPUT rule 1 (r:10)");
  EXPECT_THAT(list->warnings, ElementsAre(HasSubstr("r:1: iptables-legacy tables are present"),
                                          HasSubstr("filter/INPUT has policy ACCEPT")));
  // ip6tables-save words it with its own name.
  auto v6 = parse_iptables_save_chain(
      "# Warning: ip6tables-legacy tables present, use ip6tables-legacy-save to see them\n*filter\nCOMMIT\n", "r",
      "filter", "INPUT");
  ASSERT_TRUE(v6);
  EXPECT_THAT(v6->warnings, ElementsAre(HasSubstr("r:1: iptables-legacy tables are present"), HasSubstr("policy")));
}

TEST(IptablesSyntax, RejectsWhatIsNotIptablesRestoreInput) {
  EXPECT_EQ(parse_error(filter("-A NOPE -j ACCEPT\n")),
            "r:6: -A NOPE: no such chain in table filter (expected a ':NOPE - [0:0]' line before its rules)");
  EXPECT_EQ(parse_error("*filter\n-A INPUT -j ACCEPT\n"),
            "r:1: table filter is never committed (expected a COMMIT line before the end)");
  EXPECT_EQ(parse_error("-A INPUT -j ACCEPT\n"),
            "r:1: found '-A INPUT -j ACCEPT' outside a table (expected *TABLE, such as *filter)");
  EXPECT_EQ(parse_error("*filtre\nCOMMIT\n"),
            "r:1: unknown table 'filtre' (expected filter, nat, mangle, raw or security)");
  EXPECT_EQ(parse_error("*filter\n*nat\n"),
            "r:2: '*nat' while table filter (line 1) is not committed (expected COMMIT "
            "first)");
  EXPECT_EQ(parse_error(filter("-A ALLOW -s 192.0.2.300 -j ACCEPT\n")),
            "r:6: -s '192.0.2.300': '192.0.2.300': octet 300 is over 255");
  EXPECT_THAT(parse_error(filter("-A ALLOW -s 10.0.0.1-10.0.0.2 -j ACCEPT\n")), HasSubstr("a range is not valid here"));
  EXPECT_EQ(parse_error(filter("-A ALLOW --src-range 10.0.0.1-10.0.0.2 -j ACCEPT\n")),
            "r:6: --src-range without -m iprange before it");
  EXPECT_EQ(parse_error(filter("-A ALLOW -s 192.0.2.1 -j ACCEPT\n-A ALLOW -s 2001:db8::1 -j ACCEPT\n")),
            "r:7: -s 2001:db8::1: an IPv6 address, but line 6 has IPv4 ones (iptables-save and ip6tables-save "
            "output are separate files)");
  EXPECT_EQ(parse_error(filter("-A ALLOW -s 192.0.2.1 -s 192.0.2.2 -j ACCEPT\n")), "r:6: more than one -s in one rule");
  EXPECT_EQ(parse_error(filter("-A ALLOW -m comment --comment \"open -j ACCEPT\n")),
            "r:6: unterminated quoted string (a '\"' without its closing '\"')");
  EXPECT_EQ(parse_error(filter("-D ALLOW -j ACCEPT\n")),
            "r:6: found '-D' (expected -A CHAIN, -I CHAIN or -N CHAIN, a :CHAIN line or COMMIT)");
  EXPECT_EQ(parse_error(filter(":ALLOW ACCEPT [0:0]\n")), "r:6: user chain ALLOW with policy 'ACCEPT' (expected '-')");
  EXPECT_EQ(parse_error(filter("-A ALLOW -m set --match-set cf sideways -j ACCEPT\n")),
            "r:6: --match-set flags 'sideways': expected src or dst, comma-separated");
  EXPECT_EQ(parse_error(filter("-A ALLOW -j ACCEPT !\n")), "r:6: '!' at the end of the rule");
  EXPECT_EQ(parse_error(filter("-I ALLOW 3 -j ACCEPT\n")), "r:6: -I ALLOW 3: no such position (the chain has 0 rules)");
}

}  // namespace
}  // namespace allowdrift::firewall
