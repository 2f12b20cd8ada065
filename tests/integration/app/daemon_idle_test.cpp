// The idle daemon (issue 7, "no wake-ups between scheduled events"): once its first cycle is done it waits in one
// ppoll() on its signalfd until the next scheduled event, not inside Asio's reactor (whose epoll_wait never blocks
// longer than 5 minutes, so an idle daemon in it wakes at least every 5 minutes; see daemon/app/idle_scheduler.h).
// Checked on the real binary through /proc: the system call it is blocked in, and the context switches of every
// thread over a window with nothing scheduled. SIGHUP and SIGTERM are taken from that wait.
#include "app/daemon_harness.h"

#include <sys/syscall.h>

namespace allowdrift::testing {
namespace {

using ::testing::HasSubstr;

// The system call the process's main thread is blocked in (/proc/PID/syscall), or -1 while it runs.
long blocked_in(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/syscall");
  std::string first;
  in >> first;
  if (first.empty() || first == "running") return -1;
  return std::stol(first);
}

// Voluntary plus involuntary context switches of every thread of the process.
long context_switches(pid_t pid) {
  long total = 0;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        total += std::stol(line.substr(line.find(':') + 1));
      }
    }
  }
  return total;
}

TEST_F(DaemonTest, IdleDaemonWaitsInOnePpollAndWakesForNothingElse) {
  interval_ = "30s";  // the next fetch is 27 to 33 s away (jitter), the next target poll an hour away
  target_interval_ = "1h";
  serve(current_);
  allow(current_);
  start();
  ASSERT_TRUE(eventually([&] { return log().find("check evaluated check=cf-web status=ok") != std::string::npos; }))
      << log();
  ASSERT_TRUE(eventually([&] { return blocked_in(pid_) == SYS_ppoll; }, 5s))
      << "blocked in system call " << blocked_in(pid_) << ", not ppoll (" << SYS_ppoll << ")\n"
      << log();
  const long before = context_switches(pid_);
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(context_switches(pid_) - before, 0) << "the idle daemon woke up";
  EXPECT_EQ(blocked_in(pid_), SYS_ppoll);
  EXPECT_EQ(hits(), 1);

  // SIGHUP while idle: the configuration is reloaded and the new one fetches at once, then waits again.
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  ASSERT_TRUE(eventually([&] { return hits() >= 2 && log().find("config reloaded") != std::string::npos; })) << log();
  ASSERT_TRUE(eventually([&] { return blocked_in(pid_) == SYS_ppoll; }, 5s)) << log();

  // SIGTERM while idle: a clean exit, at once.
  ASSERT_NO_FATAL_FAILURE(stop());
  EXPECT_THAT(log(), HasSubstr("stopping signal=TERM"));
  EXPECT_THAT(log(), HasSubstr("stopped"));
}

// systemd's notifications still come while idle: WATCHDOG=1 at half of WATCHDOG_USEC (its sleeps are in the same
// scheduler, so they bound the idle wait), READY=1 and STATUS= at start, STOPPING=1 on SIGTERM.
TEST_F(DaemonTest, WatchdogNotificationsComeFromTheIdleWait) {
  interval_ = "30s";
  target_interval_ = "1h";
  serve(current_);
  allow(current_);
  SyslogListener notify(dir_ / "notify.sock");  // a Unix datagram socket collecting lines, like systemd's
  ::setenv("NOTIFY_SOCKET", (dir_ / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "300000", 1);
  start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(eventually([&] { return log().find("check evaluated check=cf-web status=ok") != std::string::npos; }))
      << log();
  ASSERT_TRUE(eventually([&] { return blocked_in(pid_) == SYS_ppoll; }, 5s)) << log();
  EXPECT_EQ(notify.count("READY=1"), 1u);
  EXPECT_GE(notify.count("STATUS=1 checks: 1 ok"), 1u);
  const auto before = notify.count("WATCHDOG=1");
  std::this_thread::sleep_for(1500ms);
  const auto during = notify.count("WATCHDOG=1") - before;
  EXPECT_GE(during, 5u);  // one every 150 ms: 10 in 1.5 s, on a loaded host fewer
  EXPECT_LE(during, 11u);
  EXPECT_EQ(hits(), 1);
  ASSERT_NO_FATAL_FAILURE(stop());
  EXPECT_TRUE(eventually([&] { return notify.count("STOPPING=1") == 1; }, 2s));
}

}  // namespace
}  // namespace allowdrift::testing
