// The fetch worker runs without capabilities although the daemon holds CAP_NET_ADMIN as an ambient capability, as
// it does under the shipped unit (DynamicUser=, AmbientCapabilities=CAP_NET_ADMIN). Needs root (ctest label
// "privileged"): a forked child becomes uid/gid 65534 with CAP_NET_ADMIN permitted, effective, inheritable and
// ambient, then runs a stand-in worker (a shell script that copies the Cap* lines of its /proc status) twice:
// through WorkerFetcher, and for contrast through sys::run_process directly, where the capability does reach the
// child (so the first check is not passing for want of a capability to lose).
#include "child_checks.h"
#include "net/fetch_to_completion.h"
#include "net/worker_fetcher.h"
#include "sys/child_process.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace allowdrift::net {
namespace {

namespace fs = std::filesystem;
using allowdrift::testing::ChildChecks;
using allowdrift::testing::write_all;

constexpr std::uint64_t kNetAdmin = std::uint64_t{1} << CAP_NET_ADMIN;

// The child: uid/gid 65534 keeping CAP_NET_ADMIN in every set, ambient included. An empty string on success.
std::string become_unprivileged_with_net_admin() {
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return "PR_SET_KEEPCAPS failed";
  if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) return "setresuid failed";
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].permitted = data[0].effective = data[0].inheritable = static_cast<std::uint32_t>(kNetAdmin);
  if (::syscall(SYS_capset, &header, data) != 0) return "capset failed";
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) != 0) return "ambient raise failed";
  return "";
}

// "CapEff" -> its mask, from a copy of /proc/PID/status.
std::uint64_t cap_field(const fs::path& status, const std::string& name) {
  std::ifstream in(status);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) return std::stoull(line.substr(name.size() + 1), nullptr, 16);
  }
  return ~std::uint64_t{0};
}

TEST(WorkerCapabilities, TheWorkerGetsNoneOfTheDaemonsAmbientCapabilities) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root: run as root (ctest -L privileged)";
  const fs::path dir = fs::temp_directory_path() / ("allowdrift-worker-caps-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all);  // the child, uid 65534, writes here
  const fs::path script = dir / "worker.sh";
  std::ofstream(script) << "#!/bin/sh\ngrep '^Cap' /proc/self/status > \"$0.$1.status\"\ncat >/dev/null\n"
                        << "printf '{\"not_modified\":true,\"status\":304}\\n'\n";
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ChildChecks checks;
    const auto why = become_unprivileged_with_net_admin();
    checks.check(why.empty(), "setting up the child: " + why);
    if (checks.ok()) {
      WorkerFetcherOptions o;
      o.executable = script.string();
      WorkerFetcher worker(o);
      FetchRequest r;
      r.url = "https://list.allowdrift.test/";
      const auto got = testing::fetch_to_completion(worker, r);
      checks.check(got && got->not_modified, "the stand-in worker's answer was not taken: " +
                                                 (got ? std::string("no 304") : got.error().message));
      // For contrast: the same program spawned directly keeps the ambient capability.
      sys::ProcessOptions direct_options;
      direct_options.stdin_bytes = "x";
      const auto direct = sys::run_process({script.string(), "direct"}, direct_options);
      checks.check(direct && direct->succeeded(), "the direct run failed");
    }
    write_all(pipe_fds[1], checks.report());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(report.empty()) << report;

  const auto worker_status = fs::path(script.string() + ".fetch-worker.status");
  const auto direct_status = fs::path(script.string() + ".direct.status");
  ASSERT_TRUE(fs::exists(worker_status)) << "the stand-in worker did not run";
  ASSERT_TRUE(fs::exists(direct_status)) << "the direct run did not run";
  EXPECT_EQ(cap_field(direct_status, "CapAmb") & kNetAdmin, kNetAdmin) << "contrast: a plain child inherits it";
  EXPECT_EQ(cap_field(direct_status, "CapEff") & kNetAdmin, kNetAdmin);
  EXPECT_EQ(cap_field(worker_status, "CapAmb"), 0u);
  EXPECT_EQ(cap_field(worker_status, "CapPrm"), 0u);
  EXPECT_EQ(cap_field(worker_status, "CapEff"), 0u);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace allowdrift::net
