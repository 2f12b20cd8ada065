// How many sources use the network at once in a --once pass. A source takes a turn before its first fetch (a
// version endpoint's, when it has one) and gives it back before its storing, which runs on the store's thread:
// that no longer keeps the next source from fetching.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <stdexcept>
#include <utility>

namespace allowdrift::app {

// Thrown by FetchSlots::take when the deadline passed before a slot was free: the source was not started, which is
// not the vendor's failure (nothing is recorded for it; the report says "skipped").
struct FetchNotStarted : std::runtime_error {
  FetchNotStarted() : std::runtime_error("not started before the run's deadline") {}
};

// A counting semaphore for coroutines of one io_context thread; slots are handed out in the order they were
// asked for.
class FetchSlots {
 public:
  FetchSlots(const boost::asio::any_io_executor& executor, std::size_t slots);
  FetchSlots(const FetchSlots&) = delete;
  FetchSlots& operator=(const FetchSlots&) = delete;

  // A slot held until release() or destruction: it adopts the slot a take() just gave its caller.
  class Turn {
   public:
    explicit Turn(FetchSlots& slots) : slots_(&slots) {}
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() { release(); }
    void release() {
      if (slots_ != nullptr) std::exchange(slots_, nullptr)->release();
    }

   private:
    FetchSlots* slots_;
  };

  // Waits for a slot, which the caller then holds (in a Turn). Throws FetchNotStarted when `deadline` comes first;
  // a cancelled wait throws its boost::system::system_error.
  boost::asio::awaitable<void> take(std::chrono::steady_clock::time_point deadline);

  // The same without the Turn: true once the caller holds a slot (release() it), false when `deadline` came first.
  boost::asio::awaitable<bool> acquire_until(std::chrono::steady_clock::time_point deadline);
  // Gives the slot to the longest waiter whose deadline has not passed, or back to the pool.
  void release();

  std::size_t free_slots() const { return free_; }

 private:
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& executor) : timer(executor) {}
    boost::asio::steady_timer timer;
    bool granted = false;
  };
  boost::asio::any_io_executor executor_;
  std::size_t free_;
  std::list<Waiter> waiters_;
};

}  // namespace allowdrift::app
