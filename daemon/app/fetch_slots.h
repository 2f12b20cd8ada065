// How many sources use the network at once in a --once pass. A source holds a slot only while it fetches: its
// parsing and storing (on the store's thread) do not keep the next source from starting its fetch.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/fetcher.h"

#include <chrono>
#include <cstddef>
#include <list>
#include <stdexcept>

namespace allowdrift::app {

// A counting semaphore for coroutines of one io_context thread; slots are handed out in the order they were
// asked for.
class FetchSlots {
 public:
  FetchSlots(const boost::asio::any_io_executor& executor, std::size_t slots);
  FetchSlots(const FetchSlots&) = delete;
  FetchSlots& operator=(const FetchSlots&) = delete;

  // True once the caller holds a slot (release() it); false when `deadline` came first.
  boost::asio::awaitable<bool> acquire_until(std::chrono::steady_clock::time_point deadline);
  // Gives the slot to the longest waiter, or back to the pool.
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

// Thrown by SlottedFetcher::fetch when the deadline passed before a slot was free: the source was not started,
// which is not the vendor's failure (nothing is recorded for it).
struct FetchNotStarted : std::runtime_error {
  FetchNotStarted() : std::runtime_error("not started before the run's deadline") {}
};

// A fetcher that waits for a slot (until `deadline`) before each fetch and frees it when the fetch is over.
class SlottedFetcher final : public net::Fetcher {
 public:
  SlottedFetcher(net::Fetcher& inner, FetchSlots& slots, std::chrono::steady_clock::time_point deadline)
      : inner_(inner), slots_(slots), deadline_(deadline) {}
  boost::asio::awaitable<net::FetchResult> fetch(net::FetchRequest request) override;

 private:
  net::Fetcher& inner_;
  FetchSlots& slots_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace allowdrift::app
