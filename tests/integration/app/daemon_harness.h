// Shared by the daemon's end-to-end tests: a Unix datagram socket standing in for /dev/log, a loopback HTTPS
// server serving real Cloudflare lists, and the real binary started as a daemon process.
#pragma once

#include "net/test_pki.h"
#include "net/test_server.h"
#include "process_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

namespace allowdrift::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using net::testing::RecordedRequest;
using net::testing::respond;
using net::testing::Script;
using net::testing::Step;
using net::testing::TestPki;
using net::testing::TestServer;

const fs::path kData = ALLOWDRIFT_TEST_DATA;

// A Unix datagram socket that collects every line sent to it, like journald's /dev/log.
class SyslogListener {
 public:
  explicit SyslogListener(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      char buf[65536];
      while (!stop_) {
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
          std::lock_guard lock(mu_);
          lines_.emplace_back(buf, static_cast<std::size_t>(n));
        }
      }
    });
  }
  ~SyslogListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  std::size_t count(const std::string& needle) const {
    const auto all = lines();
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
  }

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

inline std::string without_line(const std::string& text, const std::string& line) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const auto l = text.substr(pos, end - pos);
    if (l != line) out += l + "\n";
    pos = end + 1;
  }
  return out;
}

inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 15s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-daemon-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    pki_ = std::make_unique<TestPki>(dir_ / "pki");
    server_ = std::make_unique<TestServer>(net::testing::TlsOptions{pki_->good().cert, pki_->good().key});
    current_ = slurp(kData / "published/cloudflare-ips-v4-2024-10-29.txt") + "\n";
    previous_ = without_line(current_, "104.24.0.0/14");
    server_->route("/ips-v4", [this](const RecordedRequest&, int) -> Script {
      std::lock_guard lock(mu_);
      if (hang_) return {Step{Step::Kind::kHang, "", 0ms}};
      return respond(200, {{"Content-Type", "text/plain"}}, body_);
    });
    listener_ = std::make_unique<SyslogListener>(dir_ / "log.sock");
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    listener_.reset();
    fs::remove_all(dir_);
  }

  void serve(std::string body) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
  }
  void hang() {
    std::lock_guard lock(mu_);
    hang_ = true;
  }
  void allow(const std::string& text) {
    // Write a new file and rename it over the old one, as editors and config management do.
    std::ofstream(dir_ / "allow.tmp") << text;
    fs::rename(dir_ / "allow.tmp", dir_ / "allow.txt");
  }
  // The [[target]] the daemon compares with; a file by default.
  std::string target_spec_ = "file:allow.txt";
  // How often the source is fetched and the target polled.
  std::string interval_ = "1s";
  std::string target_interval_ = "1s";
  std::string extra_config_;   // appended: more [[alert]] channels, say
  std::string global_config_;  // top-level keys, before the tables
  std::string config_text() const {
    std::ostringstream c;
    c << "state_dir = \"" << (dir_ / "state").string() << "\"\nretries = 1\ntimeout = \"5s\"\ninterval = \""
      << interval_ << "\"\n"
      << "fail_alert_after = 2\ntarget_interval = \"" << target_interval_ << "\"\n"
      << global_config_ << "[[source]]\nname = \"cf\"\nurl = \"" << server_->url("/ips-v4") << "\"\nformat = \"text\"\n"
      << "ca_file = \"" << pki_->ca_file().string() << "\"\n"
      << "[[target]]\nname = \"web\"\nspec = \"" << target_spec_ << "\"\n"
      << "[[check]]\nname = \"cf-web\"\nsources = [\"cf\"]\ntarget = \"web\"\n"
      << "[[alert]]\ntype = \"syslog\"\nsocket = \"" << (dir_ / "log.sock").string() << "\"\n"
      << extra_config_;
    return c.str();
  }
  void start() {
    std::ofstream(dir_ / "allowdrift.toml") << config_text();
    std::vector<std::string> args = {ALLOWDRIFT_BINARY, "daemon", "--config", (dir_ / "allowdrift.toml").string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (dir_ / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  bool alive() const { return ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  // SIGTERM: the daemon must be gone within 2 s with exit status 0. Call as ASSERT_NO_FATAL_FAILURE(stop()).
  void stop() {
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_EQ(::kill(pid_, SIGTERM), 0);
    int status = 0;
    ASSERT_TRUE(eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(5)))
        << log();
    pid_ = -1;
    EXPECT_LT(std::chrono::steady_clock::now() - sent, std::chrono::seconds(2));
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0) << log();
  }
  std::string log() const { return slurp(dir_ / "stderr"); }
  int hits() const { return server_->hits("/ips-v4"); }

  fs::path dir_;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<SyslogListener> listener_;
  std::mutex mu_;
  std::string current_, previous_, body_;
  bool hang_ = false;
  pid_t pid_ = -1;
};

}  // namespace allowdrift::testing
