// The fetch worker runs without capabilities although the daemon holds CAP_NET_ADMIN as an ambient capability, as
// it does under the shipped unit (DynamicUser=, AmbientCapabilities=CAP_NET_ADMIN), or runs as root. Needs root
// (ctest label "privileged"): a forked child (uid/gid 65534 with CAP_NET_ADMIN permitted, effective, inheritable
// and ambient; or root as it is) runs a stand-in worker (a shell script that copies the Cap* lines of its /proc
// status) twice: through WorkerFetcher, and for contrast through sys::run_process directly, where the capabilities
// do reach the child (so the checks do not pass for want of a capability to lose).
#include "child_checks.h"
#include "net/fetch_to_completion.h"
#include "net/test_pki.h"
#include "net/test_server.h"
#include "net/worker_fetcher.h"
#include "proc_children.h"
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
#include <functional>
#include <iterator>
#include <sstream>
#include <string>

namespace allowdrift::net {
namespace {

namespace fs = std::filesystem;
using allowdrift::testing::ChildChecks;

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

// Runs the stand-in worker through WorkerFetcher and, for contrast, directly with sys::run_process, in a forked
// child prepared by `become` (empty string: ready; else why not). Returns the two status copies' paths.
struct Runs {
  fs::path dir;
  fs::path worker_status;
  fs::path direct_status;
  ~Runs() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void run_both(Runs& runs, const std::function<std::string()>& become) {
  runs.dir = fs::temp_directory_path() / ("allowdrift-worker-caps-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(runs.dir);
  fs::permissions(runs.dir, fs::perms::all);  // the child may be uid 65534, and writes here
  const fs::path script = runs.dir / "worker.sh";
  std::ofstream(script) << "#!/bin/sh\ngrep '^Cap' /proc/self/status > \"$0.$1.status\"\ncat >/dev/null\n"
                        << "printf '{\"not_modified\":true,\"status\":304}\\n'\n";
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  runs.worker_status = script.string() + ".fetch-worker.status";
  runs.direct_status = script.string() + ".direct.status";

  allowdrift::testing::run_in_child([&](ChildChecks& checks) {
    const auto why = become();
    checks.check(why.empty(), "setting up the child: " + why);
    if (!checks.ok()) return;
    WorkerFetcherOptions o;
    o.executable = script.string();
    WorkerFetcher worker(o);
    FetchRequest r;
    r.url = "https://list.allowdrift.test/";
    const auto got = testing::fetch_to_completion(worker, r);
    checks.check(got && got->not_modified,
                 "the stand-in worker's answer was not taken: " + (got ? std::string("no 304") : got.error().message));
    // For contrast: the same program spawned directly keeps what the process has.
    sys::ProcessOptions direct_options;
    direct_options.stdin_bytes = "x";
    const auto direct = sys::run_process({script.string(), "direct"}, direct_options);
    checks.check(direct && direct->succeeded(), "the direct run failed");
  });
  ASSERT_TRUE(fs::exists(runs.worker_status)) << "the stand-in worker did not run";
  ASSERT_TRUE(fs::exists(runs.direct_status)) << "the direct run did not run";
}

TEST(WorkerCapabilities, TheWorkerGetsNoneOfTheDaemonsAmbientCapabilities) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root: run as root (ctest -L privileged)";
  Runs runs;
  ASSERT_NO_FATAL_FAILURE(run_both(runs, become_unprivileged_with_net_admin));
  EXPECT_EQ(cap_field(runs.direct_status, "CapAmb") & kNetAdmin, kNetAdmin) << "contrast: a plain child inherits it";
  EXPECT_EQ(cap_field(runs.direct_status, "CapEff") & kNetAdmin, kNetAdmin);
  EXPECT_EQ(cap_field(runs.worker_status, "CapAmb"), 0u);
  EXPECT_EQ(cap_field(runs.worker_status, "CapPrm"), 0u);
  EXPECT_EQ(cap_field(runs.worker_status, "CapEff"), 0u);
}

// The daemon run as root (the drop-in that legacy iptables needs): a root child would get every capability the
// bounding set allows; the worker's spawning thread empties that set first.
TEST(WorkerCapabilities, UnderRootTheWorkerHasNoCapabilityEither) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root: run as root (ctest -L privileged)";
  Runs runs;
  ASSERT_NO_FATAL_FAILURE(run_both(runs, [] { return std::string(); }));
  EXPECT_NE(cap_field(runs.direct_status, "CapEff") & kNetAdmin, 0u) << "contrast: a root child has them all";
  EXPECT_EQ(cap_field(runs.worker_status, "CapPrm"), 0u);
  EXPECT_EQ(cap_field(runs.worker_status, "CapEff"), 0u);
  EXPECT_EQ(cap_field(runs.worker_status, "CapBnd"), 0u);
}

// The root drop-in (DynamicUser=no, User=root; the unit's CapabilityBoundingSet= and AmbientCapabilities= still
// CAP_NET_ADMIN): the daemon has no CAP_SETPCAP to empty its bounding set, and CAP_NET_ADMIN in its inheritable
// set reaches a root child whatever the bounding set says. The real worker must drop it itself. The child here
// takes that state, then fetches through the real worker from a server that never answers; the test reads the
// worker's /proc status while it waits, and kills the child (the worker dies with it, PR_SET_PDEATHSIG).
TEST(WorkerCapabilities, UnderTheRootDropInTheRealWorkerDropsWhatItInherits) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root: run as root (ctest -L privileged)";
  const fs::path dir = fs::temp_directory_path() / ("allowdrift-worker-root-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // As the drop-in leaves the daemon: root, every set {CAP_NET_ADMIN}, no CAP_SETPCAP.
    for (int cap = 0; ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap)
      if (cap != CAP_NET_ADMIN) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    data[0].permitted = data[0].effective = data[0].inheritable = static_cast<std::uint32_t>(kNetAdmin);
    if (::syscall(SYS_capset, &header, data) != 0) ::_exit(2);
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) != 0) ::_exit(3);
    testing::TestPki pki(dir / "pki");
    testing::TestServer silent(testing::TlsOptions{pki.good().cert, pki.good().key, 0, 0, false, true});
    WorkerFetcherOptions o;
    o.executable = ALLOWDRIFT_BINARY;
    WorkerFetcher worker(o);
    FetchRequest r;
    r.url = silent.url("/list");
    r.ca_file = pki.ca_file().string();
    r.deadline = std::chrono::seconds(20);
    r.retry.max_attempts = 1;
    testing::fetch_to_completion(worker, r);
    ::_exit(0);
  }
  // The worker: a fetch-worker process whose parent is the child.
  pid_t worker = 0;
  for (int i = 0; i < 1000 && worker == 0; ++i) {
    const auto found = allowdrift::testing::children_with_argument(child, "fetch-worker");
    if (!found.empty()) worker = found.front();
    if (worker == 0) ::usleep(10'000);
  }
  std::uint64_t permitted = ~std::uint64_t{0};
  std::uint64_t effective = ~std::uint64_t{0};
  const fs::path status = "/proc/" + std::to_string(worker) + "/status";
  // It drops them before it reads its request; by the time it waits on the server, they are gone. Read until then.
  for (int i = 0; worker != 0 && i < 500 && (permitted != 0 || effective != 0); ++i) {
    permitted = cap_field(status, "CapPrm");
    effective = cap_field(status, "CapEff");
    if (permitted != 0 || effective != 0) ::usleep(10'000);
  }
  ::kill(child, SIGKILL);
  int child_status = 0;
  ::waitpid(child, &child_status, 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_NE(worker, 0) << "no fetch worker appeared";
  EXPECT_EQ(permitted, 0u);
  EXPECT_EQ(effective, 0u);
}

}  // namespace
}  // namespace allowdrift::net
