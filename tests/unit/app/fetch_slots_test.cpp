// --once's fetch slots (daemon/app/fetch_slots.h) on a real io_context: at most N holders, slots handed out in the
// order they were asked for, a waiter whose deadline passes gets none (and the slot it would have had goes on), and
// SlottedFetcher keeps at most N fetches in flight and reports the ones the deadline kept from starting.
#include "app/fetch_slots.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace allowdrift::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Asks for a slot and records, in `log`, "name+" when it got one or "name-" when the deadline came first; holds a
// granted slot for `hold`, then releases it.
asio::awaitable<void> take(FetchSlots& slots, std::string name, Clock::time_point deadline, Clock::duration hold,
                           std::vector<std::string>& log) {
  if (!co_await slots.acquire_until(deadline)) {
    log.push_back(name + "-");
    co_return;
  }
  log.push_back(name + "+");
  asio::steady_timer t(co_await asio::this_coro::executor, hold);
  boost::system::error_code ignored;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  log.push_back(name + " done");
  slots.release();
}

// (Coroutines are plain functions here: a capturing lambda coroutine would outlive its captures.)
asio::awaitable<void> ask(FetchSlots& slots, Clock::time_point deadline, bool& granted) {
  granted = co_await slots.acquire_until(deadline);
}

void spawn(asio::io_context& io, asio::awaitable<void> work) {
  asio::co_spawn(io, std::move(work), [](const std::exception_ptr& e) {
    if (e) std::rethrow_exception(e);
  });
}

TEST(FetchSlots, SlotsAreHandedOutInTheOrderTheyWereAskedFor) {
  asio::io_context io;
  FetchSlots slots(io.get_executor(), 2);
  std::vector<std::string> log;
  const auto far = Clock::now() + 10s;
  spawn(io, take(slots, "a", far, 50ms, log));
  spawn(io, take(slots, "b", far, 400ms, log));
  spawn(io, take(slots, "c", far, 20ms, log));
  spawn(io, take(slots, "d", far, 20ms, log));
  io.run();
  // a and b at once; c when a is done, d when c is done (before b, which holds its slot longer).
  EXPECT_EQ(log, (std::vector<std::string>{"a+", "b+", "a done", "c+", "c done", "d+", "d done", "b done"}));
  EXPECT_EQ(slots.free_slots(), 2U);
}

TEST(FetchSlots, AWaiterWhoseDeadlinePassesGetsNoSlotAndTheNextOneDoes) {
  asio::io_context io;
  FetchSlots slots(io.get_executor(), 1);
  std::vector<std::string> log;
  const auto now = Clock::now();
  spawn(io, take(slots, "a", now + 10s, 300ms, log));
  spawn(io, take(slots, "b", now + 30ms, 0ms, log));  // gives up while a holds the slot
  spawn(io, take(slots, "c", now + 10s, 0ms, log));
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a+", "b-", "a done", "c+", "c done"}));
  EXPECT_EQ(slots.free_slots(), 1U);
}

TEST(FetchSlots, NoSlotIsGivenOnceTheDeadlineHasPassedEvenWhenOneIsFree) {
  asio::io_context io;
  FetchSlots slots(io.get_executor(), 3);
  std::vector<std::string> log;
  spawn(io, take(slots, "late", Clock::now() - 1ms, 0ms, log));
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"late-"}));
  EXPECT_EQ(slots.free_slots(), 3U);
}

// A release after a waiter's deadline has passed, but before that waiter has resumed, does not hand it the slot:
// the slot goes back to the pool.
TEST(FetchSlots, AReleaseSkipsAWaiterWhoseDeadlineHasPassed) {
  asio::io_context io;
  FetchSlots slots(io.get_executor(), 1);
  bool granted_first = false;
  bool granted_late = true;
  spawn(io, ask(slots, Clock::now() + 10s, granted_first));
  io.run();
  ASSERT_TRUE(granted_first);
  io.restart();
  spawn(io, ask(slots, Clock::now() + 20ms, granted_late));
  io.run_one();  // the waiter is queued
  std::this_thread::sleep_for(40ms);
  slots.release();  // its deadline has passed; its timer's completion is not run yet
  io.run();
  EXPECT_FALSE(granted_late);
  EXPECT_EQ(slots.free_slots(), 1U);
}

// A fetcher whose fetches each take `hold`, counting how many are in flight at once.
class SlowFetcher final : public net::Fetcher {
 public:
  explicit SlowFetcher(Clock::duration hold) : hold_(hold) {}
  asio::awaitable<net::FetchResult> fetch(net::FetchRequest request) override {
    max_in_flight = std::max(max_in_flight, ++in_flight);
    asio::steady_timer t(co_await asio::this_coro::executor, hold_);
    boost::system::error_code ignored;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    --in_flight;
    started.push_back(request.url);
    net::FetchResponse response;
    response.status = 200;
    co_return response;
  }
  int in_flight = 0;
  int max_in_flight = 0;
  std::vector<std::string> started;

 private:
  Clock::duration hold_;
};

asio::awaitable<void> fetch_one(net::Fetcher& fetcher, std::string url, std::string& outcome) {
  net::FetchRequest request;
  request.url = std::move(url);
  try {
    const auto result = co_await fetcher.fetch(request);
    outcome = result ? "fetched" : "failed";
  } catch (const FetchNotStarted&) {
    outcome = "not started";
  }
}

TEST(SlottedFetcher, KeepsAtMostItsSlotsInFlightAndReportsTheFetchesTheDeadlineKeptFromStarting) {
  asio::io_context io;
  SlowFetcher inner(200ms);
  FetchSlots slots(io.get_executor(), 2);
  SlottedFetcher slotted(inner, slots, Clock::now() + 300ms);
  std::vector<std::string> outcomes(5);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    spawn(io, fetch_one(slotted, "https://example.test/" + std::to_string(i), outcomes[i]));
  }
  io.run();
  // 0 and 1 at once (0-200 ms), 2 and 3 when they end (200-400 ms); 4's turn would come at 400 ms, after the
  // deadline.
  EXPECT_EQ(outcomes, (std::vector<std::string>{"fetched", "fetched", "fetched", "fetched", "not started"}));
  EXPECT_EQ(inner.max_in_flight, 2);
  EXPECT_EQ(slots.free_slots(), 2U);
}

}  // namespace
}  // namespace allowdrift::app
