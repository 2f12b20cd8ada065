#include "sys/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace allowdrift::sys {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

SpawnError error(SpawnError::Kind kind, std::string message) { return {kind, std::move(message)}; }

SpawnError errno_error(std::string_view what, int err) {
  return error(SpawnError::Kind::kIo, std::string(what) + ": " + std::strerror(err));
}

// A regular file we may execute (effective ids): 1; a file we may not: 0; nothing there: -1.
int executable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0 ? 1 : 0;
}

bool make_pipe(std::array<Fd, 2>& ends) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  ends[0] = Fd(fds[0]);
  ends[1] = Fd(fds[1]);
  return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Writes to the child's stdin without letting a closed pipe raise SIGPIPE in this process (the daemon may not
// ignore it): SIGPIPE is blocked in this thread around the write, and one we caused is consumed.
ssize_t write_no_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set;
  sigset_t old_mask;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ssize_t n = ::write(fd, data, size);
  const int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    const timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = err;
  return n;
}

// Reads what is there; false at end of file or on an error (the pipe is then done).
bool drain(int fd, std::string& into, std::size_t cap, bool& over_cap) {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      const auto got = static_cast<std::size_t>(n);
      const std::size_t room = cap - std::min(cap, into.size());
      into.append(buffer, std::min(room, got));
      if (got > room) over_cap = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

struct Spawned {
  pid_t pid = -1;
  Fd out;
  Fd err;
  Fd in;
};

SpawnResult<Spawned> spawn(const std::string& program, const std::vector<std::string>& argv,
                           const std::vector<std::string>& environment, bool with_stdin) {
  std::array<Fd, 2> out;
  std::array<Fd, 2> err;
  std::array<Fd, 2> in;
  if (!make_pipe(out) || !make_pipe(err) || (with_stdin && !make_pipe(in))) return errno_error("pipe2", errno);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (with_stdin) {
    posix_spawn_file_actions_adddup2(&actions, in[0].get(), 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out[1].get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err[1].get(), 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Descriptors the caller forgot to mark close-on-exec (a database, a socket) must not leak into the tool.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, so that a timeout kills whatever the tool started too; default signal dispositions and an
  // empty mask, whatever the daemon set for itself.
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (const auto& e : environment) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  Spawned child;
  const int rc = ::posix_spawn(&child.pid, program.c_str(), &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (rc == ENOENT) return error(SpawnError::Kind::kNotFound, "cannot run " + program + ": " + std::strerror(rc));
    if (rc == EACCES) return error(SpawnError::Kind::kPermission, "cannot run " + program + ": " + std::strerror(rc));
    return errno_error("cannot run " + program, rc);
  }
  child.out = std::move(out[0]);
  child.err = std::move(err[0]);
  if (with_stdin) child.in = std::move(in[1]);
  for (const Fd* fd : {&child.out, &child.err, &child.in}) {
    if (fd->open()) set_nonblocking(fd->get());
  }
  return child;
}

// True once the child has exited, without reaping it: while it is a zombie its pid (and so its process group id)
// cannot be reused, which keeps the group kill below safe.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

std::string default_search_path() {
  const char* path = std::getenv("PATH");
  return path != nullptr ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

SpawnResult<std::string> find_program(std::string_view name, std::string_view search_path) {
  if (name.empty()) return error(SpawnError::Kind::kNotFound, "empty program name");
  if (name.find('/') != std::string_view::npos) {
    const std::string path(name);
    const int x = executable(path);
    if (x < 0) return error(SpawnError::Kind::kNotFound, path + " does not exist or is not a regular file");
    if (x == 0) return error(SpawnError::Kind::kPermission, path + " is not executable");
    return path;
  }
  std::string not_executable;
  std::string_view rest = search_path;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const auto dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string path(dir);
    if (path.back() != '/') path += '/';
    path += name;
    const int x = executable(path);
    if (x == 1) return path;
    if (x == 0 && not_executable.empty()) not_executable = path;
  }
  if (!not_executable.empty()) return error(SpawnError::Kind::kPermission, not_executable + " is not executable");
  return error(SpawnError::Kind::kNotFound,
               std::string(name) + " not found in the search path \"" + std::string(search_path) + "\"");
}

std::string ProcessResult::describe() const {
  switch (outcome) {
    case Outcome::kExited:
      return "exited with status " + std::to_string(exit_code);
    case Outcome::kSignaled:
      return "killed by signal " + std::to_string(term_signal) + " (" + ::strsignal(term_signal) + ")";
    case Outcome::kTimedOut:
      return "did not finish within " + std::to_string(elapsed.count()) + " ms and was killed";
    case Outcome::kStdoutTooLarge:
      return "wrote more than " + std::to_string(out.size()) + " bytes of output and was killed";
  }
  return "unknown outcome";
}

namespace {

// The process groups run_process is waiting for, so that a stopping daemon can end them rather than leave an alert
// program or a hung tool running without its timeout (the thread enforcing it dies with the process).
std::mutex running_mu;
std::set<pid_t> running;

struct Running {
  pid_t pid;
  explicit Running(pid_t p) : pid(p) {
    std::lock_guard lock(running_mu);
    running.insert(pid);
  }
  ~Running() {
    std::lock_guard lock(running_mu);
    running.erase(pid);
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
};

}  // namespace

std::size_t end_running_processes(std::chrono::milliseconds grace) {
  const auto signal_all = [](int sig) {
    std::lock_guard lock(running_mu);
    for (const pid_t pid : running) ::kill(-pid, sig);
    return running.size();
  };
  const std::size_t n = signal_all(SIGTERM);
  const auto until = Clock::now() + grace;
  while (Clock::now() < until) {
    {
      std::lock_guard lock(running_mu);
      if (running.empty()) return n;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  signal_all(SIGKILL);
  return n;
}

SpawnResult<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) return error(SpawnError::Kind::kNotFound, "empty argument vector");
  const std::string search = options.search_path.empty() ? default_search_path() : options.search_path;
  auto program = find_program(argv.front(), search);
  if (!program) return program.error();

  std::vector<std::string> environment{"LC_ALL=C", "PATH=" + search};
  environment.insert(environment.end(), options.extra_environment.begin(), options.extra_environment.end());
  const auto start = Clock::now();
  // At most a year: a longer timeout means "no timeout" and must not overflow the clock's arithmetic.
  const auto deadline = start + std::min(options.timeout, std::chrono::milliseconds(std::chrono::hours(24 * 365)));
  auto spawned = spawn(*program, argv, environment, !options.stdin_bytes.empty());
  if (!spawned) return spawned.error();
  Spawned& child = *spawned;
  const Running tracked(child.pid);  // until reaped below
  // Where the kernel has no pidfd_open (before 5.3) the exit is polled every 10 ms instead.
  const Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0)));

  ProcessResult result;
  result.program = *program;
  std::size_t stdin_written = 0;
  bool exited = false;
  bool stdout_over = false;
  bool timed_out = false;
  for (;;) {
    if (!exited && has_exited(child.pid)) {
      exited = true;
      ::kill(-child.pid, SIGKILL);  // whatever the tool left running in its group; its output is still read
    }
    if (exited && !child.out.open() && !child.err.open()) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      timed_out = !exited;
      break;
    }
    std::vector<pollfd> fds;
    const auto watch = [&](const Fd& fd, short events) {
      if (fd.open()) fds.push_back({fd.get(), events, 0});
    };
    watch(child.out, POLLIN);
    watch(child.err, POLLIN);
    watch(child.in, POLLOUT);
    if (!exited) watch(pidfd, POLLIN);
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    if (!pidfd.open() && !exited) wait = std::min(wait, std::chrono::milliseconds(10));
    wait = std::min(wait, std::chrono::milliseconds(std::numeric_limits<int>::max()));  // poll takes an int
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) < 0) {
      if (errno == EINTR) continue;
      break;  // cannot happen with valid descriptors; the child is killed and reaped below
    }
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == child.out.get()) {
        if (!drain(p.fd, result.out, options.max_stdout_bytes, stdout_over)) child.out.reset();
      } else if (p.fd == child.err.get()) {
        if (!drain(p.fd, result.err, options.max_stderr_bytes, result.stderr_truncated)) child.err.reset();
      } else if (p.fd == child.in.get()) {
        const auto& data = options.stdin_bytes;
        const ssize_t n = write_no_sigpipe(p.fd, data.data() + stdin_written, data.size() - stdin_written);
        if (n > 0) stdin_written += static_cast<std::size_t>(n);
        // Done, or the child closed its stdin (EPIPE): either way there is nothing more to write.
        if (stdin_written == data.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) child.in.reset();
      }
    }
    if (stdout_over) break;
  }

  if (!exited) ::kill(-child.pid, SIGKILL);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (stdout_over) {
    result.outcome = ProcessResult::Outcome::kStdoutTooLarge;
  } else if (timed_out) {
    result.outcome = ProcessResult::Outcome::kTimedOut;
  } else if (WIFSIGNALED(status)) {
    result.outcome = ProcessResult::Outcome::kSignaled;
    result.term_signal = WTERMSIG(status);
  } else {
    result.outcome = ProcessResult::Outcome::kExited;
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace allowdrift::sys
