// nft's JSON (`nft -j list ruleset`) on the real files of tests/data/localfw/nftables/: the nftables test suite's
// own dumps, and rulesets from public projects loaded into a namespace and listed (*.generated.json, see
// generate-json.sh there), plus hand-made documents for each error.
#include "firewall/nft_json.h"

#include "allowlist_matchers.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allowdrift::firewall {
namespace {

using allowdrift::testing::allows;
using allowdrift::testing::allows_any;
using allowdrift::testing::cidrs;
using allowdrift::testing::warnings_with;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Strings = std::vector<std::string>;

std::string data(const std::string& name) { return allowdrift::testing::read_test_data("localfw/nftables/" + name); }

ReadResult<Allowlist> read(const std::string& text, const std::string& selector) {
  auto spec = parse_target_spec("nft-json:f.json" + (selector.empty() ? "" : "#" + selector));
  EXPECT_TRUE(spec) << selector;
  return parse_nft_json_target(text, "f.json", *spec);
}

Allowlist read_ok(const std::string& text, const std::string& selector) {
  auto list = read(text, selector);
  EXPECT_TRUE(list) << (list ? "" : list.error().message);
  return list ? *list : Allowlist{};
}

ReadError read_error(const std::string& text, const std::string& selector) {
  auto list = read(text, selector);
  EXPECT_FALSE(list) << selector;
  return list ? ReadError{} : list.error();
}

// A document of one metainfo and the given items.
std::string doc(const std::string& items) {
  return R"({"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}})" +
         (items.empty() ? "" : ", " + items) + "]}";
}
std::string set4(const std::string& elems, const std::string& type = R"("ipv4_addr")") {
  return R"({"set": {"family": "inet", "name": "s", "table": "t", "type": )" + type + R"(, "elem": [)" + elems + "]}}";
}

// nftables tests/shell/testcases/sets/dumps/0001named_interval_0.json-nft: a range, a prefix, IPv6, non-addresses.
TEST(NftJson, TestsuiteNamedIntervals) {
  const auto text = data("nftables-testsuite-sets-0001named_interval_0.json-nft");
  const auto s1 = read_ok(text, "t/s1");
  EXPECT_EQ(cidrs(s1), (Strings{"10.0.0.0/8", "11.0.0.0/32", "172.16.0.0/16"}));
  EXPECT_THAT(testing::origins(s1), ElementsAre("set inet/t/s1", "set inet/t/s1"));
  EXPECT_EQ(cidrs(read_ok(text, "inet/t/s2")),
            (Strings{"fe00::/64", "fe11::/16", "fe12::/15", "fe14::/14", "fe18::/13", "fe20::/15", "fe22::/128"}));
  const auto proto = read_error(text, "t/s3");
  EXPECT_EQ(proto.kind, ReadErrorKind::kUnsupported);
  EXPECT_THAT(proto.message, HasSubstr("set inet/t/s3 has type inet_proto; only ipv4_addr and ipv6_addr"));

  // The chain has no hook, so its sources count: `ip saddr @s1 accept`; `ip6 daddr @s2` and the protocol and port
  // matches allow no source.
  const auto chain = read_ok(text, "t/c");
  EXPECT_EQ(cidrs(chain), cidrs(s1));
  EXPECT_EQ(chain.ips.front().origin, "chain inet/t/c rule handle 0 (set @s1)");
  EXPECT_THAT(chain.warnings, IsEmpty());
}

TEST(NftJson, TestsuiteAutomergeCommentsAndPorts) {
  // The file's only set, no selector needed; two adjacent /24 normalize to one /23.
  const auto merged = read_ok(data("nftables-testsuite-sets-0002named_interval_automerging_0.json-nft"), "");
  EXPECT_EQ(merged.ips.size(), 2U);
  EXPECT_EQ(cidrs(merged), (Strings{"192.168.0.0/23"}));
  // {"elem": {"val": "1.1.1.1", "comment": "test"}}
  EXPECT_EQ(cidrs(read_ok(data("nftables-testsuite-sets-0008comments_interval_0.json-nft"), "ip/t/s")),
            (Strings{"1.1.1.1/32"}));
  const auto ports = read_error(data("nftables-testsuite-sets-0044interval_overlap_1.json-nft"), "");
  EXPECT_EQ(ports.kind, ReadErrorKind::kUnsupported);
  EXPECT_THAT(ports.message, HasSubstr("has type inet_service"));
}

