// sys::run_process with real programs: exit codes, signals, deadlines (the whole process group goes), output caps,
// stdin, the environment, descriptors, and programs that are missing or not executable.
#include "sys/child_process.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace allowdrift::sys {
namespace {

using namespace std::chrono_literals;
using Outcome = ProcessResult::Outcome;

ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions& options = {}) {
  auto r = run_process(argv, options);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : ProcessResult{};
}

ProcessResult sh(const std::string& script, const ProcessOptions& options = {}) {
  return run({"sh", "-c", script}, options);
}

// A process that is gone, or a zombie waiting for whoever inherited it.
bool gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return true;
  return state == "Z";
}

TEST(ChildProcess, ExitCodesAndBothStreams) {
  const auto r = sh("echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.outcome, Outcome::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.describe(), "exited with status 3");
  EXPECT_TRUE(run({"true"}).succeeded());
  EXPECT_EQ(run({"true"}).program.front(), '/');  // resolved once, to an absolute path
}

// A timeout of "forever" (a configured timeout of years, or the largest value) neither overflows the deadline nor
// poll()'s int: before the clamp, the deadline wrapped into the past and the program was killed at once.
TEST(ChildProcess, AnEndlessTimeoutWaitsForTheProgram) {
  ProcessOptions o;
  o.timeout = std::chrono::milliseconds::max();
  const auto r = sh("sleep 0.2; echo done", o);
  EXPECT_EQ(r.outcome, Outcome::kExited) << r.describe();
  EXPECT_EQ(r.out, "done\n");
  o.timeout = std::chrono::hours(24 * 365 * 300);  // past steady_clock's range in nanoseconds
  EXPECT_TRUE(sh("sleep 0.1", o).succeeded());
}

TEST(ChildProcess, DeathBySignal) {
  const auto r = sh("kill -TERM $$");
  EXPECT_EQ(r.outcome, Outcome::kSignaled);
  EXPECT_EQ(r.term_signal, SIGTERM);
}

TEST(ChildProcess, TimeoutKillsTheWholeProcessGroup) {
  ProcessOptions options;
  options.timeout = 300ms;
  const auto r = sh("sleep 30 & echo $!; sleep 30", options);
  EXPECT_EQ(r.outcome, Outcome::kTimedOut);
  EXPECT_GE(r.elapsed, 300ms);
  EXPECT_LT(r.elapsed, 5s);
  ASSERT_FALSE(r.out.empty());
  const auto background = static_cast<pid_t>(std::stol(r.out));
  for (int i = 0; i < 100 && !gone(background); ++i) ::usleep(10'000);
  EXPECT_TRUE(gone(background)) << "the background sleep " << background << " survived";

  const auto plain = run({"sleep", "10"}, options);
  EXPECT_EQ(plain.outcome, Outcome::kTimedOut);
  EXPECT_LT(plain.elapsed, 5s);
}

// The tool exits but leaves a child holding its stdout: the call returns at the exit, not at the deadline.
TEST(ChildProcess, ExitDoesNotWaitForLeftoverChildren) {
  ProcessOptions options;
  options.timeout = 20s;
  const auto r = sh("sleep 30 & echo started", options);
  EXPECT_EQ(r.outcome, Outcome::kExited);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "started\n");
  EXPECT_LT(r.elapsed, 5s);
}

TEST(ChildProcess, OutputCaps) {
  ProcessOptions options;
  options.max_stdout_bytes = 1u << 20;
  options.timeout = 20s;
  const auto flood = run({"yes"}, options);
  EXPECT_EQ(flood.outcome, Outcome::kStdoutTooLarge);
  EXPECT_EQ(flood.out.size(), 1u << 20);
  EXPECT_LT(flood.elapsed, 10s);

  options.max_stderr_bytes = 1000;
  const auto noisy = sh("head -c 200000 /dev/zero | tr '\\0' e >&2; echo done", options);
  EXPECT_EQ(noisy.outcome, Outcome::kExited);
  EXPECT_EQ(noisy.exit_code, 0);
  EXPECT_EQ(noisy.out, "done\n");
  EXPECT_EQ(noisy.err.size(), 1000u);
  EXPECT_TRUE(noisy.stderr_truncated);
}

TEST(ChildProcess, Stdin) {
  ProcessOptions options;
  options.stdin_bytes = "hello\n";
  EXPECT_EQ(run({"cat"}, options).out, "hello\n");
  options.stdin_bytes.assign(1u << 20, 'x');
  EXPECT_EQ(run({"wc", "-c"}, options).out, "1048576\n");
  // A child that never reads its stdin: the write fails with EPIPE, never a SIGPIPE in this process.
  const auto ignored = run({"true"}, options);
  EXPECT_EQ(ignored.outcome, Outcome::kExited);
  EXPECT_EQ(ignored.exit_code, 0);
  // Without stdin bytes the child reads /dev/null.
  EXPECT_EQ(run({"cat"}).out, "");
}

TEST(ChildProcess, MinimalEnvironmentAndNoLeakedDescriptors) {
  ProcessOptions options;
  options.search_path = "/usr/bin:/bin";
  options.extra_environment = {"ALLOWDRIFT_TEST=1"};
  EXPECT_EQ(run({"env"}, options).out, "LC_ALL=C\nPATH=/usr/bin:/bin\nALLOWDRIFT_TEST=1\n");

  const int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC
  ASSERT_GE(leaky, 0);
  const auto fds = sh("ls /proc/$$/fd");
  ::close(leaky);
  EXPECT_EQ(fds.out, "0\n1\n2\n") << "descriptors visible in the child: " << fds.out;
}

TEST(ChildProcess, MissingAndNotExecutablePrograms) {
  auto missing = run_process({"allowdrift-no-such-tool"}, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, SpawnError::Kind::kNotFound);
  EXPECT_NE(missing.error().message.find("allowdrift-no-such-tool not found in the search path"), std::string::npos);

  const auto dir = std::filesystem::temp_directory_path() / ("allowdrift-child-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ProcessOptions empty_path;
  empty_path.search_path = dir.string();
  auto not_on_path = run_process({"sleep", "1"}, empty_path);
  ASSERT_FALSE(not_on_path);
  EXPECT_EQ(not_on_path.error().message, "sleep not found in the search path \"" + dir.string() + "\"");

  const auto script = dir / "not-executable";
  std::ofstream(script) << "#!/bin/sh\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto denied = run_process({script.string()}, {});
  ASSERT_FALSE(denied);
  // root may execute nothing without an x bit either: faccessat(X_OK) checks that one bit is set.
  EXPECT_EQ(denied.error().kind, SpawnError::Kind::kPermission);
  std::filesystem::remove_all(dir);

  // Empty PATH entries are never read as the current directory.
  EXPECT_FALSE(find_program("allowdrift-no-such-tool", "::"));
  EXPECT_TRUE(find_program("sh", ":/bin:"));
}

}  // namespace
}  // namespace allowdrift::sys
