// The daemon's idle scheduler (daemon/app/idle_scheduler.h) on a real io_context: deadlines resume in order and
// never early, cancelling a group resumes its sleepers with operation_aborted, the io_context is stopped exactly
// when every loop is parked (and not while one has Asio work in flight), sleepers are delivered on time while
// another loop is busy, and wait() returns for a readable descriptor or the next deadline.
#include "app/idle_scheduler.h"

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace allowdrift::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = IdleScheduler::Clock;
using boost::system::error_code;

// A descriptor that is readable only when the test writes to it (standing in for the daemon's signalfd).
class EventFd {
 public:
  EventFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~EventFd() { ::close(fd_); }
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;
  int fd() const { return fd_; }
  void signal() const {
    const std::uint64_t one = 1;
    EXPECT_EQ(::write(fd_, &one, sizeof one), static_cast<ssize_t>(sizeof one));
  }

 private:
  int fd_;
};

// The daemon's main loop (run_daemon), until no loop is left or `limit` passed. Counts the idle waits.
int drive(asio::io_context& io, IdleScheduler& s, int fd, std::chrono::milliseconds limit = 5s) {
  const auto end = Clock::now() + limit;
  int waits = 0;
  while (s.loops() > 0 && Clock::now() < end) {
    io.restart();
    if (s.idle()) {
      io.poll();
    } else {
      io.run();
    }
    if (s.loops() > 0 && s.idle()) {
      s.wait(fd);
      ++waits;
    }
  }
  return waits;
}

asio::awaitable<void> sleep_once(IdleScheduler& s, IdleScheduler::Group g, Clock::time_point at,
                                 std::vector<std::string>& log, std::string name, error_code& result) {
  co_await s.sleep_until(g, at, asio::redirect_error(asio::use_awaitable, result));
  if (Clock::now() < at && !result) log.push_back(name + " early");
  log.push_back(name);
}

// Asio work in flight (a timer standing in for a fetch), then a sleep until `at`.
asio::awaitable<void> work_then_sleep(IdleScheduler& s, IdleScheduler::Group g, Clock::time_point at, bool& worked) {
  asio::steady_timer busy(co_await asio::this_coro::executor, 100ms);
  co_await busy.async_wait(asio::use_awaitable);
  worked = true;
  error_code ec;
  co_await s.sleep_until(g, at, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> busy_for(std::chrono::milliseconds d, const int& ticks, int& ticks_when_done) {
  asio::steady_timer busy(co_await asio::this_coro::executor, d);
  co_await busy.async_wait(asio::use_awaitable);
  ticks_when_done = ticks;
}

asio::awaitable<void> tick(IdleScheduler& s, IdleScheduler::Group g, int times, int& ticks) {
  for (int i = 0; i < times; ++i) {
    error_code ec;
    co_await s.sleep_until(g, Clock::now() + 20ms, asio::redirect_error(asio::use_awaitable, ec));
    ++ticks;
  }
}

asio::awaitable<void> throw_after_a_post() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  throw std::runtime_error("boom");
}

TEST(IdleScheduler, DeadlinesResumeInOrderAndNeverEarly) {
  asio::io_context io(1);
  IdleScheduler s(io);
  EventFd fd;
  const auto g = s.new_group();
  const auto t0 = Clock::now();
  std::vector<std::string> log;
  error_code e1, e2, e3, e4;
  s.spawn(sleep_once(s, g, t0 + 60ms, log, "c", e1));
  s.spawn(sleep_once(s, g, t0 + 20ms, log, "a", e2));
  s.spawn(sleep_once(s, g, t0 + 40ms, log, "b1", e3));
  s.spawn(sleep_once(s, g, t0 + 40ms, log, "b2", e4));  // same deadline: in the order they parked
  EXPECT_FALSE(s.idle());
  drive(io, s, fd.fd());
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b1", "b2", "c"}));
  EXPECT_GE(Clock::now() - t0, 60ms);
  for (const auto& e : {e1, e2, e3, e4}) EXPECT_FALSE(e) << e.message();
  EXPECT_EQ(s.loops(), 0u);
  EXPECT_EQ(s.parked(), 0u);
}

TEST(IdleScheduler, CancellingAGroupResumesItsSleepersWithOperationAborted) {
  asio::io_context io(1);
  IdleScheduler s(io);
  const auto old_gen = s.new_group();
  const auto new_gen = s.new_group();
  const auto far = Clock::now() + 1h;
  std::vector<std::string> log;
  error_code e1, e2, e3;
  s.spawn(sleep_once(s, old_gen, far, log, "old1", e1));
  s.spawn(sleep_once(s, new_gen, far, log, "new", e2));
  s.spawn(sleep_once(s, old_gen, far + 1h, log, "old2", e3));
  io.run();  // returns because every loop parked, not after an hour
  EXPECT_TRUE(s.idle());
  EXPECT_EQ(s.parked(), 3u);
  EXPECT_TRUE(log.empty());

  s.cancel(old_gen);
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(s.parked(), 1u);
  io.restart();
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"old1", "old2"}));
  EXPECT_EQ(e1, asio::error::operation_aborted);
  EXPECT_EQ(e3, asio::error::operation_aborted);
  EXPECT_FALSE(e2);
  EXPECT_EQ(s.loops(), 1u);
  EXPECT_TRUE(s.idle());
  ASSERT_TRUE(s.next_deadline());
  EXPECT_EQ(*s.next_deadline(), far);
}

