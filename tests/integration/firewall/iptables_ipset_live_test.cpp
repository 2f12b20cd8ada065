// The live iptables:, ip6tables: and ipset: readers through the real `allowdrift allowlist`, each test in its own
// network namespace (unshare --net) with real rules and sets loaded by iptables-restore and ipset restore. Needs
// root (label privileged); each namespace is private, so the tests share nothing and may run in parallel.
#include "process_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using allowdrift::testing::ProcessResult;

constexpr int kExitUnreadable = 7;

constexpr const char* kRules = R"(*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ALLOW - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -j ALLOW
-A ALLOW -s 192.0.2.1,192.0.2.2 -m comment --comment "two hosts" -j ACCEPT
-A ALLOW -m iprange --src-range 203.0.113.10-203.0.113.20 -j ACCEPT
-A ALLOW -m set --match-set vendors src -j ACCEPT
-A ALLOW -m set --match-set spare src -j ACCEPT
-A ALLOW ! -s 10.0.0.0/8 -j ACCEPT
-A ALLOW -j DROP
COMMIT
)";

constexpr const char* kSets = R"(create vendors hash:net family inet hashsize 1024 maxelem 65536
add vendors 198.51.100.0/24
add vendors 198.51.100.128/25 nomatch
create spare hash:net family inet hashsize 1024 maxelem 65536
)";

constexpr const char* kAllowed =
    "192.0.2.1/32\n192.0.2.2/32\n198.51.100.0/25\n203.0.113.10/31\n203.0.113.12/30\n203.0.113.16/30\n"
    "203.0.113.20/32\n";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class LiveFirewall : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_FAIL() << "needs root (network namespaces, iptables, ipset) (ctest label privileged; scripts/test.sh runs "
                      "it with sudo)";
    dir_ = fs::temp_directory_path() / ("allowdrift-live-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "rules.v4") << kRules;
    std::ofstream(dir_ / "ipset.conf") << kSets;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs `script` with sh -e in a new network namespace; the rules and sets above are at $D/rules.v4, $D/ipset.conf.
  ProcessResult in_netns(const std::string& script) {
    return allowdrift::testing::run_process(
        {"/usr/bin/unshare", "--net", "--", "/bin/sh", "-ec", "D='" + dir_.string() + "'\n" + script}, dir_);
  }
  static std::string allowlist(const std::string& args) {
    return std::string("'") + ALLOWDRIFT_BINARY + "' allowlist " + args;
  }
  static std::string load() { return "ipset restore < \"$D/ipset.conf\"\niptables-restore < \"$D/rules.v4\"\n"; }

  fs::path dir_;
};

