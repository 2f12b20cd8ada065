// The ipset save parser on the real files of tests/data/localfw/ipset/ and on `ipset save` output of ipset 7.17.
#include "firewall/ipset_save.h"
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

std::string data(const std::string& name) { return allowdrift::testing::read_test_data("localfw/ipset/" + name); }

std::vector<std::string> cidrs(const Allowlist& list) { return list.ip_set().to_cidr_strings(); }

Allowlist read_ok(const std::string& text, std::string_view name) {
  auto list = parse_ipset_save_set(text, "s", name);
  EXPECT_TRUE(list) << (list ? "" : list.error().message);
  return list ? *list : Allowlist{};
}

ReadError read_error(const std::string& text, std::string_view name) {
  auto list = parse_ipset_save_set(text, "s", name);
  EXPECT_FALSE(list);
  return list ? ReadError{} : list.error();
}

// Real: a hash:net set of 2021 still holding Cloudflare's retired 104.16.0.0/12.
TEST(IpsetSave, StaleCloudflareHashNet) {
  const auto list = read_ok(data("ipset-save-cloudflare-hash-net-nicholascw.conf"), "cf");
  ASSERT_EQ(list.ips.size(), 14U);
  EXPECT_EQ(cidrs(list), (std::vector<std::string>{
                             "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "104.16.0.0/12", "108.162.192.0/18",
                             "131.0.72.0/22", "141.101.64.0/18", "162.158.0.0/15", "172.64.0.0/13", "173.245.48.0/20",
                             "188.114.96.0/20", "190.93.240.0/20", "197.234.240.0/22", "198.41.128.0/17"}));
  EXPECT_EQ(list.ips[2].origin, "set cf (s:4)");
  EXPECT_THAT(list.warnings, IsEmpty());
}

// Real: ipset 7.x output (bucketsize, initval) with 11 country sets.
TEST(IpsetSave, CountrySets) {
  const auto text = data("ipset-save-country-sets-2025-02-21.conf");
  auto document = parse_ipset_save(text, "s");
  ASSERT_TRUE(document) << document.error().message;
  std::vector<std::string> names;
  for (const auto& s : document->sets) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"CN", "IR", "AE", "ZA", "HK", "LT", "TM", "TW", "UA", "RKN", "SH"}));
  EXPECT_EQ(document->find("CN")->members.size(), 5499U);
  EXPECT_EQ(document->find("CN")->maxelem, 65536U);
  const auto tm = ipset_allowlist(*document, "TM", "s");
  ASSERT_TRUE(tm);
  EXPECT_EQ(cidrs(*tm), (std::vector<std::string>{"77.83.59.0/24", "95.85.96.0/19", "103.220.0.0/22",
                                                  "119.235.112.0/20", "177.93.143.0/24", "185.69.184.0/22",
                                                  "185.246.72.0/22", "216.250.8.0/21", "217.174.224.0/20"}));
  EXPECT_EQ(tm->ips.front().origin, "set TM (s:13309)");
  const auto missing = ipset_allowlist(*document, "RU", "s");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ReadErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message,
            "s: no ipset named RU (sets present: CN, IR, AE, ZA, HK, LT, TM, TW, UA, RKN, SH)");
}

// Real: four empty sets (old format, no bucketsize): each is a valid, empty allowlist.
TEST(IpsetSave, EmptySetsAreEmptyNotErrors) {
  const auto text = data("ipset-save-empty-sets-2016-duynguyen.conf");
  for (const auto* name : {"TOR_IPS", "BANNED_RANGES", "BANNED_IPS", "WHITELIST_IPS"}) {
    const auto list = read_ok(text, name);
    EXPECT_TRUE(list.empty()) << name;
    EXPECT_THAT(list.warnings, IsEmpty()) << name;
  }
  const auto pays0n = read_ok(data("ipset-save-hash-ip-bucketsize-initval-pays0n.conf"), "allowed_docker");
  EXPECT_TRUE(pays0n.empty());
}

TEST(IpsetSave, HashIpSets) {
  const auto blocklist = read_ok(data("ipset-save-hash-ip-blocklist-sashablue.conf"), "blocklist");
  EXPECT_EQ(blocklist.ips.size(), 50U);
  EXPECT_EQ(blocklist.ips.front().entry.form, model::EntryForm::kAddress);
  const auto allowed = read_ok(data("ipset-save-hash-ip-bucketsize-initval-pays0n.conf"), "allowed_internet");
  EXPECT_EQ(cidrs(allowed),
            (std::vector<std::string>{"192.168.22.50/31", "192.168.22.52/31", "192.168.22.75/32", "192.168.22.76/31"}));
}