// Every case at once: tests/data/localfw/nftables/handwritten-allowlist-cases.nft as nft 1.0.6 lists it.
TEST(NftJson, HandwrittenSets) {
  const auto text = data("handwritten-allowlist-cases.generated.json");
  EXPECT_EQ(cidrs(read_ok(text, "inet/filter/allowed")),
            (Strings{"10.0.0.0/8", "192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/30", "192.0.2.8/31", "198.51.100.7/32",
                     "203.0.113.0/24", "255.255.255.0/24"}));
  EXPECT_EQ(cidrs(read_ok(text, "filter/allowed6")), (Strings{"::1/128", "2001:db8::/32", "ffff::/16"}));
  EXPECT_EQ(cidrs(read_ok(text, "filter/hosts")), (Strings{"192.0.2.200/31"}));
  const auto empty = read(text, "filter/empty4");  // exists and is empty: not an error
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_THAT(read_error(text, "filter/ports").message, HasSubstr("has type inet_service"));
  EXPECT_THAT(read_error(text, "filter/pairs").message, HasSubstr("has type ipv4_addr . inet_service"));
  const auto map = read_error(text, "filter/marks");
  EXPECT_EQ(map.kind, ReadErrorKind::kUnsupported);
  EXPECT_THAT(map.message, HasSubstr("map inet/filter/marks is a map"));
}

TEST(NftJson, HandwrittenChains) {
  const auto text = data("handwritten-allowlist-cases.generated.json");
  const auto input = read_ok(text, "filter/input");
  EXPECT_EQ(cidrs(input), (Strings{"10.0.0.0/8", "172.16.0.0/12", "192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/30",
                                   "192.0.2.8/31", "192.0.2.50/32", "198.51.100.0/24", "203.0.113.0/24",
                                   "255.255.255.0/24", "::1/128", "2001:db8::/32", "ffff::/16"}));
  // Negated, dropped, masked, concatenated and mapped sources are never read as allowed.
  for (const char* never : {"192.0.2.66", "192.0.2.99", "192.0.2.77", "0.0.1.0"}) {
    EXPECT_FALSE(allows_any(input, never)) << never;
  }
  EXPECT_EQ(input.ips.front().origin, "chain inet/filter/input rule handle 11");
  EXPECT_EQ(input.ips.back().origin, "chain inet/filter/input rule handle 15 (set @allowed6)");
  EXPECT_THAT(input.warnings,
              ElementsAre("chain inet/filter/input rule handle 16: the negated match ip saddr != is not supported; "
                          "rule skipped",
                          "chain inet/filter/input rule handle 18: a match on saddr inside an expression (a "
                          "mask, a concatenation) is not supported; rule skipped",
                          "chain inet/filter/input rule handle 20: a match on saddr inside an expression (a "
                          "mask, a concatenation) is not supported; rule skipped",
                          "chain inet/filter/input rule handle 22: a verdict map keyed on saddr is not supported; "
                          "rule skipped"));
  // An output chain allows destinations: `ip daddr 192.0.2.53 ... accept`, not `ip saddr 192.0.2.254 accept`.
  const auto output = read_ok(text, "filter/output");
  EXPECT_EQ(cidrs(output), (Strings{"192.0.2.53/32"}));
  EXPECT_EQ(warnings_with(output, "chain inet/filter/output: policy accept"), 1U);
}

// dfinity/http-gateway-release etc/nftables.conf, its unpublished defines stood in for (includes/dfinity-defs.nft).
TEST(NftJson, DfinityGateway) {
  const auto text = data("nftables-dfinity-http-gateway.generated.json");
  const auto v4 = read_ok(text, "ip/filter/input");
  EXPECT_EQ(cidrs(v4), (Strings{"192.0.2.10/31", "198.51.100.0/28"}));  // ip saddr { $gw_saddr_v4 } accept
  const auto v6 = read_ok(text, "ip6/filter/input");
  // gw, ssh and monitoring sources, including the real file's literal ::/128.
  EXPECT_EQ(cidrs(v6), (Strings{"::/128", "2001:db8:1::/48", "2001:db8:22::10/127", "2001:db8:100::/64"}));
  const auto crowdsec = read(text, "ip/filter/crowdsec");
  ASSERT_TRUE(crowdsec);
  EXPECT_TRUE(crowdsec->empty());
  const auto ambiguous = read_error(text, "filter/input");  // ip and ip6 both have filter/input
  EXPECT_EQ(ambiguous.kind, ReadErrorKind::kBadSpec);
  EXPECT_THAT(ambiguous.message, HasSubstr("(ip/filter/input, ip6/filter/input); write PATH#FAMILY/TABLE/NAME"));
}

// makhomed/nftables-tool contrib/nftables.conf: a real literal prefix and a set from a (stood-in) include.
TEST(NftJson, MakhomedIncludedSet) {
  const auto input = read_ok(data("nftables-include-generated-allowed-set-makhomed.generated.json"), "filter/input");
  EXPECT_TRUE(allows(input, "172.19.151.0/24"));
  EXPECT_TRUE(allows(input, "2001:db8:c::1-2001:db8:c::ff"));
  EXPECT_EQ(cidrs(input).size(), 11U);
  EXPECT_THAT(input.warnings, IsEmpty());  // policy drop
}