TEST_F(LiveFirewall, ChainWithListsRangesSetsAndANegation) {
  const auto r = in_netns(load() + "exec " + allowlist("iptables:ALLOW"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, kAllowed);
  EXPECT_TRUE(contains(r.err,
                       "filter/ALLOW rule 6: negated source match (! -s 10.0.0.0/8) is not supported; rule "
                       "skipped"))
      << r.err;

  // INPUT reaches the same addresses through its jump; --verbose shows where each came from.
  const auto input = in_netns(load() + "exec " + allowlist("--verbose iptables:filter/INPUT"));
  EXPECT_EQ(input.status, 0) << input.err;
  EXPECT_TRUE(contains(input.out, "192.0.2.1/32\tfilter/ALLOW rule 1 (iptables-save -t filter:")) << input.out;
  EXPECT_TRUE(contains(input.out, "198.51.100.0/25\tset vendors via filter/ALLOW rule 4 (iptables-save -t filter:"))
      << input.out;
  EXPECT_TRUE(contains(input.out, "via filter/INPUT rule 2 (iptables-save -t filter:")) << input.out;
  const auto plain = in_netns(load() + "exec " + allowlist("iptables:INPUT"));
  EXPECT_EQ(plain.out, kAllowed);
}

TEST_F(LiveFirewall, Ip6tables) {
  std::ofstream(dir_ / "rules.v6") << "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 2001:db8::/32 -j ACCEPT\n"
                                      "-A INPUT -m iprange --src-range 2001:db9::1-2001:db9::3 -j ACCEPT\nCOMMIT\n";
  const auto r = in_netns("ip6tables-restore < \"$D/rules.v6\"\nexec " + allowlist("ip6tables:INPUT"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "2001:db8::/32\n2001:db9::1/128\n2001:db9::2/127\n");
}

TEST_F(LiveFirewall, IpsetSetsEmptyAndMissing) {
  const auto vendors = in_netns(load() + "exec " + allowlist("ipset:vendors"));
  EXPECT_EQ(vendors.status, 0) << vendors.err;
  EXPECT_EQ(vendors.out, "198.51.100.0/25\n");
  const auto verbose = in_netns(load() + "exec " + allowlist("--verbose ipset:vendors"));
  // ipset save lists a hash set in hash order, which changes with each set's random initval: lines 2 and 3 in
  // either order.
  const bool in_order = verbose.out ==
                        "198.51.100.0/24\tset vendors (ipset save vendors:2)\n"
                        "!198.51.100.128/25\tset vendors (ipset save vendors:3) (excluded)\n";
  const bool swapped = verbose.out ==
                       "198.51.100.0/24\tset vendors (ipset save vendors:3)\n"
                       "!198.51.100.128/25\tset vendors (ipset save vendors:2) (excluded)\n";
  EXPECT_TRUE(in_order || swapped) << verbose.out;

  const auto spare = in_netns(load() + "exec " + allowlist("ipset:spare"));
  EXPECT_EQ(spare.status, 0) << spare.err;  // an existing empty set is read, and is empty
  EXPECT_EQ(spare.out, "");
  EXPECT_EQ(spare.err, "");

  const auto missing = in_netns(load() + "exec " + allowlist("ipset:nosuch"));
  EXPECT_EQ(missing.status, kExitUnreadable);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err,
            "allowdrift allowlist: not-found: ipset nosuch does not exist (sets present: vendors, spare)\n");
}

TEST_F(LiveFirewall, ChainMissing) {
  const auto r = in_netns(load() + "exec " + allowlist("iptables:NOPE"));
  EXPECT_EQ(r.status, kExitUnreadable);
  EXPECT_EQ(r.err,
            "allowdrift allowlist: not-found: iptables-save -t filter: table filter has no chain NOPE (chains: INPUT, "
            "FORWARD, OUTPUT, ALLOW)\n");
}

TEST_F(LiveFirewall, ToolMissingFromPath) {
  fs::create_directories(dir_ / "empty");
  const std::string env = "exec env PATH=\"$D/empty\" ";
  const auto iptables = in_netns(load() + env + allowlist("iptables:ALLOW"));
  EXPECT_EQ(iptables.status, kExitUnreadable);
  EXPECT_EQ(iptables.err,
            "allowdrift allowlist: tool-missing: iptables-save is not installed (not found in the "
            "search path \"" +
                (dir_ / "empty").string() + "\"): install the iptables package, or set the tool path\n");
  const auto ipset = in_netns(load() + env + allowlist("ipset:vendors"));
  EXPECT_EQ(ipset.status, kExitUnreadable);
  EXPECT_TRUE(contains(ipset.err, "tool-missing: ipset is not installed")) << ipset.err;
  EXPECT_TRUE(contains(ipset.err, "install the ipset package")) << ipset.err;
}

TEST_F(LiveFirewall, NoCapability) {
  const auto iptables =
      in_netns(load() + "exec setpriv --inh-caps=-all --bounding-set=-all " + allowlist("iptables:ALLOW"));
  EXPECT_EQ(iptables.status, kExitUnreadable);
  EXPECT_TRUE(contains(iptables.err,
                       "allowdrift allowlist: permission: iptables-save -t filter: permission denied "
                       "(\"iptables-save v"))
      << iptables.err;
  EXPECT_TRUE(contains(iptables.err, "needs CAP_NET_ADMIN")) << iptables.err;

  const auto ipset = in_netns(load() + "exec capsh --drop=cap_net_admin,cap_net_raw -- -c \"exec " +
                              allowlist("ipset:vendors") + "\"");
  EXPECT_EQ(ipset.status, kExitUnreadable);
  EXPECT_TRUE(contains(ipset.err,
                       "allowdrift allowlist: permission: ipset save vendors: permission denied "
                       "(\"ipset v"))
      << ipset.err;
  EXPECT_TRUE(contains(ipset.err, "Operation not permitted")) << ipset.err;
}

// nft rules iptables cannot show make iptables-save print "# Table `filter' is incompatible": an error, never an
// empty chain.
TEST_F(LiveFirewall, TableManagedByNft) {
  const auto r = in_netns(
      "nft add table ip filter\n"
      "nft add chain ip filter INPUT '{ type filter hook input priority 0; }'\n"
      "nft add rule ip filter INPUT tcp dport 22 ct state new counter accept\n"
      "exec " +
      allowlist("iptables:INPUT"));
  EXPECT_EQ(r.status, kExitUnreadable);
  EXPECT_TRUE(contains(r.err,
                       "allowdrift allowlist: unsupported: iptables-save -t filter: iptables-nft reports table "
                       "filter as incompatible"))
      << r.err;
}

TEST_F(LiveFirewall, LegacyTablesBesideNftOnes) {
  const auto r = in_netns(load() + "iptables-legacy -N LEGACY || exit 99\nexec " + allowlist("iptables:ALLOW"));
  if (r.status == 99) GTEST_SKIP() << "iptables-legacy cannot create a table here: " << r.err;
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, kAllowed);
  EXPECT_TRUE(contains(r.err,
                       "warning: iptables-save -t filter (stderr): iptables-legacy tables are present beside "
                       "the nf_tables ones"))
      << r.err;
}

}  // namespace