// Captured from ipset 7.17: timeouts, counters, comments, nomatch, a netmask set, a hash:ip,port set.
constexpr const char* kLive =
    "create cf hash:net family inet hashsize 1024 maxelem 4 timeout 0 counters comment bucketsize 12 initval "
    "0xe5b699e6\n"
    "add cf 10.0.0.0/8 timeout 99 packets 0 bytes 0 comment \"hello world\"\n"
    "add cf 10.1.0.0/16 timeout 0 nomatch packets 0 bytes 0\n"
    "create e hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x057a6230\n"
    "create p hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0xb0465d3c\n"
    "add p 1.2.3.4,tcp:80\n"
    "create m hash:ip family inet hashsize 1024 maxelem 65536 netmask 24 bucketsize 12 initval 0xf64a65be\n"
    "add m 192.168.5.0\n"
    "create v6 hash:net family inet6 hashsize 1024 maxelem 2\n"
    "add v6 2001:db8::/32\n"
    "add v6 2001:db8:1::/48 nomatch\n";

TEST(IpsetSave, NomatchTimeoutsNetmaskAndTypes) {
  const auto cf = read_ok(kLive, "cf");
  EXPECT_EQ(cf.ips.size(), 1U);
  EXPECT_EQ(cf.excluded.size(), 1U);
  EXPECT_EQ(cidrs(cf).size(), 8U);  // 10.0.0.0/8 minus 10.1.0.0/16
  EXPECT_EQ(cidrs(cf).front(), "10.0.0.0/16");
  // 2 of maxelem 4 is under 90%: only the timeout is worth a warning.
  EXPECT_THAT(cf.warnings, ElementsAre("s:1: ipset cf: 1 members have a timeout; the kernel removes each when it "
                                       "expires"));
  EXPECT_EQ(cidrs(read_ok(kLive, "m")), (std::vector<std::string>{"192.168.5.0/24"}));
  EXPECT_TRUE(read_ok(kLive, "e").empty());
  const auto v6 = read_ok(kLive, "v6");
  EXPECT_THAT(v6.warnings, ElementsAre(HasSubstr("holds 2 of maxelem 2 elements (100%)")));
  EXPECT_EQ(v6.ip_set().to_cidr_strings().front(), "2001:db8::/48");
  const auto port = read_error(kLive, "p");
  EXPECT_EQ(port.kind, ReadErrorKind::kUnsupported);
  EXPECT_EQ(port.message,
            "s:5: ipset p is of type 'hash:ip,port'; only hash:ip and hash:net sets can be read as address allowlists");
}

TEST(IpsetSave, RejectsWhatIsNotIpsetSaveOutput) {
  const auto parse = [](const std::string& text) {
    const auto e = read_error(text, "x");
    EXPECT_EQ(e.kind, ReadErrorKind::kParse);
    return e.message;
  };
  EXPECT_EQ(parse("add x 10.0.0.1\n"), "s:1: add to set 'x', which no create line before defines");
  EXPECT_EQ(parse("create x hash:net\nflush x\n"), "s:2: found 'flush' (expected a create or add line)");
  EXPECT_EQ(parse("create x hash:net family inet\nadd x 2001:db8::1\n"),
            "s:2: add x: '2001:db8::1' is IPv6 in a set of family inet");
  EXPECT_EQ(parse("create x hash:net\nadd x 10.0.0.256\n"), "s:2: add x: '10.0.0.256': octet 256 is over 255");
  EXPECT_EQ(parse("create x hash:net sizeish 4\n"),
            "s:1: create x: unknown option 'sizeish' for hash:net (expected family, hashsize, maxelem, bucketsize, "
            "initval, timeout, netmask, counters, comment, skbinfo or forceadd)");
  EXPECT_EQ(parse("create x hash:ip\nadd x 10.0.0.1 nomatch\n"),
            "s:2: nomatch in a hash:ip set (only hash:net sets have it)");
  EXPECT_EQ(parse("create x hash:net comment\nadd x 10.0.0.0/8 comment \"open\n"), "s:2: unterminated quoted string");
  EXPECT_EQ(parse("create x hash:net\ncreate x hash:net\n"), "s:2: set x is created twice (first at line 1)");
  EXPECT_EQ(parse("create x hash:net maxelem lots\n"), "s:1: maxelem 'lots' (expected a number)");
}

}  // namespace
}  // namespace allowdrift::firewall
