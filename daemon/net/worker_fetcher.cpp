#include "net/worker_fetcher.h"

#include "net/fetch_wire.h"
#include "sys/child_process.h"
#include "sys/detached_call.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>

namespace allowdrift::net {
namespace {

constexpr std::size_t kMaxStderrBytes = 4096;
// A fetch that takes longer than this is not waited for, whatever its timeouts say (and the deadline arithmetic
// stays far from overflow with timeouts of years).
constexpr std::chrono::milliseconds kMaxWorstCase = std::chrono::hours(24);

FetchError worker_error(std::string message) { return FetchError{FetchErrorKind::kWorker, std::move(message), 0, {}}; }

std::string first_line(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  std::string out;
  for (const char c : text.substr(0, 300)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out;
}

// Runs on a thread of its own (call_detached), which it leaves with as little as it can to pass on: a child inherits
// its spawning thread's ambient set (under the shipped unit, CAP_NET_ADMIN for the firewall tools) and, when it
// runs as root, every capability the thread's bounding set allows, plus its inheritable set. With the ambient set
// cleared, a non-root worker starts with no capability; where the thread may (CAP_SETPCAP), the bounding set is
// emptied too. What a root worker still gets (the unit's bounding set, the inheritable set) it drops itself, first
// thing (cli/fetch_worker_command.cpp): capset cannot run here, the shipped unit's seccomp filter refuses it.
std::optional<std::string> shed_capabilities_of_this_thread() {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    return std::string("cannot clear the ambient capabilities: ") + std::strerror(errno);
  for (int cap = 0; ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM)
      return "cannot drop capability " + std::to_string(cap) + " from the bounding set: " + std::strerror(errno);
  }
  return std::nullopt;
}

FetchResult run_worker(const WorkerFetcherOptions& options, const FetchRequest& request,
                       std::chrono::milliseconds timeout) {
  if (const auto failed = shed_capabilities_of_this_thread()) return worker_error("fetch worker: " + *failed);
  sys::ProcessOptions process;
  process.timeout = timeout;
  // The largest valid answer: a header line at its limit, its '\n', and a body at the request's limit.
  constexpr std::size_t kFrameOverhead = kMaxWireHeaderBytes + 1;
  process.max_stdout_bytes = request.body_limit > std::numeric_limits<std::size_t>::max() - kFrameOverhead
                                 ? std::numeric_limits<std::size_t>::max()
                                 : request.body_limit + kFrameOverhead;
  process.max_stderr_bytes = kMaxStderrBytes;
  process.stdin_bytes = encode_request(request);  // the proxy password travels here, never in argv
  for (const auto& name : options.pass_environment) {
    if (const char* value = std::getenv(name.c_str()); value != nullptr) {
      process.extra_environment.push_back(name + "=" + value);
    }
  }
  // --parent-pid: the worker asks to be killed when this thread ends (PR_SET_PDEATHSIG), so it cannot outlive a
  // daemon that dies without reaping it; this thread lives until the worker is reaped.
  auto ran =
      sys::run_process({options.executable, "fetch-worker", "--parent-pid", std::to_string(::getpid())}, process);
  if (!ran) return worker_error("cannot start the fetch worker: " + ran.error().message);
  auto& result = *ran;
  using Outcome = sys::ProcessResult::Outcome;
  if (result.outcome == Outcome::kTimedOut) {
    return FetchError{FetchErrorKind::kTimeout, "the fetch worker " + result.describe(), 0, {}};
  }
  if (!result.succeeded()) {
    std::string message = "the fetch worker " + result.describe();
    if (const auto said = first_line(result.err); !said.empty()) message += ": " + said;
    return worker_error(std::move(message));
  }
  auto decoded = decode_result(std::move(result.out));
  if (!decoded) return worker_error("the fetch worker's answer is unusable: " + decoded.error());
  if (*decoded && (*decoded)->body.size() > request.body_limit) {
    return worker_error("the fetch worker's answer is unusable: a body of " + std::to_string((*decoded)->body.size()) +
                        " bytes, over the limit of " + std::to_string(request.body_limit));
  }
  return std::move(*decoded);
}

}  // namespace

std::chrono::milliseconds WorkerFetcher::worst_case(const FetchRequest& request) {
  // In doubles, then capped: a configured timeout of years must neither overflow nor be waited for.
  const double attempts = std::max(1, request.retry.max_attempts);
  const double wait = std::max(static_cast<double>(request.retry.max_backoff.count()),
                               static_cast<double>(request.retry.max_retry_after.count()) * 1000.0);
  const double total = static_cast<double>(request.deadline.count()) * attempts + wait * (attempts - 1);
  if (!(total < static_cast<double>(kMaxWorstCase.count()))) return kMaxWorstCase;
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
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
