// `allowdrift --once` end to end: the real binary against a loopback HTTPS server (a CA generated at run time)
// serving real Cloudflare lists from tests/data, a real file target and a real state directory. Each test walks
// the states an admin meets: first baseline, in sync, an upstream change, the fix, an error page, a shrunken list,
// an unreachable vendor, a held lock, a broken config; the exit code and the JSON report are checked at each.
#include "app/once_fixture.h"
#include "net/scoped_env.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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
using testing::kData;
using testing::OnceTest;
using testing::run_process;
using testing::slurp;
using testing::without_line;

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

// The alert state outlives the process: separate `--once` runs on one state directory, each alerting to a Unix
// datagram socket standing in for /dev/log. A second run that finds the same drift sends nothing (no re-send),
// and the run after the fix sends exactly one resolved line (the open alert was not forgotten).
class OnceAlertTest : public OnceTest {
 protected:
  void SetUp() override {
    OnceTest::SetUp();
    listener_ = std::make_unique<testing::SyslogListener>(dir_ / "log.sock");
  }
  void TearDown() override {
    listener_.reset();
    OnceTest::TearDown();
  }
  std::string alerting_config() {
    return write_config("[[alert]]\ntype = \"syslog\"\nsocket = \"" + (dir_ / "log.sock").string() + "\"\n");
  }
  // Runs one `--once` process, then returns the lines it sent. A marker datagram sent after the process exited
  // arrives after every line the process sent (a Unix datagram socket keeps order), so once the marker is in,
  // nothing of this run is still on its way.
  std::vector<std::string> lines_of(const std::string& config, int expected_status) {
    const auto before = listener_->lines().size();
    const auto r = once(config);
    EXPECT_EQ(r.status, expected_status) << r.err;
    const std::string marker = "marker " + std::to_string(++runs_);
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", (dir_ / "log.sock").c_str());
    EXPECT_EQ(::sendto(fd, marker.data(), marker.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr),
              static_cast<ssize_t>(marker.size()));
    ::close(fd);
    EXPECT_TRUE(testing::eventually([&] { return listener_->count(marker) == 1; }));
    const auto all = listener_->lines();
    std::vector<std::string> out(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
    EXPECT_FALSE(out.empty());
    if (!out.empty() && out.back() == marker) out.pop_back();
    return out;
  }
  // "event=drift" from "<131>Oct 29 10:00:00 allowdrift[42]: event=drift severity=crit ...".
  static std::vector<std::string> events(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines) {
      const auto at = l.find("]: event=");
      out.push_back(at == std::string::npos ? "not an alert: " + l : l.substr(at + 3, l.find(' ', at + 3) - at - 3));
    }
    return out;
  }

  std::unique_ptr<testing::SyslogListener> listener_;
  int runs_ = 0;
};

TEST_F(OnceAlertTest, ARestartNeitherResendsNorForgetsAnOpenAlert) {
  serve(previous_);
  allow(previous_);
  const auto config = alerting_config();

  // 1: baseline, in sync: nothing to say.
  EXPECT_THAT(lines_of(config, 0), ElementsAre());

  // 2: Cloudflare adds 104.24.0.0/14, missing locally: the change and the drift, once each.
  serve(current_);
  const auto opened = lines_of(config, 2);
  EXPECT_THAT(events(opened), ElementsAre("event=upstream_changed", "event=drift"));
  ASSERT_EQ(opened.size(), 2U);
  EXPECT_THAT(opened[1], HasSubstr("check=cf-web"));
  EXPECT_THAT(opened[1], HasSubstr("104.24.0.0/14"));

  // 3: a new process, the same drift: still critical in the report, but no line at all (not re-sent).
  const auto again = lines_of(config, 2);
  EXPECT_THAT(again, ElementsAre());
  EXPECT_EQ(listener_->count("event=drift"), 1U);

  // 4: the allowlist is fixed: exactly one resolved line (the open alert was remembered across processes).
  allow(current_);
  const auto fixed = lines_of(config, 0);
  EXPECT_THAT(events(fixed), ElementsAre("event=resolved"));
  ASSERT_EQ(fixed.size(), 1U);
  EXPECT_THAT(fixed[0], HasSubstr("check=cf-web"));

  // 5: in sync again: nothing more.
  EXPECT_THAT(lines_of(config, 0), ElementsAre());
  EXPECT_EQ(listener_->count("event=drift"), 1U);
  EXPECT_EQ(listener_->count("event=resolved"), 1U);
  EXPECT_EQ(listener_->count("event=upstream_changed"), 1U);
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
  // Nothing reported stale from a list that was not accepted, but a hold is no "in sync": it needs a look.
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(check(r).at("status"), "warning");
  EXPECT_TRUE(check(r).at("stale").as_array().empty());
  EXPECT_THAT(json::serialize(check(r).at("notes")), HasSubstr("held back as suspect"));
}

