// The iptables-save parser and chain reading, on the real files of tests/data/localfw/iptables/ and on small
// texts for each rule of iptables-restore's syntax.
#include "firewall/iptables_save.h"
#include "firewall/ipset_save.h"
#include "firewall/iptables_chain.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allowdrift::firewall {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string data(const std::string& name) { return allowdrift::testing::read_test_data("localfw/iptables/" + name); }

std::vector<std::string> cidrs(const Allowlist& list) { return list.ip_set().to_cidr_strings(); }

Allowlist read_ok(std::string_view text, std::string_view table, std::string_view chain) {
  auto list = parse_iptables_save_chain(text, "rules", table, chain);
  EXPECT_TRUE(list) << (list ? "" : list.error().message);
  return list ? *list : Allowlist{};
}

ReadError read_error(std::string_view text, std::string_view table, std::string_view chain) {
  auto list = parse_iptables_save_chain(text, "rules", table, chain);
  EXPECT_FALSE(list);
  return list ? ReadError{} : list.error();
}

const std::vector<std::string> kCloudflare2020 = {
    "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22",    "104.16.0.0/12",  "108.162.192.0/18",
    "131.0.72.0/22",   "141.101.64.0/18", "162.158.0.0/15",   "172.64.0.0/13",  "173.245.48.0/20",
    "188.114.96.0/20", "190.93.240.0/20", "197.234.240.0/22", "198.41.128.0/17"};

// Real: a 2020 mangle/PREROUTING allowlist that still has Cloudflare's retired 104.16.0.0/12.
TEST(IptablesSave, StaleCloudflareMangleChain) {
  const auto list =
      read_ok(data("iptables-save-cloudflare-allow-stale-2020-allequalit.rules.v4"), "mangle", "PREROUTING");
  EXPECT_EQ(cidrs(list), kCloudflare2020);
  ASSERT_EQ(list.ips.size(), 28U);  // each CIDR accepted on port 80 and on port 443
  EXPECT_EQ(list.ips[11].origin, "mangle/PREROUTING rule 12 (rules:18)");
  EXPECT_THAT(list.warnings, ElementsAre(HasSubstr("mangle/PREROUTING has policy ACCEPT")));
  // The file has no filter table: the error lists what is there.
  const auto e = read_error(data("iptables-save-cloudflare-allow-stale-2020-allequalit.rules.v4"), "filter", "INPUT");
  EXPECT_EQ(e.kind, ReadErrorKind::kNotFound);
  EXPECT_EQ(e.message, "rules: no table filter (tables present: mangle)");
}

TEST(IptablesSave, StaleCloudflareIpv6) {
  const auto list = read_ok(data("ip6tables-save-cloudflare-allow-2020-allequalit.rules.v6"), "mangle", "PREROUTING");
  EXPECT_EQ(cidrs(list),
            (std::vector<std::string>{"2400:cb00::/32", "2405:8100::/32", "2405:b500::/32", "2606:4700::/32",
                                      "2803:f800::/32", "2a06:98c0::/29", "2c0f:f248::/32"}));
}

// Real: INPUT jumps to a CLOUDFLARE chain on port 443; the jump is followed.
TEST(IptablesSave, CloudflareOnlyChainAndTheJumpToIt) {
  const auto text = data("iptables-restore-cloudflare-only-chain-c0m4r.rules");
  const auto chain = read_ok(text, "filter", "CLOUDFLARE");
  EXPECT_EQ(cidrs(chain),
            (std::vector<std::string>{"103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "104.16.0.0/13",
                                      "104.24.0.0/14", "108.162.192.0/18", "131.0.72.0/22", "141.101.64.0/18",
                                      "162.158.0.0/15", "172.64.0.0/13", "173.245.48.0/20", "188.114.96.0/20",
                                      "190.93.240.0/20", "197.234.240.0/22", "198.41.128.0/17"}));
  EXPECT_THAT(chain.warnings, IsEmpty());  // a user chain: no policy

  const auto input = read_ok(text, "filter", "INPUT");
  EXPECT_EQ(cidrs(input), cidrs(chain));
  EXPECT_EQ(input.ips.front().origin, "filter/CLOUDFLARE rule 1 (rules:11) via filter/INPUT rule 3 (rules:8)");
  // Policy DROP: no policy warning; the port-only and state rules are named.
  EXPECT_THAT(input.warnings, ElementsAre("rules: filter/INPUT: 4 ACCEPT rules match no source address (lines 6, 7, "
                                          "9, 10): they accept from any address, narrowed only by ports, interfaces "
                                          "or state, and are not listed as allowlist entries"));

  const auto v6 = read_ok(data("ip6tables-restore-cloudflare-only-chain-c0m4r.rules"), "filter", "CLOUDFLARE");
  EXPECT_EQ(v6.ip_set().to_cidr_strings().size(), 7U);
}