// A loop with Asio work in flight (a timer standing in for a fetch) keeps the io_context running; the moment it
// parks, io.run() returns although a sleeper is due only in an hour.
TEST(IdleScheduler, StopsTheIoContextWhenEveryLoopIsParkedAndNotBefore) {
  asio::io_context io(1);
  IdleScheduler s(io);
  const auto g = s.new_group();
  bool worked = false;
  const auto far = Clock::now() + 1h;
  s.spawn(work_then_sleep(s, g, far, worked));
  const auto t0 = Clock::now();
  io.run();
  const auto took = Clock::now() - t0;
  EXPECT_TRUE(worked);
  EXPECT_GE(took, 100ms);
  EXPECT_LT(took, 10s);
  EXPECT_TRUE(s.idle());
  EXPECT_EQ(s.parked(), 1u);
  EXPECT_EQ(s.loops(), 1u);
}

// While one loop is busy in Asio, another loop's short sleeps are still delivered on time (the daemon's watchdog
// and target polls during a long fetch).
TEST(IdleScheduler, DeliversSleepersWhileAnotherLoopIsBusy) {
  asio::io_context io(1);
  IdleScheduler s(io);
  EventFd fd;
  const auto g = s.new_group();
  int ticks = 0;
  int ticks_when_busy_done = -1;
  s.spawn(busy_for(300ms, ticks, ticks_when_busy_done));
  s.spawn(tick(s, g, 20, ticks));
  drive(io, s, fd.fd());
  EXPECT_GE(ticks_when_busy_done, 5);  // 300 ms of busy time hold ~14 ticks of 20 ms; generous for a loaded host
  EXPECT_EQ(ticks, 20);
}

TEST(IdleScheduler, WaitReturnsForAReadableDescriptorOrTheNextDeadline) {
  asio::io_context io(1);
  IdleScheduler s(io);
  EventFd fd;
  const auto g = s.new_group();
  std::vector<std::string> log;
  error_code e1, e2;
  const auto t0 = Clock::now();
  s.spawn(sleep_once(s, g, t0 + 100ms, log, "soon", e1));
  s.spawn(sleep_once(s, g, t0 + 1h, log, "later", e2));
  io.run();
  ASSERT_TRUE(s.idle());

  fd.signal();
  EXPECT_TRUE(s.wait(fd.fd()));
  EXPECT_LT(Clock::now() - t0, 100ms);
  EXPECT_EQ(s.parked(), 2u);  // nothing was due
  std::uint64_t n = 0;
  ASSERT_EQ(::read(fd.fd(), &n, sizeof n), static_cast<ssize_t>(sizeof n));

  EXPECT_FALSE(s.wait(fd.fd()));  // blocks until "soon" is due, and delivers it
  EXPECT_GE(Clock::now() - t0, 100ms);
  EXPECT_EQ(s.parked(), 1u);
  EXPECT_FALSE(s.idle());
  io.restart();
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"soon"}));
  EXPECT_TRUE(s.idle());
}

TEST(IdleScheduler, ALoopThatThrowsIsNoLongerCounted) {
  asio::io_context io(1);
  IdleScheduler s(io);
  const auto g = s.new_group();
  std::vector<std::string> log;
  error_code e;
  s.spawn(sleep_once(s, g, Clock::now() + 1h, log, "parked", e));
  s.spawn(throw_after_a_post());
  io.run();
  EXPECT_EQ(s.loops(), 1u);
  EXPECT_TRUE(s.idle());
}

}  // namespace
}  // namespace allowdrift::app