// A vendor that really shrank its list: held back at first, accepted once it has been published unchanged for
// accept_suspect_after (1h here; the test moves every stored time back instead of waiting).
class OnceSuspectTest : public OnceTest {
 protected:
  void SetUp() override {
    OnceTest::SetUp();
    // An ETag per body, and 304 when the client already has it: the conditional GET a vendor's CDN answers.
    server_->route("/ips-v4", [this](const RecordedRequest& req, int) -> Script {
      const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(body_)) + "\"";
      if (req.header("If-None-Match") == etag) return respond(304, {{"ETag", etag}}, "");
      return respond(200, {{"Content-Type", "text/plain"}, {"ETag", etag}}, body_);
    });
  }
  // Every time in the state database moves back by `hours`, as if the runs so far had happened that long ago.
  void age_state(int hours) {
    auto db = store::open_state_db(dir_ / "state" / "state.db");
    const auto ms = std::to_string(std::int64_t{hours} * 3'600'000);
    db.exec("UPDATE snapshot SET fetched_at = fetched_at - " + ms + ", confirmed_at = confirmed_at - " + ms);
  }
  const std::string shrunk_ = "173.245.48.0/20\n103.21.244.0/22\n";
};

TEST_F(OnceSuspectTest, PublishedUnchangedForTheHoldItIsAccepted) {
  serve(current_);
  allow(current_);
  const auto config = write_config("accept_suspect_after = \"1h\"\n");
  ASSERT_EQ(once(config).status, 0);
  serve(shrunk_);
  EXPECT_EQ(outcome(once(config)), "suspect");
  age_state(2);
  const auto r = once(config);
  ASSERT_EQ(outcome(r), "changed") << r.err;
  const auto& source = r.report.at("sources").as_array().at(0);
  EXPECT_THAT(std::string(source.at("message").as_string()),
              HasSubstr("accepted after being published unchanged for 2h (held back as suspect:"));
  // The accepted list is what the check compares now: the 13 prefixes the vendor dropped are stale locally.
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(check(r).at("stale").as_array().size(), 13U);
  EXPECT_TRUE(check(r).at("missing").as_array().empty());
  EXPECT_EQ(outcome(once(config)), "unchanged");
}

// The old list published again in between (a 304 to its ETag, or the old body) restarts the hold: a list that
// flaps between glitch and normal is never accepted on the strength of its first appearance.
TEST_F(OnceSuspectTest, TheOldListInBetweenRestartsTheHold) {
  serve(current_);
  allow(current_);
  const auto config = write_config("accept_suspect_after = \"1h\"\n");
  ASSERT_EQ(once(config).status, 0);
  serve(shrunk_);
  EXPECT_EQ(outcome(once(config)), "suspect");
  age_state(2);
  serve(current_);
  EXPECT_EQ(outcome(once(config)), "unchanged");  // 304: the old list is confirmed now
  serve(shrunk_);
  EXPECT_EQ(outcome(once(config)), "suspect");
  age_state(2);
  serve(current_ + "\n");  // the old list again, as a 200 with another ETag: the same content
  EXPECT_EQ(outcome(once(config)), "unchanged");
  serve(shrunk_);
  EXPECT_EQ(outcome(once(config)), "suspect");
  // "never": only a changed list ends a hold.
  const auto never = write_config("accept_suspect_after = \"never\"\n");
  age_state(24 * 365);
  EXPECT_EQ(outcome(once(never)), "suspect");
}

