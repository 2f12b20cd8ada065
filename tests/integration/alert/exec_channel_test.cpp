// The exec channel with real scripts in a temporary directory: the event JSON arrives on stdin, the environment
// names the event, arguments are passed verbatim (no shell), and a failing, hanging or missing program is "not
// delivered" with its reason.
#include "alert/exec_channel.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace allowdrift::alert {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExecChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-exec-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path script(const std::string& name, const std::string& body) const {
    const fs::path path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  static ExecChannel channel(std::vector<std::string> argv, std::chrono::milliseconds timeout = 5s) {
    ExecOptions options;
    options.argv = std::move(argv);
    options.timeout = timeout;
    options.render.host = "mx1.example.org";
    return ExecChannel(std::move(options));
  }

  static AlertEvent drift() {
    AlertEvent e;
    e.kind = EventKind::kDriftNew;
    e.severity = Severity::kCritical;
    e.check = "sdp-mail";
    e.target = "mail-allow";
    e.summary = "1 published prefix missing from mail-allow";
    e.fields = {{"missing", "1"}};
    e.sample = {{"missing", "203.0.113.0/24"}};
    e.at_ms = 1730181600000;
    return e;
  }

  fs::path dir_;
};

TEST_F(ExecChannelTest, EventJsonOnStdinAndNamesInTheEnvironment) {
  const fs::path hook = script("hook", "cat > \"$1\"\nenv > \"$2\"\n");
  auto c = channel({hook.string(), (dir_ / "event.json").string(), (dir_ / "env").string()});
  EXPECT_EQ(c.describe(), "exec " + hook.string());
  ASSERT_EQ(c.deliver(drift()), std::nullopt);

  RenderOptions render;
  render.host = "mx1.example.org";
  EXPECT_EQ(slurp(dir_ / "event.json"), event_json(drift(), render));
  const json::value v = json::parse(slurp(dir_ / "event.json"));
  EXPECT_EQ(v.at("event").as_string(), "drift");
  EXPECT_EQ(v.at("check").as_string(), "sdp-mail");

  const std::string env = slurp(dir_ / "env");
  EXPECT_NE(env.find("ALLOWDRIFT_EVENT=drift\n"), std::string::npos) << env;
  EXPECT_NE(env.find("ALLOWDRIFT_SEVERITY=crit\n"), std::string::npos) << env;
  EXPECT_NE(env.find("ALLOWDRIFT_CHECK=sdp-mail\n"), std::string::npos) << env;
  EXPECT_NE(env.find("ALLOWDRIFT_TARGET=mail-allow\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("ALLOWDRIFT_SOURCE="), std::string::npos) << env;
}

TEST_F(ExecChannelTest, ArgumentsArePassedVerbatimWithoutAShell) {
  const fs::path hook = script("hook", "cat > \"$1\"\n");
  const std::string odd = (dir_ / "out; touch pwned $(id)").string();
  auto c = channel({hook.string(), odd});
  ASSERT_EQ(c.deliver(drift()), std::nullopt);
  EXPECT_TRUE(fs::exists(odd));
  EXPECT_FALSE(fs::exists(dir_ / "pwned"));
}

TEST_F(ExecChannelTest, NonZeroExitIsNotDeliveredWithItsReason) {
  const fs::path hook = script("hook", "cat >/dev/null\necho 'pager service down' >&2\nexit 3\n");
  auto c = channel({hook.string()});
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_EQ(*failure, "exec " + hook.string() + ": exited with status 3: pager service down");
}

TEST_F(ExecChannelTest, AProgramThatIgnoresStdinStillDelivers) {
  const fs::path hook = script("hook", "exit 0\n");
  auto c = channel({hook.string()});
  EXPECT_EQ(c.deliver(drift()), std::nullopt);
}

TEST_F(ExecChannelTest, TimeoutKillsTheProgram) {
  const fs::path hook = script("hook", "exec sleep 30\n");
  auto c = channel({hook.string()}, 300ms);
  const auto started = Clock::now();
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("did not finish within"), std::string::npos) << *failure;
  EXPECT_LT(Clock::now() - started, 5s);
}

// deliver_async runs the program off the io_context thread: a timer on the same io_context fires while a
// program that takes 600 ms runs, and the delivery result still arrives.
TEST_F(ExecChannelTest, AsyncDeliveryLeavesTheIoThreadFree) {
  const auto slow = script("slow.sh", "cat >/dev/null\nsleep 0.6\nexit 0\n");
  auto ch = channel({slow.string()});
  boost::asio::io_context io;
  std::optional<std::optional<std::string>> result;
  Clock::time_point delivered_at{};
  Clock::time_point ticked_at{};
  const auto started = Clock::now();
  boost::asio::co_spawn(io, ch.deliver_async(drift()), [&](std::exception_ptr e, std::optional<std::string> r) {
    ASSERT_FALSE(e);
    result = std::move(r);
    delivered_at = Clock::now();
  });
  boost::asio::steady_timer tick(io, 100ms);
  tick.async_wait([&](const boost::system::error_code&) { ticked_at = Clock::now(); });
  io.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->has_value()) << **result;
  EXPECT_LT(ticked_at - started, 500ms) << "the timer waited for the program";
  EXPECT_GE(delivered_at - started, 600ms);
}

TEST_F(ExecChannelTest, MissingProgramIsNotDelivered) {
  auto c = channel({(dir_ / "no-such-hook").string()});
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("cannot run"), std::string::npos) << *failure;

  auto empty = channel({});
  const auto none = empty.deliver(drift());
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "exec (no command): no command configured");
}

TEST_F(ExecChannelTest, StderrIsEscapedInTheReason) {
  const fs::path hook = script("hook", "printf '\\033[31mred\\n' >&2\nexit 1\n");
  auto c = channel({hook.string()});
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find(": \\x1b[31mred"), std::string::npos) << *failure;
}

}  // namespace
}  // namespace allowdrift::alert
