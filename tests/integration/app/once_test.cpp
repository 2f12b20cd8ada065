// `allowdrift --once` end to end: the real binary against a loopback HTTPS server (a CA generated at run time)
// serving real Cloudflare lists from tests/data, a real file target and a real state directory. Each test walks
// the states an admin meets: first baseline, in sync, an upstream change, the fix, an error page, a shrunken list,
// an unreachable vendor, a held lock, a broken config; the exit code and the JSON report are checked at each.
#include "app/daemon_harness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace allowdrift {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using net::testing::RecordedRequest;
using net::testing::respond;
using net::testing::Script;
using net::testing::TestPki;
using net::testing::TestServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::run_process;
using testing::slurp;
using testing::without_line;

const fs::path kData = ALLOWDRIFT_TEST_DATA;

class OnceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-once-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "scratch");
    pki_ = std::make_unique<TestPki>(dir_ / "pki");
    server_ = std::make_unique<TestServer>(net::testing::TlsOptions{pki_->good().cert, pki_->good().key});
    current_ = slurp(kData / "published/cloudflare-ips-v4-2024-10-29.txt");
    // The day before: Cloudflare had not yet published 104.24.0.0/14 (derived from the real list).
    previous_ = without_line(current_, "104.24.0.0/14");
    server_->route("/ips-v4", [this](const RecordedRequest&, int) -> Script {
      return respond(200, {{"Content-Type", "text/plain"}}, body_);
    });
  }
  void TearDown() override { fs::remove_all(dir_); }

  void serve(std::string body) { body_ = std::move(body); }
  void allow(const std::string& text) { std::ofstream(dir_ / "allow.txt") << text; }

  std::string write_config(const std::string& extra = "") {
    const auto path = dir_ / "allowdrift.toml";
    std::ofstream(path) << "state_dir = \"" << (dir_ / "state").string() << "\"\n"
                        << "retries = 1\ntimeout = \"5s\"\n"
                        << "[[source]]\nname = \"cf\"\nurl = \"" << server_->url("/ips-v4") << "\"\nformat = \"text\"\n"
                        << "ca_file = \"" << pki_->ca_file().string() << "\"\n"
                        << extra << "[[target]]\nname = \"web\"\nspec = \"file:allow.txt\"\n"
                        << "[[check]]\nname = \"cf-web\"\nsources = [\"cf\"]\ntarget = \"web\"\n";
    return path.string();
  }

  struct Run {
    int status = -1;
    json::value report;
    std::string err;
  };
  Run once(const std::string& config) {
    auto r = run_process({ALLOWDRIFT_BINARY, "--once", "--config", config, "--format", "json"}, dir_ / "scratch");
    Run out;
    out.status = r.status;
    out.err = r.err;
    boost::system::error_code ec;
    out.report = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << "not JSON: " << r.out << "\nstderr: " << r.err;
    return out;
  }
  static std::vector<std::string> strings(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
    return out;
  }
  static const json::object& check(const Run& r) { return r.report.at("checks").as_array().at(0).as_object(); }
  static std::string outcome(const Run& r) {
    return std::string(r.report.at("sources").as_array().at(0).at("outcome").as_string());
  }

  fs::path dir_;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<TestServer> server_;
  std::string current_, previous_, body_;
};

TEST_F(OnceTest, BaselineThenUpstreamChangeThenFix) {
  serve(previous_);
  allow(previous_);
  const auto config = write_config();

  auto r = once(config);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.report.at("status"), "ok");
  EXPECT_EQ(outcome(r), "baseline");
  EXPECT_EQ(check(r).at("status"), "ok");
  EXPECT_TRUE(check(r).at("missing").as_array().empty());
  const auto& src = check(r).at("sources").as_array().at(0);
  EXPECT_EQ(src.at("name"), "cf");
  EXPECT_TRUE(src.at("snapshot_id").is_int64());
  EXPECT_EQ(src.at("age_seconds").as_int64(), 0);

  // Cloudflare adds 104.24.0.0/14: it is missing locally, an outage risk: critical.
  serve(current_);
  r = once(config);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.report.at("status"), "critical");
  EXPECT_EQ(outcome(r), "changed");
  EXPECT_THAT(strings(r.report.at("sources").as_array().at(0).at("added")), ElementsAre("104.24.0.0/14"));
  EXPECT_THAT(strings(check(r).at("missing")), ElementsAre("104.24.0.0/14"));
  EXPECT_TRUE(check(r).at("stale").as_array().empty());

  // Unchanged upstream: a conditional GET or the same content; still critical until the firewall is fixed.
  r = once(config);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(outcome(r), "unchanged");

  allow(current_);
  r = once(config);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.report.at("status"), "ok");

  // An entry allowed but no longer published is stale: a warning (exposure, not outage).
  allow(current_ + "\n198.51.100.0/24\n");  // the real list has no final newline
  r = once(config);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.report.at("status"), "warning");
  EXPECT_THAT(strings(check(r).at("stale")), ElementsAre("198.51.100.0/24"));
}