// --once fetches up to four sources at a time: the report keeps the configuration's order, and the run's deadline
// skips the sources not yet started (four hanging servers hold all four fetches past it).
TEST_F(OnceTest, SourcesAreFetchedFourAtATimeInConfigurationOrder) {
  std::vector<std::string> lines;
  std::istringstream in(current_);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 15U);
  std::vector<std::string> parts(6);
  for (std::size_t i = 0; i < lines.size(); ++i) parts[i % 6] += lines[i] + "\n";
  for (int i = 0; i < 6; ++i) {
    server_->route("/s" + std::to_string(i),
                   [body = parts[static_cast<std::size_t>(i)]](const RecordedRequest&, int) -> Script {
                     return respond(200, {{"Content-Type", "text/plain"}}, body);
                   });
    server_->route("/hang" + std::to_string(i), [](const RecordedRequest&, int) -> Script {
      return {net::testing::Step{net::testing::Step::Kind::kHang, "", std::chrono::milliseconds(0)}};
    });
  }
  allow(current_);
  const auto config = [&](const std::string& name, int hanging) {
    const auto path = dir_ / name;
    std::ofstream out(path);
    out << "state_dir = \"" << (dir_ / name).string() << ".state\"\nretries = 1\ntimeout = \"3s\"\n"
        << "once_deadline = \"1s\"\n";
    std::string sources;
    for (int i = 0; i < 6; ++i) {
      const auto path_of = (i < hanging ? "/hang" : "/s") + std::to_string(i);
      out << "[[source]]\nname = \"s" << i << "\"\nurl = \"" << server_->url(path_of) << "\"\nformat = \"text\"\n"
          << "ca_file = \"" << pki_->ca_file().string() << "\"\n";
      sources += std::string(i ? ", " : "") + "\"s" + std::to_string(i) + "\"";
    }
    out << "[[target]]\nname = \"web\"\nspec = \"file:allow.txt\"\n"
        << "[[check]]\nname = \"all\"\nsources = [" << sources << "]\ntarget = \"web\"\n";
    return path.string();
  };
  const auto names = [](const Run& r) {
    std::vector<std::string> out;
    for (const auto& s : r.report.at("sources").as_array())
      out.push_back(std::string(s.at("name").as_string()) + " " + std::string(s.at("outcome").as_string()));
    return out;
  };

  auto r = once(config("six.toml", 0));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(names(r),
              ElementsAre("s0 baseline", "s1 baseline", "s2 baseline", "s3 baseline", "s4 baseline", "s5 baseline"));
  EXPECT_EQ(check(r).at("status"), "ok");

  const auto started = std::chrono::steady_clock::now();
  r = once(config("hanging.toml", 4));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_THAT(names(r), ElementsAre("s0 failed", "s1 failed", "s2 failed", "s3 failed", "s4 skipped", "s5 skipped"));
  for (int i = 0; i < 4; ++i) {
    const auto& s = r.report.at("sources").as_array().at(static_cast<std::size_t>(i));
    EXPECT_EQ(s.at("error_kind"), "timeout");
    EXPECT_THAT(std::string(s.at("message").as_string()), HasSubstr("overall deadline")) << json::serialize(s);
  }
  // The run's deadline (1 s) ends the fetches it did not stop from starting, well before their own 3 s timeout.
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  // The check says why the skipped sources have no list.
  EXPECT_THAT(json::serialize(check(r).at("notes")),
              HasSubstr("source s4 has no accepted list yet (failed: not fetched: the run's deadline passed)"));
}

