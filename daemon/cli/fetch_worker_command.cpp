#include "cli/fetch_worker_command.h"

#include "cli/blocking_fetch.h"
#include "cli/exit_code.h"
#include "net/fetch_wire.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
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
  if (!args.empty()) {
    std::cerr << "allowdrift fetch-worker: takes no arguments (the request comes on stdin)\n";
    return kExitBadInput;
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
  return write_stdout(net::encode_result(fetch_blocking(*request))) ? kExitOk : kExitInternal;
}

}  // namespace allowdrift::cli