TEST_F(OnceTest, ErrorPageIsRejectedAndTheLastAcceptedListIsCompared) {
  serve(current_);
  allow(current_);
  const auto config = write_config();
  ASSERT_EQ(once(config).status, 0);

  serve(slurp(kData / "published/badfetch-cloudflare-ips-v4-http500-2024-10-29.html"));
  const auto r = once(config);
  EXPECT_EQ(r.status, 3);  // an input could not be read: never 0
  EXPECT_EQ(r.report.at("status"), "unknown");
  EXPECT_EQ(outcome(r), "rejected");
  EXPECT_EQ(check(r).at("status"), "ok");  // the check itself ran on the last accepted list
  EXPECT_THAT(json::serialize(check(r).at("notes")), HasSubstr("compared on its last accepted list"));
}

TEST_F(OnceTest, ShrunkenListIsHeldBackAsSuspect) {
  serve(current_);
  allow(current_);
  const auto config = write_config();
  ASSERT_EQ(once(config).status, 0);

  serve("173.245.48.0/20\n103.21.244.0/22\n");  // 2 of 15: a vendor glitch, not a decision
  const auto r = once(config);
  EXPECT_EQ(outcome(r), "suspect");
  EXPECT_EQ(check(r).at("status"), "ok");  // nothing reported stale from a list that was not accepted
  EXPECT_TRUE(check(r).at("stale").as_array().empty());
  EXPECT_THAT(json::serialize(check(r).at("notes")), HasSubstr("held back as suspect"));
}

TEST_F(OnceTest, UnreachableVendorWithoutHistoryIsUnknownNotInSync) {
  allow(current_);
  const auto path = dir_ / "allowdrift.toml";
  std::ofstream(path) << "state_dir = \"" << (dir_ / "state").string() << "\"\nretries = 1\n"
                      << "[[source]]\nname = \"cf\"\nurl = \"https://127.0.0.1:1/ips-v4\"\nformat = \"text\"\n"
                      << "[[target]]\nname = \"web\"\nspec = \"file:allow.txt\"\n"
                      << "[[check]]\nname = \"cf-web\"\nsources = [\"cf\"]\ntarget = \"web\"\n";
  const auto r = once(path.string());
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(outcome(r), "failed");
  EXPECT_EQ(r.report.at("sources").as_array().at(0).at("error_kind"), "connect");
  EXPECT_EQ(check(r).at("status"), "unknown");
  EXPECT_TRUE(check(r).at("missing").as_array().empty());  // never "everything missing"
  EXPECT_TRUE(check(r).at("sources").as_array().at(0).at("snapshot_id").is_null());
}

TEST_F(OnceTest, UnreadableTargetIsUnknown) {
  serve(current_);
  const auto config = write_config();  // allow.txt never written
  const auto r = once(config);
  EXPECT_EQ(r.status, 3);
  const auto& t = r.report.at("targets").as_array().at(0);
  EXPECT_EQ(t.at("readable"), false);
  EXPECT_EQ(t.at("error_kind"), "not-found");
  EXPECT_EQ(check(r).at("status"), "unknown");
}

TEST_F(OnceTest, ASecondRunOnTheSameStateIsRefused) {
  serve(current_);
  allow(current_);
  const auto config = write_config();
  ASSERT_EQ(once(config).status, 0);
  const int fd = ::open((dir_ / "state/lock").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const auto r = run_process({ALLOWDRIFT_BINARY, "--once", "--config", config}, dir_ / "scratch");
  ::close(fd);
  EXPECT_EQ(r.status, 3);
  EXPECT_THAT(r.err, HasSubstr("holds"));
}

TEST_F(OnceTest, BrokenConfigIsUnknownAndCheckConfigSays78) {
  const auto path = dir_ / "bad.toml";
  std::ofstream(path)
      << "[[source]]\nname = \"x\"\nurl = \"https://example.com/\"\nformat = \"text\"\nintervall = \"1h\"\n";
  auto r = run_process({ALLOWDRIFT_BINARY, "--once", "--config", path.string()}, dir_ / "scratch");
  EXPECT_EQ(r.status, 3);
  EXPECT_THAT(r.err, HasSubstr(path.string() + ":5: key 'intervall' in [[source]] 'x': unknown key"));
  r = run_process({ALLOWDRIFT_BINARY, "check-config", path.string()}, dir_ / "scratch");
  EXPECT_EQ(r.status, 78);
  EXPECT_THAT(r.err, HasSubstr(":5: key 'intervall'"));
  r = run_process({ALLOWDRIFT_BINARY, "check-config", write_config()}, dir_ / "scratch");
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(OnceTest, ShippedExampleConfigIsValid) {
  const auto r =
      run_process({ALLOWDRIFT_BINARY, "check-config", ALLOWDRIFT_CONFIG_DIR "/allowdrift.toml"}, dir_ / "scratch");
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace
}  // namespace allowdrift
