// The daemon end to end: the real binary as a long-running process against a loopback HTTPS server serving real
// Cloudflare lists, a file target, and a Unix datagram socket standing in for /dev/log. Checks that each change
// alerts exactly once (drift, resolved, upstream change, fetch failing), that SIGHUP with a broken config keeps
// the daemon running, and that SIGTERM in the middle of a fetch stops it promptly and cleanly.
#include "app/daemon_harness.h"
#include "net/scoped_env.h"
#include "proc_children.h"
#include "store/sqlite_db.h"

namespace allowdrift::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(DaemonTest, EachChangeAlertsOnce) {
  serve(previous_);
  allow(previous_);
  start();
  // Baseline: in sync, nothing to alert. Let a few fetch cycles pass.
  ASSERT_TRUE(eventually([&] { return hits() >= 3; })) << log();
  EXPECT_EQ(listener_->count("event=drift"), 0u) << log();

  // Upstream adds 104.24.0.0/14: one upstream_changed and one drift line naming it, whatever the number of cycles.
  serve(current_);
  ASSERT_TRUE(eventually([&] { return listener_->count("event=drift") >= 1; })) << log();
  const int seen = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= seen + 3; })) << log();
  EXPECT_EQ(listener_->count("event=drift "), 1u);
  EXPECT_EQ(listener_->count("event=upstream_changed"), 1u);
  for (const auto& l : listener_->lines()) {
    if (l.find("event=drift ") != std::string::npos) {
      EXPECT_THAT(l, HasSubstr("104.24.0.0/14"));
    }
  }

  // The admin fixes the allowlist: one resolved line.
  allow(current_);
  ASSERT_TRUE(eventually([&] { return listener_->count("event=resolved") >= 1; })) << log();
  const int after = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= after + 2; })) << log();
  EXPECT_EQ(listener_->count("event=resolved"), 1u);

  // The vendor serves an error page: after fail_alert_after attempts, one fetch_failing, and no drift from it.
  serve(slurp(kData / "published/badfetch-cloudflare-ips-v4-http500-2024-10-29.html"));
  ASSERT_TRUE(eventually([&] { return listener_->count("event=fetch_failing") >= 1; })) << log();
  const int failing = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= failing + 2; })) << log();
  EXPECT_EQ(listener_->count("event=fetch_failing"), 1u);
  EXPECT_EQ(listener_->count("event=drift "), 1u);
  EXPECT_EQ(listener_->count("event=drift_changed"), 0u);
  EXPECT_TRUE(alive());
}

TEST_F(DaemonTest, ShrunkenListIsHeldBackAndDoesNotAlertDrift) {
  serve(current_);
  allow(current_);
  start();
  ASSERT_TRUE(eventually([&] { return hits() >= 2; })) << log();
  serve("173.245.48.0/20\n103.21.244.0/22\n");
  ASSERT_TRUE(eventually([&] { return listener_->count("event=suspect_held") >= 1; })) << log();
  const int seen = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= seen + 2; })) << log();
  EXPECT_EQ(listener_->count("event=suspect_held"), 1u);
  EXPECT_EQ(listener_->count("event=drift"), 0u);  // nothing "stale" from a list that was not accepted
}

TEST_F(DaemonTest, SighupWithABrokenConfigKeepsTheOldOneRunning) {
  serve(current_);
  allow(current_);
  start();
  ASSERT_TRUE(eventually([&] { return hits() >= 1; })) << log();
  std::ofstream(dir_ / "allowdrift.toml") << config_text() << "bogus_key = 1\n";
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  ASSERT_TRUE(eventually([&] { return log().find("reload rejected") != std::string::npos; })) << log();
  EXPECT_THAT(log(), HasSubstr("allowdrift.toml:22: key 'bogus_key' in [[alert]] #1: unknown key"));
  const int seen = hits();
  EXPECT_TRUE(eventually([&] { return hits() >= seen + 2; })) << "the old configuration stopped fetching\n" << log();
  EXPECT_TRUE(alive());

  // A good config is taken.
  std::ofstream(dir_ / "allowdrift.toml") << config_text();
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  EXPECT_TRUE(eventually([&] { return log().find("config reloaded") != std::string::npos; })) << log();
}

