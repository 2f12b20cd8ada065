#include "net/worker_fetcher.h"

#include "net/fetch_wire.h"
#include "sys/child_process.h"
#include "sys/detached_call.h"

#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>

namespace allowdrift::net {
namespace {

constexpr std::size_t kMaxStderrBytes = 4096;
// The result's JSON line: validators, URLs and an error message, far below this.
constexpr std::size_t kMaxHeaderBytes = 1u << 20;

FetchError worker_error(std::string message) { return FetchError{FetchErrorKind::kWorker, std::move(message), 0, {}}; }

std::string first_line(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  std::string out;
  for (const char c : text.substr(0, 300)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out;
}

// Runs on a thread of its own (call_detached), which it leaves without ambient capabilities: a child inherits its
// spawning thread's ambient set, which under the shipped unit holds CAP_NET_ADMIN for the firewall tools. Cleared,
// the worker (no file capabilities, not root) starts with no capability at all.
FetchResult run_worker(const WorkerFetcherOptions& options, const FetchRequest& request,
                       std::chrono::milliseconds timeout) {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    return worker_error(std::string("cannot clear the ambient capabilities for the fetch worker: ") +
                        std::strerror(errno));
  }
  sys::ProcessOptions process;
  process.timeout = timeout;
  process.max_stdout_bytes = request.body_limit + kMaxHeaderBytes;
  process.max_stderr_bytes = kMaxStderrBytes;
  process.stdin_bytes = encode_request(request);  // the proxy password travels here, never in argv
  for (const auto& name : options.pass_environment) {
    if (const char* value = std::getenv(name.c_str()); value != nullptr) {
      process.extra_environment.push_back(name + "=" + value);
    }
  }
  const auto ran = sys::run_process({options.executable, "fetch-worker"}, process);
  if (!ran) return worker_error("cannot start the fetch worker: " + ran.error().message);
  const auto& result = *ran;
  using Outcome = sys::ProcessResult::Outcome;
  if (result.outcome == Outcome::kTimedOut) {
    return FetchError{FetchErrorKind::kTimeout, "the fetch worker " + result.describe(), 0, {}};
  }
  if (!result.succeeded()) {
    std::string message = "the fetch worker " + result.describe();
    if (const auto said = first_line(result.err); !said.empty()) message += ": " + said;
    return worker_error(std::move(message));
  }
  auto decoded = decode_result(result.out);
  if (!decoded) return worker_error("the fetch worker's answer is unusable: " + decoded.error());
  return std::move(*decoded);
}

}  // namespace

std::chrono::milliseconds WorkerFetcher::worst_case(const FetchRequest& request) {
  const auto attempts = std::max(1, request.retry.max_attempts);
  const auto wait = std::max(request.retry.max_backoff,
                             std::chrono::duration_cast<std::chrono::milliseconds>(request.retry.max_retry_after));
  return request.deadline * attempts + wait * (attempts - 1);
}

boost::asio::awaitable<FetchResult> WorkerFetcher::fetch(FetchRequest request) {
  const auto timeout = worst_case(request) + options_.grace;
  // run_process kills the worker at `timeout`; the margin covers reaping it.
  const auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(5);
  // A named function object, not a temporary in the co_await expression (GCC 12 and coroutine temporaries: see
  // alert/exec_channel.cpp).
  std::function<FetchResult()> work = [options = options_, request = std::move(request), timeout] {
    return run_worker(options, request, timeout);
  };
  auto result = co_await sys::call_detached(std::move(work), deadline);
  if (!result) co_return FetchError{FetchErrorKind::kTimeout, "the fetch worker did not finish in time", 0, {}};
  co_return std::move(*result);
}

}  // namespace allowdrift::net
