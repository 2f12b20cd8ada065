// When to try a failed fetch again and how long to wait first. Pure: the caller supplies the randomness, so the
// table tests pin every decision.
#pragma once

#include "net/fetch_types.h"

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace allowdrift::net {

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryConfig config) : config_(config) {}

  // Transient: connect errors, DNS failures, timeouts, a body cut short (a reset mid-transfer), 5xx and 429.
  // Never: other 4xx, TLS, config, redirect, proxy, size and decode errors (retrying cannot change them).
  static bool is_transient(const FetchError& error);

  // For a request that is not idempotent (a webhook POST): may it be sent again? Only when it certainly was not
  // acted on: the attempt failed before any of the request was written (DNS, connect, TLS: `request_started` is
  // false) and the failure is transient, or the server answered 429 or 503, which refuse a request unprocessed
  // (RFC 6585 §4, RFC 9110 §15.6.4), with or without a Retry-After. A timeout, a cut response or another 5xx after
  // the request went out is ambiguous: it is returned to the caller, which keeps the alert and tries again on its
  // own schedule, rather than risk a duplicate here.
  static bool may_resend(const FetchError& error, bool request_started);

  // `attempt` is the 1-based number of the attempt that just failed; `unit_random` is uniform in [0, 1).
  // Backoff: base = min(max_backoff, initial_backoff * 2^(attempt-1)), delay = base/2 + unit_random * base/2
  // ("equal jitter": never less than half the base, so a herd still spreads out). A Retry-After replaces the
  // backoff when it is longer; one over max_retry_after ends the retries (the server asked for more than we wait).
  RetryDecision decide(int attempt, const FetchError& error, double unit_random) const;

  template <class Rng>
  RetryDecision decide(int attempt, const FetchError& error, Rng& rng) const {
    return decide(attempt, error, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
  }

 private:
  RetryConfig config_;
};

// A Retry-After value: delta-seconds or an HTTP-date (IMF-fixdate, RFC 9110 §5.6.7), as a wait from `now`
// (a date in the past is 0 s). nullopt when it is neither.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

}  // namespace allowdrift::net
