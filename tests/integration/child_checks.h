// What a forked test child found: failed checks (and notes that explain them), written back to the test process
// through a pipe with write_all. Privileged tests fork so that a private mount namespace or dropped privileges
// never leak into the test process.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <string>

namespace allowdrift::testing {

inline void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

class ChildChecks {
 public:
  void check(bool ok, const std::string& what) {
    if (!ok) failures_ += what + "\n";
  }
  void note(const std::string& what) { notes_ += what + "\n"; }
  bool ok() const { return failures_.empty(); }
  const std::string& failures() const { return failures_; }
  const std::string& notes() const { return notes_; }
  // The failures, then the notes; empty when every check passed.
  std::string report() const { return failures_.empty() ? "" : failures_ + "(notes)\n" + notes_; }

 private:
  std::string failures_;
  std::string notes_;
};

inline std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Runs `body` in a forked child (a private mount namespace, dropped privileges or changed capabilities must not
// leak into the test process) and reports the child's failed checks here. Fork before opening anything the child
// must not inherit, and before starting threads.
inline void run_in_child(const std::function<void(ChildChecks&)>& body) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0) << errno_text("pipe2");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0) << errno_text("fork");
  if (pid == 0) {
    ::close(fds[0]);
    ChildChecks checks;
    try {
      body(checks);
    } catch (const std::exception& e) {
      checks.check(false, std::string("uncaught exception: ") + e.what());
    }
    write_all(fds[1], checks.failures());
    ::_exit(checks.failures().empty() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string report;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status) << "\n" << report;
  EXPECT_EQ(WEXITSTATUS(status), 0) << report;
  EXPECT_EQ(report, "");
}

// In a forked child: a mount namespace of its own, with nothing propagating back to the host's.
inline bool private_mount_namespace(ChildChecks& c) {
  if (::unshare(CLONE_NEWNS) != 0) {
    c.check(false, errno_text("unshare(CLONE_NEWNS)"));
    return false;
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    c.check(false, errno_text("mount --make-rprivate /"));
    return false;
  }
  return true;
}

}  // namespace allowdrift::testing
