// The `allowdrift --once` test fixture: the real binary against a loopback HTTPS server (a CA generated at run
// time) serving a real Cloudflare list from tests/data, a real file target and a real state directory.
#pragma once

#include "app/daemon_harness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace allowdrift::testing {

namespace fs = std::filesystem;
namespace json = boost::json;
using net::testing::RecordedRequest;
using net::testing::respond;
using net::testing::Script;
using net::testing::TestPki;
using net::testing::TestServer;

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

  // One source (PATH on the test server, with its fetch `timeout`) against an iptables:INPUT target, and the run's
  // `once_deadline`.
  std::string iptables_config(const std::string& path, const std::string& timeout, const std::string& deadline) {
    const auto file = dir_ / "iptables.toml";
    std::ofstream(file) << "state_dir = \"" << (dir_ / "state").string() << "\"\nretries = 1\ntimeout = \"" << timeout
                        << "\"\nonce_deadline = \"" << deadline << "\"\n"
                        << "[[source]]\nname = \"cf\"\nurl = \"" << server_->url(path) << "\"\nformat = \"text\"\n"
                        << "ca_file = \"" << pki_->ca_file().string() << "\"\n"
                        << "[[target]]\nname = \"fw\"\nspec = \"iptables:INPUT\"\n"
                        << "[[check]]\nname = \"cf-fw\"\nsources = [\"cf\"]\ntarget = \"fw\"\n";
    return file.string();
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

}  // namespace allowdrift::testing
