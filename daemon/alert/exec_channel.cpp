#include "alert/exec_channel.h"

#include "sys/child_process.h"
#include "sys/detached_call.h"

#include <functional>
#include <utility>

namespace allowdrift::alert {
namespace {

constexpr std::size_t kMaxStderr = 4096;
constexpr std::size_t kMaxReasonBytes = 200;

// The first non-empty line of what the program said on stderr, escaped and bounded, for the failure message.
std::string first_line(std::string_view text) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) return sanitize_text(line, kMaxReasonBytes);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return {};
}

std::string describe_exec(const ExecOptions& options) {
  if (options.argv.empty()) return "exec (no command)";
  return "exec " + sanitize_text(options.argv.front(), kMaxReasonBytes);
}

std::optional<std::string> run_exec(const ExecOptions& options, const AlertEvent& event) {
  if (options.argv.empty() || options.argv.front().empty()) return describe_exec(options) + ": no command configured";

  sys::ProcessOptions process;
  process.timeout = options.timeout;
  process.max_stdout_bytes = options.max_output_bytes;
  process.max_stderr_bytes = kMaxStderr;
  process.stdin_bytes = event_json(event, options.render);
  process.search_path = options.search_path;
  const auto env = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) process.extra_environment.push_back(std::string(name) + "=" + sanitize_text(value, 256));
  };
  env("ALLOWDRIFT_EVENT", to_string(event.kind));
  env("ALLOWDRIFT_SEVERITY", to_string(event.severity));
  env("ALLOWDRIFT_CHECK", event.check);
  env("ALLOWDRIFT_SOURCE", event.source);
  env("ALLOWDRIFT_TARGET", event.target);

  const auto ran = sys::run_process(options.argv, process);
  if (!ran) return describe_exec(options) + ": cannot run: " + sanitize_text(ran.error().message, 512);
  const sys::ProcessResult& result = *ran;
  if (result.succeeded()) return std::nullopt;
  std::string reason = describe_exec(options) + ": " + result.describe();
  if (const std::string said = first_line(result.err); !said.empty()) reason += ": " + said;
  return reason;
}

}  // namespace

ExecChannel::ExecChannel(ExecOptions options) : options_(std::make_shared<const ExecOptions>(std::move(options))) {}

std::string ExecChannel::describe() const { return describe_exec(*options_); }

std::optional<std::string> ExecChannel::deliver(const AlertEvent& event) { return run_exec(*options_, event); }

boost::asio::awaitable<std::optional<std::string>> ExecChannel::deliver_async(AlertEvent event) {
  // run_process kills the program at its timeout; the margin covers reaping it.
  const auto deadline = std::chrono::steady_clock::now() + options_->timeout + std::chrono::seconds(5);
  // A named function object, not a temporary in the co_await expression: GCC 12 mishandles the lifetime of such
  // temporaries in coroutines (a string captured by value ended up freed twice under ASan).
  std::function<std::optional<std::string>()> work = [options = options_, event = std::move(event)] {
    return run_exec(*options, event);
  };
  auto result = co_await sys::call_detached(std::move(work), deadline);
  if (!result) co_return describe() + ": did not finish in time";
  co_return std::move(*result);
}

}  // namespace allowdrift::alert