// Jimmy-Z/potato-routing etc/nftables.conf: a constant interval set of private ranges.
TEST(NftJson, PotatoLanSet) {
  const auto text = data("nftables-potato-routing-named-sets.generated.json");
  EXPECT_EQ(cidrs(read_ok(text, "potato/lan")),
            (Strings{"10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"}));
  const auto none = read_error(text, "potato/nosuch");
  EXPECT_EQ(none.kind, ReadErrorKind::kNotFound);
  EXPECT_THAT(none.message, HasSubstr("f.json: no set or chain potato/nosuch; sets: set ip/potato/china, "
                                      "set ip/potato/lan, set ip/potato/tcp_ports, set ip/potato/udp_ports; chains: "
                                      "ip/potato/input, ip/potato/potato"));
  const auto several = read_error(text, "");
  EXPECT_EQ(several.kind, ReadErrorKind::kNotFound);
  EXPECT_THAT(several.message, HasSubstr("the document holds 4 named sets; name one with PATH#TABLE/SET"));
}

// acore2026/free5gc-compose nft-ruleset.txt: Docker and Tailscale chains written by iptables-nft.
TEST(NftJson, Free5gcDockerTailscale) {
  const auto text = data("nft-list-ruleset-docker-tailscale-free5gc-2026-05-20.generated.json");
  EXPECT_EQ(cidrs(read_ok(text, "ip/filter/FORWARD")), (Strings{"10.60.0.0/24", "10.88.120.0/24", "192.168.3.0/24"}));
  EXPECT_EQ(cidrs(read_ok(text, "ip/filter/ts-input")), (Strings{"100.123.36.96/32"}));  // the drop/return rules not
  EXPECT_EQ(cidrs(read_ok(text, "ip6/filter/ts-input")), (Strings{"fd7a:115c:a1e0::8236:2460/128"}));
  const auto input = read_ok(text, "ip/filter/INPUT");  // only a jump: no address, and policy accept
  EXPECT_TRUE(input.empty());
  EXPECT_THAT(input.warnings, ElementsAre("chain ip/filter/INPUT: policy accept: addresses that no rule drops are "
                                          "allowed as well"));
  EXPECT_THAT(read_error(text, "").message, HasSubstr("the document holds no named set"));
}

TEST(NftJson, TranslatedAndBlocklistRulesets) {
  const auto forward =
      read_ok(data("nft-iptables-restore-translate-output-2022-04-28.generated.json"), "filter/FORWARD");
  EXPECT_TRUE(forward.ips.empty());  // interface-only accept rules
  const auto blocklist = read(data("nftables-raw-prerouting-blocklist-set-akurov.generated.json"), "");
  ASSERT_TRUE(blocklist);
  EXPECT_TRUE(blocklist->empty());  // the set exists and is empty
}

TEST(NftJson, SchemaVersion) {
  const auto v2 = read_error(R"({"nftables": [{"metainfo": {"json_schema_version": 2}}]})", "");
  EXPECT_EQ(v2.kind, ReadErrorKind::kUnsupported);
  EXPECT_THAT(v2.message, HasSubstr("f.json: nftables[0].metainfo: json_schema_version 2 is not supported"));
  EXPECT_EQ(read_error(R"({"nftables": [{"metainfo": {"version": "0.9.0"}}]})", "").kind, ReadErrorKind::kUnsupported);
  EXPECT_EQ(read_error(R"({"nftables": []})", "").kind, ReadErrorKind::kUnsupported);
  EXPECT_EQ(read_error(R"({"nftables": [{"metainfo": {"json_schema_version": "1"}}]})", "").kind,
            ReadErrorKind::kParse);
  EXPECT_THAT(read_error(doc(R"({"metainfo": {"json_schema_version": 1}})"), "").message,
              HasSubstr("nftables[1].metainfo: a second metainfo"));
}

TEST(NftJson, DocumentErrors) {
  EXPECT_THAT(read_error("<html><title>502 Bad Gateway</title></html>", "").message, HasSubstr("f.json: "));
  EXPECT_THAT(read_error(R"({"nftables": {}})", "").message, HasSubstr("expected {\"nftables\": [...]}"));
  EXPECT_THAT(read_error(R"({"nftables": [], "x": 1})", "").message, HasSubstr("expected {\"nftables\": [...]}"));
  EXPECT_THAT(read_error(doc(R"({"set": {}, "chain": {}})"), "").message,
              HasSubstr("nftables[1]: expected an object of one member"));
  EXPECT_THAT(read_error(doc(R"({"set": {"family": "ip", "name": "s"}})"), "").message,
              HasSubstr("nftables[1].set: expected a string member \"table\", found none"));
  EXPECT_EQ(read_error(doc(R"({"set": {"family": "ip", "table": "t", "name": "s", "name": "x"}})"), "").kind,
            ReadErrorKind::kParse);  // a duplicate key
}

