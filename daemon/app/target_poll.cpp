#include "app/target_poll.h"

#include "sys/detached_call.h"

#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace allowdrift::app {
namespace {

TargetPoll poll_now(const config::TargetConfig& target, firewall::AllowlistReader& reader, bool due,
                    const std::optional<firewall::ChangeSignal>& previous) {
  TargetPoll p;
  p.target = target.name;
  try {
    if (auto signal = reader.change_signal()) p.signal = std::move(*signal);
    const bool moved = !p.signal || !previous || *previous != *p.signal;
    if (!due && !moved) return p;
    p.at = std::chrono::steady_clock::now();
    p.state = read_target(target, reader);
  } catch (...) {  // whatever it is: call_detached would wait for ever on a throw (no deadline here)
    TargetState failed;
    failed.name = target.name;
    failed.spec = target.spec.text;
    failed.error_kind = "io";
    try {
      throw;
    } catch (const std::exception& e) {
      failed.error = e.what();
    } catch (...) {
      failed.error = "unknown error";
    }
    p.at = std::chrono::steady_clock::now();
    p.state = std::move(failed);
  }
  return p;
}

// The poll as work for a thread of its own, owning a copy of the target and a share of the reader. (A plain
// function, not a lambda inside the co_await: with GCC 12 such a lambda temporary was destroyed twice; see
// check_cycle.cpp.)
std::function<TargetPoll()> work_of(config::TargetConfig target, std::shared_ptr<firewall::AllowlistReader> reader,
                                    bool due, std::optional<firewall::ChangeSignal> previous) {
  return [target = std::move(target), reader = std::move(reader), due, previous = std::move(previous)] {
    return poll_now(target, *reader, due, previous);
  };
}

}  // namespace

boost::asio::awaitable<std::optional<TargetPoll>> poll_target(const config::TargetConfig& target, bool due,
                                                              std::optional<firewall::ChangeSignal> previous) {
  std::shared_ptr<firewall::AllowlistReader> reader = reader_for(target);
  if (!reader->runs_tools()) co_return poll_now(target, *reader, due, previous);
  auto work = work_of(target, std::move(reader), due, std::move(previous));
  co_return co_await sys::call_detached<TargetPoll>(std::move(work), std::chrono::steady_clock::time_point::max());
}

}  // namespace allowdrift::app
