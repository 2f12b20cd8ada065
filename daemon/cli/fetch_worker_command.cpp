#include "cli/fetch_worker_command.h"

#include "cli/blocking_fetch.h"
#include "cli/exit_code.h"
#include "net/fetch_wire.h"
#include "sys/capabilities.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

namespace allowdrift::cli {
namespace {

// A webhook's event is a few KB; a request frame larger than this is not one the daemon wrote.
constexpr std::size_t kMaxRequestBytes = 4u << 20;

bool read_stdin(std::string& out) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      std::cerr << "allowdrift fetch-worker: cannot read stdin: " << std::strerror(errno) << '\n';
      return false;
    }
    if (out.size() + static_cast<std::size_t>(n) > kMaxRequestBytes) {
      std::cerr << "allowdrift fetch-worker: request over " << kMaxRequestBytes << " bytes\n";
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

bool write_stdout(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      std::cerr << "allowdrift fetch-worker: cannot write the result: " << std::strerror(errno) << '\n';
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

int run_fetch_worker(const std::vector<std::string>& args) {
  if (!args.empty() && !(args.size() == 2 && args[0] == "--parent-pid")) {
    std::cerr << "usage: allowdrift fetch-worker [--parent-pid PID] (the request comes on stdin)\n";
    return kExitBadInput;
  }
  if (!args.empty()) {
    // Killed when the daemon's spawning thread ends, so that a daemon killed or crashed leaves no worker fetching
    // for minutes; if it ended before this line, the parent is already someone else.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || std::to_string(::getppid()) != args[1]) {
      std::cerr << "allowdrift fetch-worker: the daemon (pid " << args[1] << ") is gone\n";
      return kExitInternal;
    }
  }
  // No capability, whatever came with the exec: as root (the unit drop-in that legacy iptables needs) the daemon's
  // bounding and inheritable sets still reach this process (net/worker_fetcher.cpp). Refused rather than run with one.
  const auto caps = sys::current_capabilities();
  if (!caps) {
    std::cerr << "allowdrift fetch-worker: cannot read its capabilities: " << caps.error() << '\n';
    return kExitInternal;
  }
  if (caps->permitted != 0 || caps->effective != 0) {
    if (const auto failed = sys::drop_all_capabilities()) {
      std::cerr << "allowdrift fetch-worker: runs with capabilities it cannot drop (" << *failed
                << "); a unit that runs allowdrift as root must also allow capset: SystemCallFilter=capset\n";
      return kExitInternal;
    }
  }
  std::string frame;
  if (!read_stdin(frame)) return kExitBadInput;
  auto request = net::decode_request(frame);
  if (!request) {
    std::cerr << "allowdrift fetch-worker: " << request.error() << '\n';
    return kExitBadInput;
  }
  frame.clear();
  frame.shrink_to_fit();
  const auto result = fetch_blocking(*request);
  // The header, then the body as it is: no second copy of a body of megabytes.
  const bool written = write_stdout(net::encode_result_header(result)) && (!result || write_stdout(result->body));
  return written ? kExitOk : kExitInternal;
}

}  // namespace allowdrift::cli
