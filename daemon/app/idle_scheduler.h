// The daemon's sleeps, kept out of Asio's reactor so that an idle daemon does not wake at all.
//
// Boost.Asio 1.81's epoll reactor never blocks longer than 5 minutes (epoll_reactor::get_timeout caps the timerfd,
// or the epoll_wait timeout, at 5 minutes, and re-arms the timerfd every 5 minutes forever once any timer was
// used), and a cancelled timer (Beast's fetch deadline) still wakes it once. So the daemon's loops do not sleep on
// Asio timers: each sleep parks the loop's completion handler in this scheduler's own deadline queue. The scheduler
// counts the loops it spawned; when every one of them is parked, nothing is in flight, and it stops the io_context.
// The caller's main loop then blocks in wait() (one ppoll on a descriptor, the daemon's signalfd, with the earliest
// deadline as its timeout, infinite when there is none) instead of inside Asio, delivers the due sleepers and runs
// the io_context again. While loops are active (a fetch in flight) one Asio timer, armed for the earliest
// deadline, delivers sleepers on time (the systemd watchdog, targets polled during a long fetch); it is cancelled
// when the scheduler goes idle, and with the io_context stopped a timerfd left armed wakes nobody.
//
// Single-threaded: everything here runs on the io_context's one thread, or on the same thread between runs.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace allowdrift::app {

class IdleScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  // Sleepers are cancelled by group (one per daemon generation).
  using Group = std::uint64_t;

  explicit IdleScheduler(boost::asio::io_context& io);
  // Destroys the parked handlers (their coroutine frames are destroyed through the io_context, which must outlive
  // the scheduler).
  ~IdleScheduler();
  IdleScheduler(const IdleScheduler&) = delete;
  IdleScheduler& operator=(const IdleScheduler&) = delete;

  // Runs `loop` on the io_context as one of the loops counted for idleness, until it returns (or throws: logged).
  void spawn(boost::asio::awaitable<void> loop);

  // Completes with error_code{} at `deadline` (or later, never earlier), or with operation_aborted when `group`
  // is cancelled. No Asio timer and no work guard: a parked loop is idle.
  template <class Token>
  auto sleep_until(Group group, Clock::time_point deadline, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this, group, deadline](auto handler) { park(group, deadline, Handler(std::move(handler))); }, token);
  }

  Group new_group() { return next_group_++; }
  // Resumes every sleeper of `group` with operation_aborted (through the io_context: they run at its next run).
  void cancel(Group group);

  // True when every spawned loop is parked here (or none is left): nothing needs the io_context to run.
  bool idle() const { return sleepers_.size() >= loops_; }
  std::optional<Clock::time_point> next_deadline() const;
  std::size_t loops() const { return loops_; }
  std::size_t parked() const { return sleepers_.size(); }

  // Resumes the sleepers whose deadline is not after `now` (through the io_context); returns how many.
  std::size_t deliver_due(Clock::time_point now);

  // For the idle main loop, with the io_context not running: blocks in ppoll() until `fd` is readable or the
  // earliest deadline passed (no deadline: no timeout), then delivers the due sleepers. True when `fd` is readable.
  bool wait(int fd);

 private:
  using Handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  struct Sleeper {
    Group group;
    Handler handler;
  };

  void park(Group group, Clock::time_point deadline, Handler handler);
  void resume(Handler handler, boost::system::error_code ec);
  // After any change: stops the io_context when idle, else keeps the timer armed for the earliest deadline.
  void update();

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;  // only while loops are active
  std::optional<Clock::time_point> armed_for_;
  std::multimap<Clock::time_point, Sleeper> sleepers_;  // equal deadlines resume in the order they parked
  std::size_t loops_ = 0;
  Group next_group_ = 1;
};

}  // namespace allowdrift::app