// The daemon's children running `fetch-worker` (net/worker_fetcher.h).
std::vector<pid_t> fetch_workers(pid_t daemon) { return children_with_argument(daemon, "fetch-worker"); }

TEST_F(DaemonTest, SigtermMidFetchStopsPromptlyAndCleanly) {
  serve(current_);
  allow(current_);
  start();
  ASSERT_TRUE(eventually([&] { return hits() >= 1; })) << log();
  hang();  // the next fetch hangs inside the read, after the request was sent
  const int seen = hits();
  ASSERT_TRUE(eventually([&] { return hits() > seen; })) << log();
  std::this_thread::sleep_for(200ms);
  // The fetch runs in a worker process, which the daemon ends when it stops.
  const auto workers = fetch_workers(pid_);
  ASSERT_EQ(workers.size(), 1u) << "no fetch worker mid-fetch\n" << log();
  ASSERT_NO_FATAL_FAILURE(stop());
  EXPECT_THAT(log(), HasSubstr("stopped 1 running child process(es)"));
  const auto worker_gone = [pid = workers.front()] {
    const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    return stat.empty() || stat.find(") Z") != std::string::npos;
  };
  EXPECT_TRUE(eventually(worker_gone, 2s)) << "the fetch worker outlived the daemon";

  // The state database is intact and usable: `status` reads it.
  const auto r = run_process({ALLOWDRIFT_BINARY, "status", "--config", (dir_ / "allowdrift.toml").string()}, dir_);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cf-web: ok"));
}

// A webhook alert from the daemon: its POST goes out through a fetch worker, like the fetches, with the event. The
// hook answers after 3 s; a worker alive across a second of that wait is the webhook's (a source fetch, every
// second here, is over in a fraction of one). Posted in-process, there would be none.
TEST_F(DaemonTest, AWebhookAlertIsPostedThroughTheFetchWorker) {
  serve(current_);
  target_spec_ = "file:missing.txt";  // unreadable: a target_unreadable event at the first read
  server_->route("/hook", Script{Step{Step::Kind::kSleep, "", 3000ms},
                                 Step{Step::Kind::kWrite, net::testing::response_head(204, {}), 0ms}});
  extra_config_ = "[[alert]]\ntype = \"webhook\"\nurl = \"" + server_->url("/hook") + "\"\nca_file = \"" +
                  pki_->ca_file().string() + "\"\n";
  start();
  ASSERT_TRUE(eventually([&] { return server_->hits("/hook") >= 1; })) << log();
  const auto first = fetch_workers(pid_);
  std::this_thread::sleep_for(1000ms);
  const auto second = fetch_workers(pid_);
  std::size_t long_lived = 0;
  for (const pid_t w : first) long_lived += static_cast<std::size_t>(std::count(second.begin(), second.end(), w));
  EXPECT_EQ(long_lived, 1u) << "no fetch worker waited for the hook's answer";
  ASSERT_TRUE(eventually([&] { return listener_->count("event=target_unreadable") >= 1; })) << log();
  std::string body;
  for (const auto& r : server_->requests())
    if (r.path == "/hook") body = r.body;
  EXPECT_THAT(body, HasSubstr("\"text\":"));
  EXPECT_THAT(body, HasSubstr("target_unreadable"));
  std::this_thread::sleep_for(2500ms);  // the hook's answer arrives
  EXPECT_THAT(log(), ::testing::Not(HasSubstr("alert not delivered"))) << log();
  ASSERT_NO_FATAL_FAILURE(stop());
}

