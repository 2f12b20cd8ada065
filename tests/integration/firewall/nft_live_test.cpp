// The live nftables readers against a real kernel: each test moves this process into a fresh network namespace
// (unshare(CLONE_NEWNET) in SetUp; the host's firewall is never touched), loads rulesets with the real `nft -f`,
// and reads them back through the real binary (`allowdrift allowlist nft:... / nft-chain:...`) and, for the
// change signal, through the reader in process. Needs root: labelled privileged.
#include "firewall/allowlist_reader.h"
#include "model/ip_address.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "process_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace {

namespace fs = std::filesystem;
using allowdrift::testing::ProcessResult;
using ::testing::HasSubstr;

constexpr int kUnreadable = 7;  // allowdrift allowlist: the target could not be read

std::string find_tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    const auto path = fs::path(dir) / name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

class NftLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_FAIL() << "needs root: network namespaces and CAP_NET_ADMIN (ctest label privileged; scripts/test.sh runs "
                      "it with sudo)";
    nft_ = find_tool("nft");
    ASSERT_FALSE(nft_.empty()) << "nft is not installed (Debian: nftables; scripts/deps.sh test installs it)";
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET): " << std::strerror(errno);
    dir_ = fs::temp_directory_path() / ("allowdrift-nft-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void load(const std::string& ruleset) {
    std::ofstream(dir_ / "rules.nft") << ruleset;
    const auto r = run({nft_, "-f", (dir_ / "rules.nft").string()});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  void load_file(const std::string& relative) {
    const auto r = run({nft_, "-f", std::string(ALLOWDRIFT_TEST_DATA) + "/" + relative});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  ProcessResult run(std::vector<std::string> args) { return allowdrift::testing::run_process(std::move(args), dir_); }
  ProcessResult allowlist(std::vector<std::string> args) {
    args.insert(args.begin(), {ALLOWDRIFT_BINARY, "allowlist"});
    return run(std::move(args));
  }

  std::string nft_;
  fs::path dir_;
};

constexpr const char* kCases = "localfw/nftables/handwritten-allowlist-cases.nft";

TEST_F(NftLive, IntervalSetsOverNetlink) {
  load_file(kCases);
  const auto v4 = allowlist({"nft:inet/filter/allowed"});
  EXPECT_EQ(v4.status, 0) << v4.err;
  EXPECT_EQ(v4.out,
            "10.0.0.0/8\n192.0.2.1/32\n192.0.2.2/31\n192.0.2.4/30\n192.0.2.8/31\n198.51.100.7/32\n203.0.113.0/24\n"
            "255.255.255.0/24\n");
  EXPECT_EQ(v4.err, "");
  const auto v6 = allowlist({"nft:inet/filter/allowed6"});  // ffff::/16 reaches the top: no end element
  EXPECT_EQ(v6.out, "::1/128\n2001:db8::/32\nffff::/16\n");
  EXPECT_EQ(allowlist({"nft:inet/filter/hosts"}).out, "192.0.2.200/31\n");  // a set without intervals
  const auto verbose = allowlist({"--verbose", "nft:inet/filter/allowed"});
  EXPECT_THAT(verbose.out, HasSubstr("203.0.113.0/24\tset inet/filter/allowed\n"));
}

TEST_F(NftLive, EmptySetIsReadAsEmpty) {
  load_file(kCases);
  const auto r = allowlist({"nft:inet/filter/empty4"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(NftLive, MissingSetTableAndUnsupportedTypes) {
  load_file(kCases);
  const auto set = allowlist({"nft:inet/filter/nosuch"});
  EXPECT_EQ(set.status, kUnreadable);
  EXPECT_EQ(set.out, "");
  EXPECT_THAT(set.err, HasSubstr("not-found: set inet/filter/nosuch does not exist; sets of table inet/filter: "
                                 "allowed, allowed6, hosts, empty4, ports, pairs, map marks"));
  const auto table = allowlist({"nft:ip/filter/allowed"});
  EXPECT_EQ(table.status, kUnreadable);
  EXPECT_THAT(table.err, HasSubstr("not-found: table ip/filter does not exist (looking for set ip/filter/allowed); "
                                   "tables of family ip: none"));
  EXPECT_THAT(allowlist({"nft:inet/filter/ports"}).err, HasSubstr("unsupported: set inet/filter/ports has type "
                                                                  "inet_service"));
  EXPECT_THAT(allowlist({"nft:inet/filter/pairs"}).err, HasSubstr("has type ipv4_addr . inet_service"));
  EXPECT_THAT(allowlist({"nft:inet/filter/marks"}).err, HasSubstr("unsupported: set inet/filter/marks is a map"));
}

TEST_F(NftLive, ChainAcceptRules) {
  load_file(kCases);
  const auto input = allowlist({"nft-chain:inet/filter/input"});
  EXPECT_EQ(input.status, 0) << input.err;
  EXPECT_EQ(input.out,
            "10.0.0.0/8\n172.16.0.0/12\n192.0.2.1/32\n192.0.2.2/31\n192.0.2.4/30\n192.0.2.8/31\n192.0.2.50/32\n"
            "198.51.100.0/24\n203.0.113.0/24\n255.255.255.0/24\n::1/128\n2001:db8::/32\nffff::/16\n");
  EXPECT_THAT(input.err, HasSubstr("warning: chain inet/filter/input rule handle 16: the negated match ip saddr != "
                                   "is not supported; rule skipped"));
  EXPECT_THAT(input.err, HasSubstr("a verdict map keyed on saddr"));
  const auto verbose = allowlist({"--verbose", "nft-chain:inet/filter/input"});
  EXPECT_THAT(verbose.out, HasSubstr("10.0.0.0/8\tchain inet/filter/input rule handle 14 (set @allowed)\n"));
  EXPECT_EQ(allowlist({"nft-chain:inet/filter/output"}).out, "192.0.2.53/32\n");

  const auto missing = allowlist({"nft-chain:inet/filter/nosuch"});
  EXPECT_EQ(missing.status, kUnreadable);
  EXPECT_THAT(missing.err, HasSubstr("not-found: chain inet/filter/nosuch does not exist; chains of table "
                                     "inet/filter: input, output"));
}

// The same saved with `nft -j list ruleset` and read as nft-json: the file and the kernel agree.
TEST_F(NftLive, SavedJsonMatchesLive) {
  load_file(kCases);
  const auto saved = run({nft_, "-j", "list", "ruleset"});
  ASSERT_EQ(saved.status, 0) << saved.err;
  std::ofstream(dir_ / "ruleset.json") << saved.out;
  const std::string file = (dir_ / "ruleset.json").string();
  for (const char* name : {"allowed", "allowed6", "hosts", "empty4"}) {
    EXPECT_EQ(allowlist({"nft-json:" + file + "#filter/" + name}).out,
              allowlist({"nft:inet/filter/" + std::string(name)}).out)
        << name;
  }
  EXPECT_EQ(allowlist({"nft-json:" + file + "#filter/input"}).out, allowlist({"nft-chain:inet/filter/input"}).out);
}

// nft merges adjacent intervals (auto-merge) and clears host bits; our output is the same either way, and the same
// as the plain list with the entries as written.
TEST_F(NftLive, NormalizedLikeNft) {
  load(R"(table inet t {
    set merged { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.0/24, 10.0.1.0/24, 192.0.2.1/24 } }
    set split { type ipv4_addr; flags interval; elements = { 10.0.0.0/24, 10.0.1.0/24, 192.0.2.1/24 } }
  })");
  const auto listed = run({nft_, "list", "set", "inet", "t", "split"});
  EXPECT_THAT(listed.out, HasSubstr("10.0.0.0/24, 10.0.1.0/24"));  // kept apart by the kernel
  std::ofstream(dir_ / "plain.txt") << "10.0.0.0/24\n10.0.1.0/24\n192.0.2.1/24\n";
  const std::string expected = "10.0.0.0/23\n192.0.2.0/24\n";
  EXPECT_EQ(allowlist({"nft:inet/t/merged"}).out, expected);
  EXPECT_EQ(allowlist({"nft:inet/t/split"}).out, expected);
  EXPECT_EQ(allowlist({"file:" + (dir_ / "plain.txt").string()}).out, expected);
}

// Enough elements for a dump of many netlink messages; random, so the expected set is computed independently.
TEST_F(NftLive, MultiMessageDump) {
  std::mt19937 random(7);
  allowdrift::model::IpSetBuilder expected;
  std::string elements;
  for (int i = 0; i < 4000; ++i) {
    const auto address = static_cast<std::uint32_t>(random()) & 0xffffff00u;
    const auto len = 24 + static_cast<int>(random() % 9);
    const auto text = allowdrift::model::to_string(address) + "/" + std::to_string(len);
    expected.add(allowdrift::model::parse_ip_entry(text).value());
    elements += (elements.empty() ? "" : ", ") + text;
  }
  load("table ip big {\n  set s { type ipv4_addr; flags interval; auto-merge; elements = { " + elements + " } }\n}\n");
  std::string want;
  for (const auto& cidr : std::move(expected).build().to_cidr_strings()) want += cidr + "\n";
  const auto r = allowlist({"nft:ip/big/s"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out == want) << "got " << r.out.size() << " bytes, expected " << want.size();
}

// Without CAP_NET_ADMIN (root with an empty bounding set keeps no capability across exec): kPermission, naming
// the capability, never an empty set.
TEST_F(NftLive, NoCapability) {
  load_file(kCases);
  const auto setpriv = find_tool("setpriv");
  ASSERT_FALSE(setpriv.empty()) << "setpriv is not installed (Debian: util-linux)";
  for (const char* spec : {"nft:inet/filter/allowed", "nft-chain:inet/filter/input"}) {
    const auto r = run({setpriv, "--inh-caps=-all", "--bounding-set=-all", "--", ALLOWDRIFT_BINARY, "allowlist", spec});
    EXPECT_EQ(r.status, kUnreadable) << spec;
    EXPECT_EQ(r.out, "") << spec;
    EXPECT_THAT(r.err, HasSubstr("permission: ")) << spec;
    EXPECT_THAT(r.err, HasSubstr("CAP_NET_ADMIN")) << spec;
  }
}

// The change signal: the ruleset generation id, unchanged by reading, moved by adding an element.
TEST_F(NftLive, GenerationSignal) {
  load_file(kCases);
  using namespace allowdrift::firewall;
  const auto spec = parse_target_spec("nft:inet/filter/allowed");
  ASSERT_TRUE(spec);
  for (const char* text : {"nft:inet/filter/allowed", "nft-chain:inet/filter/input"}) {
    const auto reader = make_reader(*parse_target_spec(text), ReaderOptions{});
    const auto first = reader->change_signal();
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_THAT(first->value, ::testing::StartsWith("nft-gen:"));
    ASSERT_TRUE(reader->read());
    EXPECT_EQ(reader->change_signal().value(), *first) << text;
  }
  const auto reader = make_reader(*spec, ReaderOptions{});
  const auto before = reader->change_signal().value();
  ASSERT_EQ(run({nft_, "add", "element", "inet", "filter", "allowed", "{ 192.0.2.150 }"}).status, 0);
  const auto after = reader->change_signal().value();
  EXPECT_NE(after, before);
  const auto list = reader->read();
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->ip_set().covers(allowdrift::model::parse_ip_entry("192.0.2.150").value()));
}

}  // namespace
