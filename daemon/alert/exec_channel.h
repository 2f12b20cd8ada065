// Alerts to a program of the admin's choosing: argv as configured (no shell, so nothing in an event can become a
// command), the JSON event (alert_render.h) on standard input, and a deadline after which its process group is
// killed. Exit status 0 is "delivered"; anything else (a non-zero status, a signal, the timeout, a program that
// cannot be started) is "not delivered", with the reason and the first line of its stderr.
//
// The child gets a minimal environment (sys::run_process: LC_ALL=C and PATH) plus, for scripts that do not want
// to parse JSON: ALLOWDRIFT_EVENT (drift, resolved, ...), ALLOWDRIFT_SEVERITY (crit, err, warning, notice, info),
// and ALLOWDRIFT_CHECK, ALLOWDRIFT_SOURCE, ALLOWDRIFT_TARGET when the event names one (escaped as in the JSON).
//
// deliver() blocks its thread for at most `timeout`; deliver_async() runs the program on a thread of its own, so
// the daemon's io_context thread goes on (and a SIGTERM is not held up by a slow program).
#pragma once

#include "alert/alert_channel.h"
#include "alert/alert_render.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace allowdrift::alert {

struct ExecOptions {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up on search_path
  std::chrono::milliseconds timeout{10'000};
  std::string search_path;                  // "" = sys::default_search_path()
  std::size_t max_output_bytes = 1u << 20;  // more stdout kills the program (and is "not delivered")
  RenderOptions render;
};

class ExecChannel : public AlertChannel {
 public:
  explicit ExecChannel(ExecOptions options);

  std::string describe() const override;  // "exec /usr/local/bin/page" (argv[0] only: arguments may be secrets)
  std::optional<std::string> deliver(const AlertEvent& event) override;
  boost::asio::awaitable<std::optional<std::string>> deliver_async(AlertEvent event) override;
  bool waits() const override { return true; }

 private:
  // Shared with a delivery thread that may outlive the channel (a reload replaces the channels).
  std::shared_ptr<const ExecOptions> options_;
};

}  // namespace allowdrift::alert
