#include "alert/exec_channel.h"

#include "sys/child_process.h"

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

}  // namespace

ExecChannel::ExecChannel(ExecOptions options) : options_(std::move(options)) {}

std::string ExecChannel::describe() const {
  if (options_.argv.empty()) return "exec (no command)";
  return "exec " + sanitize_text(options_.argv.front(), kMaxReasonBytes);
}

std::optional<std::string> ExecChannel::deliver(const AlertEvent& event) {
  if (options_.argv.empty() || options_.argv.front().empty()) return describe() + ": no command configured";

  sys::ProcessOptions process;
  process.timeout = options_.timeout;
  process.max_stdout_bytes = options_.max_output_bytes;
  process.max_stderr_bytes = kMaxStderr;
  process.stdin_bytes = event_json(event, options_.render);
  process.search_path = options_.search_path;
  const auto env = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) process.extra_environment.push_back(std::string(name) + "=" + sanitize_text(value, 256));
  };
  env("ALLOWDRIFT_EVENT", to_string(event.kind));
  env("ALLOWDRIFT_SEVERITY", to_string(event.severity));
  env("ALLOWDRIFT_CHECK", event.check);
  env("ALLOWDRIFT_SOURCE", event.source);
  env("ALLOWDRIFT_TARGET", event.target);

  const auto ran = sys::run_process(options_.argv, process);
  if (!ran) return describe() + ": cannot run: " + sanitize_text(ran.error().message, 512);
  const sys::ProcessResult& result = *ran;
  if (result.succeeded()) return std::nullopt;
  std::string reason = describe() + ": " + result.describe();
  if (const std::string said = first_line(result.err); !said.empty()) reason += ": " + said;
  return reason;
}

}  // namespace allowdrift::alert