// Real: iptables-save v1.8.7 with -m set --match-set cf src. From the file alone the set cannot be read: a warning
// says so; with its ipset save companion the set's members (still 104.16.0.0/12) are the allowlist.
TEST(IptablesSave, MatchSetNeedsTheSetsMembers) {
  const auto text = data("iptables-save-match-set-cloudflare-2021-02-05-nicholascw.rules");
  const auto list = read_ok(text, "filter", "INPUT");
  EXPECT_THAT(list.ips, IsEmpty());
  EXPECT_THAT(list.warnings, Contains("rules:7: filter/INPUT rule 2: accepts the sources in ipset 'cf', whose members "
                                      "a saved rules file does not hold; read them with ipset:cf or "
                                      "ipset-save:FILE#cf"));

  auto dump = parse_iptables_save(text, "rules");
  ASSERT_TRUE(dump);
  auto reading = read_iptables_chain(*dump, "filter", "INPUT", "rules");
  ASSERT_TRUE(reading);
  ASSERT_EQ(reading->set_uses.size(), 1U);
  EXPECT_EQ(reading->set_uses[0].set_name, "cf");
  const auto set = parse_ipset_save_set(
      allowdrift::testing::read_test_data("localfw/ipset/ipset-save-cloudflare-hash-net-nicholascw.conf"), "ipset",
      "cf");
  ASSERT_TRUE(set);
  add_set_use(reading->list, reading->set_uses[0], *set);
  EXPECT_EQ(cidrs(reading->list), kCloudflare2020);
  EXPECT_EQ(reading->list.ips[2].origin, "set cf (ipset:4) via filter/INPUT rule 2 (rules:7)");
}

// Real: "# Table `filter' is incompatible, use 'nft' tool." is not an empty chain.
TEST(IptablesSave, IncompatibleTablesAreAnErrorNotAnEmptyList) {
  const auto text = data("iptables-legacy-save-incompatible-with-nft-tables-error.txt");
  const auto e = read_error(text, "filter", "INPUT");
  EXPECT_EQ(e.kind, ReadErrorKind::kUnsupported);
  EXPECT_THAT(e.message, AllOf(HasSubstr("table filter as incompatible"), HasSubstr("nft-chain:ip/filter/INPUT")));
  const auto mangle = read_error(text, "mangle", "PREROUTING");
  EXPECT_EQ(mangle.kind, ReadErrorKind::kNotFound);
  EXPECT_EQ(mangle.message,
            "rules: no table mangle (tables present: none; reported incompatible by iptables-nft: filter, nat)");
}

// Real: an OCI image's rules.v4 whose long comments were cut ("...re$"): not valid iptables-restore input.
TEST(IptablesSave, TruncatedQuoteRejectsTheFile) {
  const auto e = read_error(data("iptables-oracle-cloud-image-default-rules.v4"), "filter", "INPUT");
  EXPECT_EQ(e.kind, ReadErrorKind::kParse);
  EXPECT_EQ(e.message, "rules:22: unterminated quoted string (a '\"' without its closing '\"')");
}

