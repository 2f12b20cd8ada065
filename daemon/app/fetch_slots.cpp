#include "app/fetch_slots.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace allowdrift::app {

FetchSlots::FetchSlots(const boost::asio::any_io_executor& executor, std::size_t slots)
    : executor_(executor), free_(slots) {}

boost::asio::awaitable<bool> FetchSlots::acquire_until(std::chrono::steady_clock::time_point deadline) {
  if (std::chrono::steady_clock::now() >= deadline) co_return false;
  if (free_ > 0) {
    --free_;
    co_return true;
  }
  auto waiter = waiters_.emplace(waiters_.end(), executor_);
  waiter->timer.expires_at(deadline);
  boost::system::error_code ignored;
  co_await waiter->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  // The flag decides, not the wait's error: a completion already queued by the timer does not undo a grant.
  const bool granted = waiter->granted;
  waiters_.erase(waiter);
  co_return granted;
}

void FetchSlots::release() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& w : waiters_) {
    // Not one granted and not resumed yet, nor one whose deadline has passed (it resumes with false).
    if (w.granted || w.timer.expiry() <= now) continue;
    w.granted = true;
    w.timer.cancel();
    return;
  }
  ++free_;
}

boost::asio::awaitable<net::FetchResult> SlottedFetcher::fetch(net::FetchRequest request) {
  if (!co_await slots_.acquire_until(deadline_)) throw FetchNotStarted();
  struct Held {
    FetchSlots& slots;
    ~Held() { slots.release(); }
  } held{slots_};
  co_return co_await inner_.fetch(std::move(request));
}

}  // namespace allowdrift::app