// An accepted upstream change is alerted before the targets it concerns are read again: a hook that applies the
// change to the firewall (here an exec channel that copies the new list into the file target) leaves no drift to
// alert, and so nothing resolved to alert a moment later.
TEST_F(DaemonTest, AHookThatAppliesAnUpstreamChangeLeavesNoDrift) {
  serve(previous_);
  allow(previous_);
  std::ofstream(dir_ / "next.txt") << current_;
  extra_config_ = "[[alert]]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"-c\", \"grep -q upstream_changed && cp '" +
                  (dir_ / "next.txt").string() + "' '" + (dir_ / "allow.txt").string() + "'; exit 0\"]\n";
  start();
  ASSERT_TRUE(eventually([&] { return hits() >= 2; })) << log();
  serve(current_);
  ASSERT_TRUE(eventually([&] { return listener_->count("event=upstream_changed") >= 1; })) << log();
  const int seen = hits();
  ASSERT_TRUE(eventually([&] { return hits() >= seen + 2; })) << log();
  EXPECT_EQ(slurp(dir_ / "allow.txt"), current_) << "the hook did not run";
  EXPECT_EQ(listener_->count("event=drift "), 0u) << log();
  EXPECT_EQ(listener_->count("event=resolved"), 0u) << log();
}

// A slow alert program neither holds up the daemon (fetches go on while it runs) nor a SIGTERM: delivery runs off
// the io thread, and the event whose delivery never finished is tried again after the restart. A reload while it
// runs does not send the event a second time, and the daemon ends the program when it stops.
TEST_F(DaemonTest, ASlowAlertProgramBlocksNeitherTheLoopsNorSigterm) {
  serve(current_);
  target_spec_ = "file:missing.txt";  // unreadable: a target_unreadable event at the first read
  const auto started = dir_ / "exec.started";
  extra_config_ = "[[alert]]\ntype = \"exec\"\ncommand = [\"/bin/sh\", \"-c\", \"cat >/dev/null; echo $$ > '" +
                  started.string() + "'; exec sleep 60\"]\ntimeout = \"120s\"\n";
  start();
  ASSERT_TRUE(eventually([&] { return fs::exists(started); }, 10s)) << log();
  EXPECT_TRUE(eventually([&] { return listener_->count("event=target_unreadable") >= 1; })) << log();
  const int seen = hits();
  EXPECT_TRUE(eventually([&] { return hits() >= seen + 2; }, 10s)) << "fetches stopped while the program ran\n"
                                                                   << log();
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  EXPECT_TRUE(eventually([&] { return log().find("config reloaded") != std::string::npos; })) << log();
  std::this_thread::sleep_for(2500ms);  // the new generation's target loop ticks every second
  EXPECT_EQ(listener_->count("event=target_unreadable"), 1u) << log();
  const pid_t program = std::stoi(slurp(started));
  const auto running = [program] {
    std::ifstream stat("/proc/" + std::to_string(program) + "/stat");
    std::string pid, comm, state;
    return static_cast<bool>(stat >> pid >> comm >> state) && state != "Z";
  };
  EXPECT_TRUE(running());
  ASSERT_NO_FATAL_FAILURE(stop());
  EXPECT_TRUE(eventually([&] { return !running(); }, 2s)) << "the alert program outlived the daemon";
  EXPECT_THAT(log(), HasSubstr("stopped 1 running child process(es)"));
}

// A fetch that fails is tried again soon, not at the next interval: a list unreachable when the daemon starts (DNS
// not up yet at boot, say) does not leave its checks unknown for hours. Here the interval is an hour and
// retry_after_failure one second: the first answer is a 503, the retry a second later gets the list.
TEST_F(DaemonTest, AFailedFetchIsTriedAgainSoonNotAtTheNextInterval) {
  allow(current_);
  interval_ = "1h";
  global_config_ = "retry_after_failure = \"1s\"\n";
  std::atomic<int> requests{0};
  server_->route("/ips-v4", [&](const RecordedRequest&, int) -> Script {
    if (requests++ == 0) return respond(503, {{"Content-Type", "text/plain"}}, "maintenance\n");
    return respond(200, {{"Content-Type", "text/plain"}}, current_);
  });
  start();
  ASSERT_TRUE(eventually([&] { return log().find("fetch failed source=cf") != std::string::npos; }, 70s)) << log();
  EXPECT_TRUE(eventually([&] { return log().find("fetch baseline source=cf") != std::string::npos; }, 5s)) << log();
  EXPECT_EQ(requests.load(), 2);
  ASSERT_NO_FATAL_FAILURE(stop());
}