TEST_F(OnceTest, TheRunsDeadlineEndsAFetchWithItsRetries) {
  server_->route("/hang", [](const RecordedRequest&, int) -> Script {
    return {net::testing::Step{net::testing::Step::Kind::kHang, "", std::chrono::milliseconds(0)}};
  });
  allow(current_);
  const auto path = dir_ / "allowdrift.toml";
  std::ofstream(path) << "state_dir = \"" << (dir_ / "state").string() << "\"\nretries = 3\ntimeout = \"4s\"\n"
                      << "once_deadline = \"1s\"\n"
                      << "[[source]]\nname = \"cf\"\nurl = \"" << server_->url("/hang") << "\"\nformat = \"text\"\n"
                      << "ca_file = \"" << pki_->ca_file().string() << "\"\n"
                      << "[[target]]\nname = \"web\"\nspec = \"file:allow.txt\"\n"
                      << "[[check]]\nname = \"cf-web\"\nsources = [\"cf\"]\ntarget = \"web\"\n";
  const auto started = std::chrono::steady_clock::now();
  const auto r = once(path.string());
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_EQ(outcome(r), "failed");
  // Three 4 s attempts with backoff took 13 s before; the deadline stops the first one and begins no other.
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_EQ(server_->hits("/hang"), 1);
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

// Puts a stand-in iptables-save with `script` first on PATH while the returned guard lives.
std::unique_ptr<net::testing::ScopedEnv> iptables_save_on_path(const fs::path& dir, const std::string& script) {
  const auto tools = dir / "tools";
  fs::create_directories(tools);
  std::ofstream(tools / "iptables-save") << "#!/bin/sh\n" << script;
  fs::permissions(tools / "iptables-save", fs::perms::owner_all);
  const char* path = std::getenv("PATH");
  return std::make_unique<net::testing::ScopedEnv>("PATH",
                                                   tools.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin"));
}

// --once reads its targets on threads of their own while the sources are fetched. A target still being read at
// the run's deadline (here an iptables-save that takes 20 s) is reported unreadable, and the run does not wait
// for it; the source was fetched meanwhile.
TEST_F(OnceTest, ATargetStillBeingReadAtTheDeadlineIsUnreadableAndDoesNotHoldTheRun) {
  serve(current_);
  const auto on_path = iptables_save_on_path(dir_, "echo $$ > '" + (dir_ / "tool.pid").string() + "'\nexec sleep 20\n");
  const auto config = iptables_config("/ips-v4", "5s", "2s");
  const auto started = std::chrono::steady_clock::now();
  const auto r = once(config);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_EQ(outcome(r), "baseline");
  const auto& t = r.report.at("targets").as_array().at(0);
  EXPECT_EQ(t.at("readable"), false);
  EXPECT_EQ(t.at("error_kind"), "timeout");
  EXPECT_THAT(std::string(t.at("error").as_string()), ::testing::HasSubstr("deadline"));
  EXPECT_EQ(check(r).at("status"), "unknown");
  EXPECT_LT(took, std::chrono::seconds(12)) << "the run waited for the 20 s reading";
  // The tool is not left running: the thread that enforced its timeout is gone with the run.
  pid_t tool = 0;
  std::ifstream(dir_ / "tool.pid") >> tool;
  ASSERT_GT(tool, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::kill(tool, 0) != 0 && errno == ESRCH;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "iptables-save (pid " << tool << ") outlived --once";
  if (!gone) ::kill(tool, SIGKILL);
}

// An accepted upstream change is alerted before its target is read for the check: a hook that applies the change
// to the firewall (here an exec channel that writes the new list into the file target) is seen in the same run.
TEST_F(OnceTest, ATargetIsReadAgainAfterTheAlertsOfAnAcceptedChange) {
  serve(previous_);
  allow(previous_);
  const auto hook = dir_ / "apply-change.sh";
  std::ofstream(hook) << "#!/bin/sh\ngrep -q '\"event\":\"upstream_changed\"' && cp '" << (dir_ / "next.txt").string()
                      << "' '" << (dir_ / "allow.txt").string() << "'\nexit 0\n";
  fs::permissions(hook, fs::perms::owner_all);
  std::ofstream(dir_ / "next.txt") << current_;
  const auto config = write_config("[[alert]]\ntype = \"exec\"\ncommand = [\"" + hook.string() + "\"]\n");
  auto r = once(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(outcome(r), "baseline");

  serve(current_);  // 104.24.0.0/14 appears upstream; the hook adds it to allow.txt when told
  r = once(config);
  EXPECT_EQ(outcome(r), "changed");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(check(r).at("status"), "ok");
  EXPECT_TRUE(check(r).at("missing").as_array().empty()) << "compared with the reading from before the hook ran";
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
  // --once after the options, as cron lines get written, is still the one-shot check (3 here, not the daemon's 78).
  r = run_process({ALLOWDRIFT_BINARY, "--config", path.string(), "--once"}, dir_ / "scratch");
  EXPECT_EQ(r.status, 3);
  EXPECT_THAT(r.err, HasSubstr("allowdrift --once: "));
}

// What --once leaves in the state database besides snapshots: each target reading (one row per distinct content,
// confirmed on re-reads), the drift result pointing at the snapshot and reading it compared, fetch attempts with
// their duration; and the retention settings applied at the end of the run, never to the last accepted list.
TEST_F(OnceTest, StateDatabaseKeepsReadingsAndResultsAndRetentionRuns) {
  const auto db_path = dir_ / "state" / "state.db";
  const auto day_ms = std::int64_t{86'400'000};
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  {
    // Forty days of older history: three different lists and their fetch attempts.
    fs::create_directories(dir_ / "state");
    auto db = store::open_state_db(db_path);
    store::SnapshotStore snapshots(db);
    for (int i = 0; i < 3; ++i) {
      store::SnapshotInput in;
      in.source = "cf";
      in.fetched_at = now_ms - (40 - i) * day_ms;
      // The list of those days: the current one without 104.24.0.0/14 and without its i-th line.
      store::SectionContent section{"", {}, {}};
      model::IpSetBuilder b;
      std::istringstream lines(previous_);
      int n = 0;
      for (std::string line; std::getline(lines, line); ++n)
        if (n != i) b.add(*model::parse_ip_entry(line));
      section.ips = std::move(b).build();
      in.sections.push_back(std::move(section));
      snapshots.record(in);
      snapshots.record_fetch_attempt("cf", in.fetched_at, "changed", "", "", 5, 100);
    }
  }
  serve(current_);
  allow(current_);
  const auto config = write_config();
  // keep_* are global keys: before the first table.
  const auto text = slurp(config);
  std::ofstream(config) << "keep_history = \"7d\"\nkeep_snapshots = 2\nkeep_fetch_log = \"7d\"\n" << text;

  auto r = once(config);
  ASSERT_EQ(r.status, 0) << r.err;
  auto db = store::open_state_db(db_path);
  const auto count = [&](const std::string& sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.step());
    return st.column_int64(0);
  };
  // Three old snapshots and the new one: keep_snapshots = 2 keeps the newest two, keep_history drops the rest.
  EXPECT_EQ(count("SELECT count(*) FROM snapshot"), 2);
  store::SnapshotStore snapshots(db);
  const auto last = snapshots.last_accepted("cf");
  ASSERT_TRUE(last);
  EXPECT_GE(last->fetched_at, now_ms);
  // Fetch attempts: the 40-day-old ones are gone; this run's is kept, with its measured duration.
  const auto attempts = snapshots.fetch_history("cf");
  ASSERT_EQ(attempts.size(), 1U);
  EXPECT_EQ(attempts[0].outcome, "changed");
  EXPECT_GT(attempts[0].duration_ms, 0);
  EXPECT_GT(attempts[0].bytes, 0);

  // The target reading and the drift result that points at it and at the snapshot.
  EXPECT_EQ(count("SELECT count(*) FROM local_reading WHERE target = 'web'"), 1);
  const auto reading = count("SELECT id FROM local_reading WHERE target = 'web'");
  // Cloudflare's 15 prefixes: none adjacent to another in a way that merges (104.16.0.0/13 + 104.24.0.0/14 is no
  // CIDR block), so one block per line.
  const auto lines = std::count(current_.begin(), current_.end(), '\n') + (current_.ends_with('\n') ? 0 : 1);
  EXPECT_EQ(lines, 15);
  EXPECT_EQ(count("SELECT ip_count FROM local_reading WHERE id = " + std::to_string(reading)), lines);
  EXPECT_EQ(count("SELECT reading_id FROM drift_result ORDER BY id DESC LIMIT 1"), reading);
  EXPECT_EQ(count("SELECT snapshot_id FROM drift_result ORDER BY id DESC LIMIT 1"), last->id);

  // Same allowlist again: no new reading row, its confirmed_at moves. A changed allowlist: a new row.
  const auto confirmed = count("SELECT confirmed_at FROM local_reading WHERE id = " + std::to_string(reading));
  r = once(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count("SELECT count(*) FROM local_reading WHERE target = 'web'"), 1);
  EXPECT_GE(count("SELECT confirmed_at FROM local_reading WHERE id = " + std::to_string(reading)), confirmed);
  allow(current_ + "\n198.51.100.0/24\n");
  r = once(config);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(count("SELECT count(*) FROM local_reading WHERE target = 'web'"), 2);
  EXPECT_EQ(count("SELECT reading_id FROM drift_result ORDER BY id DESC LIMIT 1"),
            count("SELECT max(id) FROM local_reading"));
}

TEST_F(OnceTest, ShippedExampleConfigIsValid) {
  const auto r =
      run_process({ALLOWDRIFT_BINARY, "check-config", ALLOWDRIFT_CONFIG_DIR "/allowdrift.toml"}, dir_ / "scratch");
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace
}  // namespace allowdrift