// Real: iptables-nft v1.8.9 dump of a home router; jumps into ts-input, sets in FORWARD.
TEST(IptablesSave, NfTablesDumpWithJumpsAndSets) {
  const auto text = data("iptables-save-nf_tables-2026-01-18-pays0n.rules.v4");
  const auto input = read_ok(text, "filter", "INPUT");
  EXPECT_EQ(cidrs(input), (std::vector<std::string>{"100.68.1.124/32", "172.30.0.0/24", "192.168.22.0/24"}));
  EXPECT_EQ(input.ips.front().origin, "filter/ts-input rule 1 (rules:56) via filter/INPUT rule 1 (rules:21)");

  auto dump = parse_iptables_save(text, "rules");
  ASSERT_TRUE(dump);
  EXPECT_EQ(dump->tables.size(), 3U);
  auto forward = read_iptables_chain(*dump, "filter", "FORWARD", "rules");
  ASSERT_TRUE(forward);
  ASSERT_EQ(forward->set_uses.size(), 1U);
  EXPECT_EQ(forward->set_uses[0].set_name, "allowed_internet");
  EXPECT_EQ(forward->set_uses[0].origin, "filter/FORWARD rule 6 (rules:38)");
  // DOCKER accepts by destination only (reached through DOCKER-FORWARD -> DOCKER-BRIDGE -> DOCKER).
  EXPECT_THAT(forward->list.warnings, Contains(HasSubstr("filter/DOCKER: 1 ACCEPT rules match only a destination "
                                                         "address (lines 39)")));
  const auto set = parse_ipset_save_set(
      allowdrift::testing::read_test_data("localfw/ipset/ipset-save-hash-ip-bucketsize-initval-pays0n.conf"), "ipset",
      "allowed_internet");
  ASSERT_TRUE(set);
  add_set_use(forward->list, forward->set_uses[0], *set);
  EXPECT_EQ(cidrs(forward->list),
            (std::vector<std::string>{"192.168.22.50/31", "192.168.22.52/31", "192.168.22.75/32", "192.168.22.76/31"}));
}

TEST(IptablesSave, OtherRealDumpsParse) {
  const auto docker =
      read_ok(data("iptables-save-nftables-backend-docker-tailscale-2026-04-03.rules"), "filter", "INPUT");
  EXPECT_EQ(cidrs(docker), (std::vector<std::string>{"100.80.71.81/32"}));
  // A negated source on a DROP rule is nothing to report: only ACCEPT paths matter.
  const auto internal =
      read_ok(data("iptables-save-nftables-backend-docker-tailscale-2026-04-03.rules"), "filter", "DOCKER-INTERNAL");
  EXPECT_THAT(internal.ips, IsEmpty());
  EXPECT_THAT(internal.warnings, IsEmpty());

  // iptables 1.4.7 with trailing spaces after each rule.
  const auto centos = read_ok(data("iptables-save-v1.4.7-centos6-2014-02-17.rules"), "filter", "INPUT");
  EXPECT_THAT(centos.ips, IsEmpty());
  EXPECT_THAT(centos.warnings,
              ElementsAre(HasSubstr("has policy ACCEPT"), HasSubstr("6 ACCEPT rules match no source")));

  // 2016: WHITELIST_IPS accepted; the BANNED/TOR/SPOOF jumps lead only to REJECT and LOG, and are not reported.
  auto dump = parse_iptables_save(data("iptables-save-with-match-set-2016-duynguyen.conf"), "rules");
  ASSERT_TRUE(dump);
  auto input = read_iptables_chain(*dump, "filter", "INPUT", "rules");
  ASSERT_TRUE(input);
  ASSERT_EQ(input->set_uses.size(), 1U);
  EXPECT_EQ(input->set_uses[0].set_name, "WHITELIST_IPS");
  const auto empty = parse_ipset_save_set(
      allowdrift::testing::read_test_data("localfw/ipset/ipset-save-empty-sets-2016-duynguyen.conf"), "ipset",
      "WHITELIST_IPS");
  ASSERT_TRUE(empty);
  add_set_use(input->list, input->set_uses[0], *empty);
  EXPECT_THAT(input->list.ips, IsEmpty());
  EXPECT_THAT(input->list.warnings,
              ElementsAre(HasSubstr("has policy ACCEPT"), HasSubstr("7 ACCEPT rules match no source address"),
                          HasSubstr("1 ACCEPT rules match only a destination address (lines 38)")));
}

}  // namespace
}  // namespace allowdrift::firewall