// A cycle that cannot write the state database (here another process holds its write lock past the busy
// timeout; in production a full disk or a read-only remount) is named in STATUS, which `systemctl status`
// shows, until a cycle works again.
TEST_F(DaemonTest, AFailingCycleIsNamedInStatusUntilItWorksAgain) {
  serve(current_);
  allow(current_);
  SyslogListener notify(dir_ / "notify.sock");
  ::setenv("NOTIFY_SOCKET", (dir_ / "notify.sock").c_str(), 1);
  start();
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(eventually([&] { return log().find("check evaluated check=cf-web status=ok") != std::string::npos; }))
      << log();
  {
    auto blocker = store::Database::open(dir_ / "state" / "state.db", store::Database::Mode::kReadWrite);
    blocker.exec("BEGIN IMMEDIATE");
    ASSERT_TRUE(eventually([&] { return notify.count("failing, source cf: ") >= 1; }, 20s)) << log();
    blocker.exec("ROLLBACK");
  }
  const auto failing = notify.count("failing, source cf: ");
  ASSERT_TRUE(eventually([&] { return notify.lines().back().find("failing") == std::string::npos; }, 20s)) << log();
  EXPECT_GE(failing, 1u);
  ASSERT_NO_FATAL_FAILURE(stop());
}

// A state database that cannot be opened (here a directory in its place) stops the start with the state
// directory's exit status and a message naming it, not an "internal error".
TEST_F(DaemonTest, AnUnusableStateDatabaseIsAStartupError) {
  serve(current_);
  allow(current_);
  fs::create_directories(dir_ / "state" / "state.db");
  start();
  int status = 0;
  ASSERT_TRUE(eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, 10s)) << log();
  pid_ = -1;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << log();
  EXPECT_THAT(log(), HasSubstr("state.db"));
  EXPECT_THAT(log(), ::testing::Not(HasSubstr("internal error")));
}

// A firewall tool that hangs (here an iptables-save that sleeps 25 s, under its 30 s timeout) runs on a thread of
// its own: the daemon's one thread goes on sending WATCHDOG=1 (systemd would otherwise kill it after WatchdogSec)
// and answers SIGTERM within 2 s, ending the tool. On the io thread, both waited for the tool: no ping for 25 s,
// and a stop after it.
TEST_F(DaemonTest, AHungFirewallToolBlocksNeitherSigtermNorTheWatchdog) {
  serve(current_);
  const auto tools = dir_ / "tools";
  fs::create_directories(tools);
  const auto tool_pid = dir_ / "tool.pid";
  std::ofstream(tools / "iptables-save") << "#!/bin/sh\necho $$ > '" << tool_pid.string() << "'\nexec sleep 25\n";
  fs::permissions(tools / "iptables-save", fs::perms::owner_all);
  const char* path = std::getenv("PATH");
  net::testing::ScopedEnv on_path("PATH", tools.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin"));
  target_spec_ = "iptables:INPUT";
  SyslogListener notify(dir_ / "notify.sock");
  ::setenv("NOTIFY_SOCKET", (dir_ / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "300000", 1);
  start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(eventually([&] { return fs::exists(tool_pid) && !slurp(tool_pid).empty(); }, 10s)) << log();
  const pid_t tool = std::stoi(slurp(tool_pid));
  const auto before = notify.count("WATCHDOG=1");
  std::this_thread::sleep_for(1500ms);
  EXPECT_GE(notify.count("WATCHDOG=1") - before, 5u) << "no watchdog ping while the tool ran\n" << log();
  ASSERT_NO_FATAL_FAILURE(stop());
  const auto tool_gone = [tool] {
    const std::string stat = slurp("/proc/" + std::to_string(tool) + "/stat");
    return stat.empty() || stat.find(") Z") != std::string::npos;
  };
  EXPECT_TRUE(eventually(tool_gone, 2s)) << "iptables-save outlived the daemon";
}

}  // namespace
}  // namespace allowdrift::testing
