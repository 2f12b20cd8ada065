// The interface every alert channel implements. Delivery failures are values: the caller logs them and keeps the
// event pending so that nothing is lost; a channel never throws for an unreachable peer.
#pragma once

#include "alert/alert_event.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace allowdrift::alert {

class AlertChannel {
 public:
  virtual ~AlertChannel() = default;
  // A short name for logs: "syslog /dev/log facility=daemon", "webhook https://hooks.slack.com",
  // "exec /usr/local/bin/page" (never a secret URL, never exec arguments).
  virtual std::string describe() const = 0;
  // nullopt when delivered; otherwise why not. Blocks the calling thread for as long as the channel takes.
  virtual std::optional<std::string> deliver(const AlertEvent& event) = 0;
  // The same for coroutine callers: never blocks the io_context thread for long (a webhook awaits its HTTPS
  // exchange, a program runs on a thread of its own). This default, for channels that never wait (syslog's
  // non-blocking datagram), delivers inline.
  virtual boost::asio::awaitable<std::optional<std::string>> deliver_async(AlertEvent event);
  // True when deliver_async() may suspend (a webhook's exchange, a program's run): the alerter saves the records
  // of what it has already sent before such a delivery, so a stop during the wait re-sends none of them.
  virtual bool waits() const { return false; }
};

}  // namespace allowdrift::alert
