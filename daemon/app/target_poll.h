// How the daemon polls one target: its change signal, and a reading when the signal moved or one is due. A reader
// that runs tools (iptables-save, ipset) may wait for a tool's whole timeout, so it is polled on a thread of its
// own while the daemon's thread goes on answering SIGTERM and the watchdog; a file or a netlink dump takes a
// moment and is polled inline (a thread each tick would cost more than the read, and its cached stack would stay
// resident; a file on a hung network mount would block, as the state database there would).
#pragma once

#include "app/check_cycle.h"
#include "config/config.h"
#include "firewall/allowlist_reader.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace allowdrift::app {

struct TargetPoll {
  std::string target;
  std::optional<firewall::ChangeSignal> signal;  // none: the reader has no signal; the target is read every time
  std::optional<TargetState> state;              // nullopt: not read (its signal did not move, nothing was due)
  std::chrono::steady_clock::time_point at{};    // when the reading began
};

// Reads the target when `due` or when its signal differs from `previous`. Never throws: a failure of any kind is
// an unreadable target. nullopt only if the wait for a tool's thread ended without its result.
boost::asio::awaitable<std::optional<TargetPoll>> poll_target(const config::TargetConfig& target, bool due,
                                                              std::optional<firewall::ChangeSignal> previous);

}  // namespace allowdrift::app
