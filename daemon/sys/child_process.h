// Running an external program the way a daemon must: an argv vector (never a shell), the binary resolved once on
// a search path, a deadline after which the whole process group is killed and reaped, caps on the captured
// stdout and stderr, optional bytes on stdin, and a minimal environment (LC_ALL=C, so tool messages are the
// English texts callers match on). Used by the firewall readers (iptables-save, ipset) and, later, the "exec"
// alert channel.
//
// Implementation: posix_spawn into a new process group, pipes read with poll(2), the child's exit seen through a
// pidfd (or a short poll slice where pidfd_open is unavailable). Nothing here throws for an expected failure.
#pragma once

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::sys {

struct SpawnError {
  enum class Kind : std::uint8_t {
    kNotFound,    // no such program on the search path (or at the given path)
    kPermission,  // found but not executable by us
    kIo,          // pipe, spawn or wait failed for another reason
  };
  Kind kind = Kind::kIo;
  std::string message;  // names the program and, for kNotFound, the search path
};

class SpawnErrorException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_exception_from_error(const SpawnError& e, const boost::source_location&) {
  throw SpawnErrorException(e.message);
}

template <class T>
using SpawnResult = boost::system::result<T, SpawnError>;

// The search path used when none is given: $PATH, or the usual system directories when PATH is unset.
std::string default_search_path();

// Resolves `name` to an executable: a name containing '/' is checked as is; otherwise the first executable
// regular file `DIR/name` over the ':'-separated `search_path` (empty entries are skipped, never read as ".").
SpawnResult<std::string> find_program(std::string_view name, std::string_view search_path);

struct ProcessOptions {
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_stdout_bytes = 64u << 20;  // more kills the process group: Outcome::kStdoutTooLarge
  std::size_t max_stderr_bytes = 64u << 10;  // more is read and dropped (stderr_truncated)
  std::string stdin_bytes;                   // written to the child's stdin, which is then closed (/dev/null if empty)
  std::string search_path;                   // for a program name without '/'; "" = default_search_path()
  // The child's whole environment besides LC_ALL=C and PATH (set to the search path), e.g. {"FOO=bar"}.
  std::vector<std::string> extra_environment;
};

struct ProcessResult {
  enum class Outcome : std::uint8_t {
    kExited,          // exit_code is valid
    kSignaled,        // term_signal is valid (not a signal we sent)
    kTimedOut,        // the deadline passed; the process group was killed
    kStdoutTooLarge,  // stdout passed max_stdout_bytes; the process group was killed
  };
  Outcome outcome = Outcome::kExited;
  int exit_code = -1;
  int term_signal = 0;
  std::string program;  // the resolved path that ran
  std::string out;      // at most max_stdout_bytes
  std::string err;      // at most max_stderr_bytes
  bool stderr_truncated = false;
  std::chrono::milliseconds elapsed{0};

  bool succeeded() const { return outcome == Outcome::kExited && exit_code == 0; }
  // "exited with status 1", "killed by signal 9 (Killed)", "did not finish within 30000 ms", ...
  std::string describe() const;
};

// Runs argv[0] (resolved with find_program) with argv. A non-zero exit, a signal, a timeout or an output cap are
// outcomes in ProcessResult; only failing to start (missing binary, not executable, no pipes) is a SpawnError.
SpawnResult<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

// At shutdown: SIGTERM to the process group of every run_process call still waiting, SIGKILL to those left after
// `grace`. Returns how many there were.
std::size_t end_running_processes(std::chrono::milliseconds grace);

}  // namespace allowdrift::sys
