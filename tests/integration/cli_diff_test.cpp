// Runs the real allowdrift binary on real captured lists and checks output and exit status.
#include <gtest/gtest.h>
#include "process_runner.h"

#include <boost/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

using allowdrift::testing::ProcessResult;
using allowdrift::testing::slurp;

class CliDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessResult run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), ALLOWDRIFT_BINARY);
    return allowdrift::testing::run_process(std::move(args), dir_, stdin_text);
  }

  static std::string data(const std::string& relative) { return std::string(ALLOWDRIFT_TEST_DATA) + "/" + relative; }

  fs::path write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  fs::path dir_;
};

TEST_F(CliDiff, VersionAndHelp) {
  const auto v = run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("allowdrift ", 0), 0U) << v.out;
  const auto h = run({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("diff PUBLISHED LOCAL"), std::string::npos);
  const auto dh = run({"diff", "--help"});
  EXPECT_EQ(dh.status, 0);
  EXPECT_NE(dh.out.find("Exit status"), std::string::npos);
}

TEST_F(CliDiff, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).status, 2);
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({"diff", data("published/cloudflare-ips-v4-2024-10-29.txt")}).status, 2);
  const auto bad_only = run({"diff", "--only", "both", data("published/cloudflare-ips-v4-2024-10-29.txt"),
                             data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(bad_only.status, 2);
  EXPECT_NE(bad_only.err.find("--only takes 'missing' or 'stale'"), std::string::npos) << bad_only.err;
  EXPECT_EQ(run({"diff", "--format", "xml", "a", "b"}).status, 2);
  EXPECT_EQ(run({"diff", "--bogus", "a", "b"}).status, 2);
}

// The acceptance example: Cloudflare's 2024 IPv4 list against a real local config that still allows
// 104.16.0.0/12 reports the uncovered part of that prefix as stale, and exits 1.
TEST_F(CliDiff, CloudflareStalePrefixFromRealIpsetConfig) {
  const auto r =
      run({"diff", data("published/cloudflare-ips-v4-2024-10-29.txt"), data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("missing (published, not allowed locally): none"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("104.28.0.0/14"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("part of 104.16.0.0/12 in " + data("local/cloudflare-ipset-nicholascw.list") + ":4"),
            std::string::npos)
      << r.out;

  const auto stale = run({"diff", "--only", "stale", data("published/cloudflare-ips-v4-2024-10-29.txt"),
                          data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(stale.status, 1);
  EXPECT_EQ(stale.out, "104.28.0.0/14\n");
  const auto missing = run({"diff", "--only", "missing", data("published/cloudflare-ips-v4-2024-10-29.txt"),
                            data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(missing.status, 0);  // with --only, the status reflects that side alone
  EXPECT_EQ(missing.out, "");
}

TEST_F(CliDiff, JsonReport) {
  const auto r = run({"diff", "--format", "json", data("published/cloudflare-ips-v6-2023-10-11.txt"),
                      data("local/cloudflare-nginx-toomuchio.list")});
  EXPECT_EQ(r.status, 1) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("drift"), true);
  EXPECT_EQ(doc.at("missing").at("ips").at(0).at("cidr"), "2405:8100::/32");
  EXPECT_EQ(doc.at("missing").at("ips").at(0).at("from").at(0).at("line"), 5);
  EXPECT_EQ(doc.at("published").at("ip_entries"), 7);
}

TEST_F(CliDiff, NoDriftExitsZero) {
  const auto r = run({"diff", data("local/postfix-mynetworks-openmailrelay-v1-2026-02-24T1422.txt"),
                      data("local/postfix-mynetworks-openmailrelay-v2-reordered-2026-02-24T1913.txt")});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("missing (published, not allowed locally): none"), std::string::npos);
}

TEST_F(CliDiff, BadInputNamesFileAndLineAndComparesNothing) {
  const auto bad = write("bad.txt", "192.0.2.0/24\n010.0.0.1\n1.2.3.4/24\n");
  const auto r = run({"diff", bad.string(), data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");  // nothing compared, nothing printed as a result
  EXPECT_NE(r.err.find(bad.string() + ":2: error: '010.0.0.1': octet '010' has a leading zero"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad.string() + ":3: warning: '1.2.3.4/24' has host bits set"), std::string::npos) << r.err;
}

TEST_F(CliDiff, ErrorPageFetchedInsteadOfAListIsRejected) {
  const auto r = run({"diff", data("published/badfetch-cloudflare-ips-v4-http500-2024-10-29.html"),
                      data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("nothing compared"), std::string::npos);
}

TEST_F(CliDiff, UnreadableFilesAreErrorsNotEmptyLists) {
  const auto missing = run({"diff", (dir_ / "nope.txt").string(), data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("No such file or directory"), std::string::npos) << missing.err;
  const auto directory = run({"diff", dir_.string(), data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(directory.status, 2);
  EXPECT_NE(directory.err.find("Is a directory"), std::string::npos) << directory.err;
}

// A failed download piped in as an empty (or comments-only) list must not turn every local entry "stale".
TEST_F(CliDiff, EmptyListIsRefusedUnlessAllowed) {
  const auto empty = write("empty.txt", "# nothing here\n\n");
  const auto r = run({"diff", "--only", "stale", empty.string(), data("local/cloudflare-ipset-nicholascw.list")});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(empty.string() + ": error: no entries"), std::string::npos) << r.err;
  const auto from_stdin = run({"diff", "-", data("local/cloudflare-ipset-nicholascw.list")}, "");
  EXPECT_EQ(from_stdin.status, 2);

  const auto allowed = run({"diff", "--allow-empty", "--only", "stale", empty.string(),
                            data("local/postfix-mynetworks-openmailrelay-v3-entry-removed-2026-02-24T1916.txt")});
  EXPECT_EQ(allowed.status, 1) << allowed.err;
  EXPECT_EQ(allowed.out, "127.0.0.0/8\n172.16.0.0/12\n");
}

TEST_F(CliDiff, ReadsOneSideFromStandardInput) {
  const auto r = run({"diff", "--only", "missing", "-", data("local/cloudflare-ipset-nicholascw.list")},
                     "104.16.0.0/12\n198.51.100.0/24\n");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out, "198.51.100.0/24\n");
  EXPECT_EQ(run({"diff", "-", "-"}).status, 2);
}

// The shipped example that README command 1 runs.
TEST_F(CliDiff, ShippedExampleReportsOneMissingAndOneStaleBlock) {
  const std::string dir = ALLOWDRIFT_CONFIG_DIR;
  const auto r =
      run({"diff", "--format", "json", dir + "/example/cloudflare-ips.txt", dir + "/example/local-allowlist.txt"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err, "");
  const auto doc = json::parse(r.out);
  EXPECT_EQ(
      doc.at("missing").at("ips"),
      (json::array{json::object{{"cidr", "2405:8100::/32"},
                                {"from", json::array{json::object{{"line", 23}, {"entry", "2405:8100::/32"}}}}}}));
  EXPECT_EQ(doc.at("stale").at("ips").at(0).at("cidr"), "104.28.0.0/14");
}

}  // namespace
