// `allowdrift extract`: presets and command-line sources on saved copies (--from), through the real binary.
#include "process_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using allowdrift::testing::ProcessResult;

class CliExtract : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-extract-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {ALLOWDRIFT_BINARY, "extract"});
    return allowdrift::testing::run_process(std::move(args), dir_);
  }
  static std::string data(const std::string& relative) { return std::string(ALLOWDRIFT_TEST_DATA) + "/" + relative; }
  fs::path dir_;
};

TEST_F(CliExtract, ListsPresets) {
  const auto r = run({"--list"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("sdp-cloud-us  ServiceDesk Plus Cloud mail IPs, US data center"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("aws  AWS IP ranges"), std::string::npos);
}

// The text output is itself a plain list: metadata as comments, one entry per line.
TEST_F(CliExtract, SdpUsFromASavedPage) {
  const auto r = run({"sdp-cloud-us", "--from", data("pages/sdp-general-faq-zh-p.html")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# verdict accept\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# section us: 6 IP entries -> 6 blocks, 0 domains\n136.143.183.166/32\n"), std::string::npos)
      << r.out;
}

TEST_F(CliExtract, AwsJsonWithParamsAndToken) {
  const auto r = run({"aws", "--param", "service=EC2", "--param", "region=ap-southeast-3", "--format", "json", "--from",
                      data("published/aws-ip-ranges-2026-08-22-1517.json")});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("change_token"), "1787411825");
  EXPECT_EQ(doc.at("verdict"), "accept");
  EXPECT_EQ(doc.at("sections").at(0).at("ip_entries"), 53);
}

TEST_F(CliExtract, RejectionsExitTwoWithTheReason) {
  const auto missing_key =
      run({"github", "--param", "key=dependabotx", "--from", data("published/github-meta-2025-07-21.json")});
  EXPECT_EQ(missing_key.status, 2);
  EXPECT_NE(missing_key.err.find("dependabotx: no such key"), std::string::npos) << missing_key.err;
  const auto error_page =
      run({"cloudflare-v4", "--from", data("published/badfetch-cloudflare-ips-v4-http500-2024-10-29.html")});
  EXPECT_EQ(error_page.status, 2);
  EXPECT_NE(error_page.err.find("rejected"), std::string::npos) << error_page.err;
  EXPECT_EQ(run({"no-such-preset", "--from", data("published/github-meta-2025-07-21.json")}).status, 2);
  EXPECT_EQ(
      run({"aws", "--param", "servise=EC2", "--from", data("published/aws-ip-ranges-2026-08-22-1517.json")}).status, 2);
}

// Microsoft 365: the list is read only when the version moved; a version going backwards makes it suspect.
TEST_F(CliExtract, VersionGate) {
  const auto version = dir_ / "version.json";
  std::ofstream(version) << R"({"instance": "Worldwide", "latest": "2026070100"})";
  const std::vector<std::string> base{"microsoft365-exchange",
                                      "--param",
                                      "clientrequestid=3f1e6ad4-0000-4000-8000-000000000001",
                                      "--version-from",
                                      version.string(),
                                      "--from",
                                      data("published/microsoft-365-endpoints-worldwide-noipv6-crlf.json")};
  auto with = [&](const std::string& previous) {
    auto args = base;
    args.insert(args.end(), {"--previous-version", previous});
    return run(args);
  };
  const auto unchanged = with("2026070100");
  EXPECT_EQ(unchanged.status, 0);
  EXPECT_NE(unchanged.out.find("version 2026070100 unchanged; the list was not fetched"), std::string::npos);
  const auto moved = with("2026060100");
  EXPECT_EQ(moved.status, 0) << moved.err;
  EXPECT_NE(moved.out.find("# change token 2026070100\n# verdict accept"), std::string::npos) << moved.out;
  const auto backwards = with("2026080100");
  EXPECT_EQ(backwards.status, 0) << backwards.err;
  EXPECT_NE(backwards.out.find("# verdict suspect"), std::string::npos) << backwards.out;
  EXPECT_NE(backwards.out.find("went backwards"), std::string::npos) << backwards.out;
}

TEST_F(CliExtract, CommandLineSelector) {
  const auto r =
      run({"--source-format", "json", "--select", "hooks", "--from", data("published/github-meta-2025-07-21.json")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("192.30.252.0/22\n"), std::string::npos) << r.out;
}

}  // namespace
