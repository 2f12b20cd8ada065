// The daemon against a live nftables set: in a network namespace of this test process (root; the host firewall
// is never touched), an inet filter table with an interval set the daemon reads over netlink. The drift appears
// when the vendor adds a prefix and resolves when the set is fixed with `nft add element`, each alerted once
// through the syslog socket; `--once` reads the same set and exits 2, then 0.
#include "app/daemon_harness.h"

#include <boost/json.hpp>

#include <sched.h>

#include <cerrno>
#include <cstring>

namespace allowdrift::testing {
namespace {

using ::testing::HasSubstr;

// The ruleset: the set holds the list Cloudflare published before 104.24.0.0/14 was added.
std::string ruleset(const std::string& list) {
  std::string elements;
  std::istringstream in(list);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) elements += (elements.empty() ? "" : ", ") + line;
  }
  return "table inet filter {\n  set cf {\n    type ipv4_addr\n    flags interval\n    elements = { " + elements +
         " }\n  }\n  chain input {\n    type filter hook input priority 0; policy accept;\n"
         "    ip saddr @cf tcp dport 443 accept\n  }\n}\n";
}

class DaemonNftTest : public DaemonTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_FAIL() << "needs root for a network namespace and nftables (ctest label privileged; scripts/test.sh runs "
                      "it with sudo)";
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    const fs::path scratch = fs::temp_directory_path();
    ASSERT_EQ(run_process({"/usr/sbin/ip", "link", "set", "lo", "up"}, scratch).status, 0);
    DaemonTest::SetUp();  // the HTTPS server binds 127.0.0.1 inside the namespace
    std::ofstream(dir_ / "rules.nft") << ruleset(previous_);
    const auto loaded = run_process({"/usr/sbin/nft", "-f", (dir_ / "rules.nft").string()}, dir_);
    ASSERT_EQ(loaded.status, 0) << loaded.err;
    target_spec_ = "nft:inet/filter/cf";
  }
  void nft(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/sbin/nft");
    const auto r = run_process(args, dir_);
    ASSERT_EQ(r.status, 0) << r.err;
  }
};

TEST_F(DaemonNftTest, DriftAppearsWhenTheVendorMovesAndResolvesWhenTheSetIsFixed) {
  serve(previous_);
  start();
  ASSERT_TRUE(eventually([&] { return hits() >= 3; })) << log();
  EXPECT_EQ(listener_->count("event=drift"), 0u) << log();

  serve(current_);
  ASSERT_TRUE(eventually([&] { return listener_->count("event=drift ") >= 1; })) << log();
  const int seen = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= seen + 3; })) << log();
  EXPECT_EQ(listener_->count("event=drift "), 1u);
  for (const auto& l : listener_->lines()) {
    if (l.find("event=drift ") != std::string::npos) {
      EXPECT_THAT(l, HasSubstr("104.24.0.0/14"));
    }
  }

  nft({"add", "element", "inet", "filter", "cf", "{ 104.24.0.0/14 }"});
  ASSERT_TRUE(eventually([&] { return listener_->count("event=resolved") >= 1; })) << log();
  const int after = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= after + 2; })) << log();
  EXPECT_EQ(listener_->count("event=resolved"), 1u);
  EXPECT_EQ(listener_->count("event=drift "), 1u);
}

TEST_F(DaemonNftTest, OnceReadsTheLiveSet) {
  serve(current_);
  std::ofstream(dir_ / "allowdrift.toml") << config_text();
  const auto config = (dir_ / "allowdrift.toml").string();
  auto r = run_process({ALLOWDRIFT_BINARY, "--once", "--config", config, "--format", "json"}, dir_);
  EXPECT_EQ(r.status, 2) << r.err;
  auto report = boost::json::parse(r.out);
  const auto& check = report.at("checks").as_array().at(0);
  ASSERT_EQ(check.at("missing").as_array().size(), 1u);
  EXPECT_EQ(check.at("missing").as_array().at(0), "104.24.0.0/14");

  nft({"add", "element", "inet", "filter", "cf", "{ 104.24.0.0/14 }"});
  r = run_process({ALLOWDRIFT_BINARY, "--once", "--config", config}, dir_);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("in sync"));
}

}  // namespace
}  // namespace allowdrift::testing
