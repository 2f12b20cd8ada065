// --once's fetch slots (daemon/app/fetch_slots.h) on a real io_context: at most N holders, slots handed out in the
// order they were asked for, a waiter whose deadline passes gets none (and the slot it would have had goes on),
// turns taken past the deadline are "not started", and a cancelled wait is a cancellation.
#include "app/fetch_slots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
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
asio::awaitable<void> ask(FetchSlots& slots, Clock::time_point deadline, std::optional<bool>& granted) {
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
  std::optional<bool> granted_first;
  std::optional<bool> granted_late;
  spawn(io, ask(slots, Clock::now() + 10s, granted_first));
  io.run();
  ASSERT_EQ(granted_first, true);
  io.restart();
  spawn(io, ask(slots, Clock::now() + 200ms, granted_late));
  io.run_one();  // the waiter is queued
  ASSERT_FALSE(granted_late.has_value()) << "queued, not resumed";
  std::this_thread::sleep_for(300ms);
  slots.release();  // its deadline has passed; its timer's completion is not run yet
  io.run();
  EXPECT_EQ(granted_late, false);
  EXPECT_EQ(slots.free_slots(), 1U);
}

// Takes a turn, holds it for `hold` while counting how many are held at once, and records what came of it.
asio::awaitable<void> take_turn(FetchSlots& slots, Clock::time_point deadline, Clock::duration hold, int& held,
                                int& max_held, std::string& outcome) {
  try {
    co_await slots.take(deadline);
    FetchSlots::Turn turn(slots);
    max_held = std::max(max_held, ++held);
    asio::steady_timer t(co_await asio::this_coro::executor, hold);
    boost::system::error_code ignored;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    --held;
    outcome = "fetched";
  } catch (const FetchNotStarted&) {
    outcome = "not started";
  } catch (const boost::system::system_error& e) {
    outcome = "cancelled: " + e.code().message();
  }
}

TEST(FetchSlots, TurnsKeepAtMostTheSlotsHeldAndTheDeadlineKeepsTheRestFromStarting) {
  asio::io_context io;
  FetchSlots slots(io.get_executor(), 2);
  const auto deadline = Clock::now() + 300ms;
  int held = 0;
  int max_held = 0;
  std::vector<std::string> outcomes(5);
  for (auto& outcome : outcomes) spawn(io, take_turn(slots, deadline, 200ms, held, max_held, outcome));
  io.run();
  // 0 and 1 at once (0-200 ms), 2 and 3 when their turns end (200-400 ms); 4's turn would come at 400 ms, after the
  // deadline.
  EXPECT_EQ(outcomes, (std::vector<std::string>{"fetched", "fetched", "fetched", "fetched", "not started"}));
  EXPECT_EQ(max_held, 2);
  EXPECT_EQ(slots.free_slots(), 2U) << "every turn given back";
}

// A wait cancelled from outside (not the deadline) ends with the cancellation, not as "not started".
TEST(FetchSlots, ACancelledWaitIsACancellationNotAMissedDeadline) {
  asio::io_context io;
  FetchSlots slots(io.get_executor(), 1);
  int held = 0;
  int max_held = 0;
  std::string first;
  std::string second;
  spawn(io, take_turn(slots, Clock::now() + 10s, 100ms, held, max_held, first));
  asio::cancellation_signal cancel;
  asio::co_spawn(io, take_turn(slots, Clock::now() + 10s, 0ms, held, max_held, second),
                 asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  io.run_one();
  io.run_one();  // both started; the second waits
  cancel.emit(asio::cancellation_type::terminal);
  io.run();
  EXPECT_EQ(first, "fetched");
  EXPECT_THAT(second, ::testing::StartsWith("cancelled"));
  EXPECT_EQ(slots.free_slots(), 1U);
}

}  // namespace
}  // namespace allowdrift::app