TEST(NftJson, ElementErrors) {
  const auto error = [](const std::string& elems) { return read_error(doc(set4(elems)), "").message; };
  EXPECT_THAT(error(R"("10.0.0.256")"), HasSubstr("f.json: nftables[1].set.elem[0]: "));
  EXPECT_THAT(error(R"("10.0.0.1", 42)"),
              HasSubstr("nftables[1].set.elem[1]: expected an address, {\"prefix\": ...}, {\"range\": ...} or "
                        "{\"elem\": ...}, found the number 42"));
  EXPECT_THAT(error(R"("2001:db8::1")"), HasSubstr("an IPv6 entry where IPv4 was expected"));
  EXPECT_THAT(error(R"({"prefix": {"addr": "10.0.0.0", "len": 33}})"), HasSubstr("elem[0].prefix: "));
  EXPECT_THAT(error(R"({"prefix": {"addr": "10.0.0.0", "len": 8.0}})"), HasSubstr("expected {\"addr\""));
  EXPECT_THAT(error(R"({"range": ["10.0.0.9", "10.0.0.1"]})"), HasSubstr("elem[0].range: "));
  EXPECT_THAT(error(R"({"range": ["10.0.0.1"]})"), HasSubstr("expected [FIRST, LAST]"));
  EXPECT_THAT(error(R"({"elem": {"val": {"elem": {"val": "10.0.0.1"}}}})"), HasSubstr("expected {\"val\""));
  EXPECT_THAT(error(R"({"elem": {"timeout": 3}})"), HasSubstr("expected {\"val\""));
  EXPECT_THAT(read_error(doc(set4("", "42")), "").message, HasSubstr("expected a \"type\""));

  // Host bits under a prefix are cleared, as nft itself does, with a warning.
  const auto host = read_ok(doc(set4(R"({"prefix": {"addr": "10.0.0.1", "len": 24}})")), "");
  EXPECT_EQ(cidrs(host), (Strings{"10.0.0.0/24"}));
  EXPECT_EQ(warnings_with(host, "set inet/t/s: '10.0.0.1/24' has host bits set"), 1U);
}

TEST(NftJson, RuleErrors) {
  const std::string chain = R"({"chain": {"family": "inet", "table": "t", "name": "c", "hook": "input"}})";
  const auto rule = [](const std::string& expr) {
    return R"({"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 4, "expr": )" + expr + "}}";
  };
  const auto saddr = [](const std::string& right) {
    return R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": )" + right +
           R"(}}, {"accept": null}])";
  };
  // `nft -j list chain` alone lacks the set the rule uses.
  EXPECT_THAT(read_error(doc(chain + ", " + rule(saddr(R"("@allowed")"))), "t/c").message,
              HasSubstr("nftables[2].rule.expr[0].match.right: the rule uses set @allowed, which the document does "
                        "not hold"));
  EXPECT_THAT(read_error(doc(chain + ", " + rule(saddr(R"({"set": ["10.0.0.1", "::1"]})"))), "t/c").message,
              HasSubstr("match.right.set[1]: an IPv6 entry where IPv4 was expected"));
  EXPECT_THAT(read_error(doc(chain + ", " + rule(saddr("null"))), "t/c").message,
              HasSubstr("match.right: expected an address"));
  EXPECT_THAT(read_error(doc(chain + ", " + rule("{}")), "t/c").message, HasSubstr("expected an \"expr\" array"));
  const auto two = read_ok(doc(chain + ", " + rule(R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip",
      "field": "saddr"}}, "right": "10.0.0.1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip",
      "field": "saddr"}}, "right": "10.0.0.2"}}, {"accept": null}])")),
                           "t/c");
  EXPECT_TRUE(two.ips.empty());
  EXPECT_THAT(two.warnings, ElementsAre("chain inet/t/c rule handle 4: a second match on ip saddr is not supported; "
                                        "rule skipped"));
  const auto less = read_ok(doc(chain + ", " + rule(R"([{"match": {"op": "<", "left": {"payload": {"protocol": "ip",
      "field": "saddr"}}, "right": "10.0.0.1"}}, {"accept": null}])")),
                            "t/c");
  EXPECT_THAT(less.warnings, ElementsAre(HasSubstr("the comparison ip saddr < is not supported")));
}

TEST(NftJson, ListNames) {
  EXPECT_EQ(list_names({}), "none");
  EXPECT_EQ(list_names({"a", "b", "c"}, 2), "a, b and 1 more");
}

}  // namespace
}  // namespace allowdrift::firewall
