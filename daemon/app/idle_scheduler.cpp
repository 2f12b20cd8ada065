#include "app/idle_scheduler.h"

#include <spdlog/spdlog.h>
#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <poll.h>

#include <cerrno>
#include <ctime>
#include <exception>
#include <utility>
#include <vector>

namespace allowdrift::app {

namespace asio = boost::asio;

IdleScheduler::IdleScheduler(asio::io_context& io) : io_(io), timer_(io) {}

IdleScheduler::~IdleScheduler() {
  // Moved out first: destroying a handler destroys its coroutine frame, which must not find this queue half gone.
  auto sleepers = std::move(sleepers_);
  sleepers_.clear();
  sleepers.clear();
}

void IdleScheduler::spawn(asio::awaitable<void> loop) {
  ++loops_;
  // The completion runs when the loop returns or throws; a frame destroyed with the io_context never gets here.
  asio::co_spawn(io_, std::move(loop), [this](const std::exception_ptr& e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        spdlog::error("loop ended by an exception error=\"{}\"", x.what());
      } catch (...) {
        spdlog::error("loop ended by an exception");
      }
    }
    --loops_;
    update();
  });
}

void IdleScheduler::park(Group group, Clock::time_point deadline, Handler handler) {
  sleepers_.emplace(deadline, Sleeper{group, std::move(handler)});
  update();
}

void IdleScheduler::resume(Handler handler, boost::system::error_code ec) {
  asio::post(io_, asio::append(std::move(handler), ec));
}

void IdleScheduler::cancel(Group group) {
  std::vector<Handler> cancelled;
  for (auto it = sleepers_.begin(); it != sleepers_.end();) {
    if (it->second.group == group) {
      cancelled.push_back(std::move(it->second.handler));
      it = sleepers_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& h : cancelled) resume(std::move(h), asio::error::operation_aborted);
  update();
}

std::optional<IdleScheduler::Clock::time_point> IdleScheduler::next_deadline() const {
  if (sleepers_.empty()) return std::nullopt;
  return sleepers_.begin()->first;
}

std::size_t IdleScheduler::deliver_due(Clock::time_point now) {
  std::size_t n = 0;
  while (!sleepers_.empty() && sleepers_.begin()->first <= now) {
    auto node = sleepers_.extract(sleepers_.begin());
    resume(std::move(node.mapped().handler), {});
    ++n;
  }
  update();
  return n;
}

void IdleScheduler::update() {
  if (idle()) {
    // Nothing in flight: the caller's main loop blocks in wait() instead of in the reactor. The cancelled wait
    // completes (with operation_aborted, doing nothing) at the next run.
    if (armed_for_) {
      timer_.cancel();
      armed_for_.reset();
    }
    io_.stop();
    return;
  }
  const auto next = next_deadline();
  if (!next) {
    if (armed_for_) {
      timer_.cancel();
      armed_for_.reset();
    }
    return;
  }
  if (armed_for_ == *next) return;
  armed_for_ = *next;
  timer_.expires_at(*next);  // cancels the previous wait, if any: it completes with operation_aborted
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // superseded or cancelled
    armed_for_.reset();
    deliver_due(Clock::now());
  });
}

bool IdleScheduler::wait(int fd) {
  pollfd p{fd, POLLIN, 0};
  timespec ts{};
  const timespec* timeout = nullptr;
  if (const auto next = next_deadline()) {
    const auto left = std::chrono::ceil<std::chrono::nanoseconds>(*next - Clock::now());
    if (left.count() > 0) {
      ts.tv_sec = static_cast<std::time_t>(left.count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
    }
    timeout = &ts;
  }
  // The signals the caller reads from `fd` are blocked; anything else interrupting (EINTR) just comes back here.
  const int rc = ::ppoll(&p, 1, timeout, nullptr);
  const bool readable = rc > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
  deliver_due(Clock::now());
  return readable;
}

}  // namespace allowdrift::app
