// Blocking work (getaddrinfo, a child process) off the io_context thread: `work` runs on a detached thread of its
// own and the awaiting coroutine resumes with its result, or with nullopt once `deadline` passes. A detached
// thread, not a pool that is joined at shutdown: work that cannot be cancelled (an active getaddrinfo,
// chriskohlhoff/asio#470) must never hold up the process's exit. A late result is dropped.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace allowdrift::sys {

// `work` must not throw (an exception would end the process on the detached thread): a throw is caught and
// reported as nullopt, like a missed deadline.
template <class T>
boost::asio::awaitable<std::optional<T>> call_detached(std::function<T()> work,
                                                       std::chrono::steady_clock::time_point deadline) {
  struct State {
    std::mutex mu;
    bool abandoned = false;  // the coroutine stopped waiting: drop the result, touch nothing of it
    std::optional<T> result;
    boost::asio::steady_timer* waiter = nullptr;  // in the coroutine's frame; valid while !abandoned
  };
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer waiter(executor, deadline);
  auto state = std::make_shared<State>();
  state->waiter = &waiter;
  // Runs whenever this frame stops waiting, including when it is destroyed with its io_context.
  struct Abandon {
    std::shared_ptr<State> s;
    ~Abandon() {
      std::lock_guard lock(s->mu);
      s->abandoned = true;
      s->waiter = nullptr;
    }
  } abandon{state};

  std::thread([state, executor, work = std::move(work)] {
    std::optional<T> value;
    try {
      value = work();
    } catch (...) {
      return;  // the waiter reaches its deadline: nullopt
    }
    std::lock_guard lock(state->mu);
    if (state->abandoned) return;
    state->result = std::move(value);
    boost::asio::post(executor, [state] {
      std::lock_guard inner(state->mu);
      if (state->waiter != nullptr) state->waiter->cancel();
    });
  }).detach();

  boost::system::error_code ignored;  // cancelled: the result is in; expired: the deadline passed
  co_await waiter.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  std::lock_guard lock(state->mu);
  co_return std::move(state->result);
}

}  // namespace allowdrift::sys
