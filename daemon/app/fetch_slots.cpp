#include "app/fetch_slots.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace allowdrift::app {

FetchSlots::FetchSlots(const boost::asio::any_io_executor& executor, std::size_t slots)
    : executor_(executor), free_(slots) {}

boost::asio::awaitable<void> FetchSlots::take(std::chrono::steady_clock::time_point deadline) {
  // (Not `if (!co_await ...) throw`: GCC 12 compiled that, as this coroutine's last statement, into a trap.)
  const bool granted = co_await acquire_until(deadline);
  if (!granted) throw FetchNotStarted();
}

boost::asio::awaitable<bool> FetchSlots::acquire_until(std::chrono::steady_clock::time_point deadline) {
  if (std::chrono::steady_clock::now() >= deadline) co_return false;
  if (free_ > 0) {
    --free_;
    co_return true;
  }
  auto waiter = waiters_.emplace(waiters_.end(), executor_);
  waiter->timer.expires_at(deadline);
  boost::system::error_code ec;
  co_await waiter->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  // The flag decides, not the wait's error: a completion already queued by the timer does not undo a grant (and a
  // grant cancels the timer). Not granted: the deadline passed, or the wait itself was cancelled.
  const bool granted = waiter->granted;
  waiters_.erase(waiter);
  if (!granted && ec) throw boost::system::system_error(ec);
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

}  // namespace allowdrift::app
