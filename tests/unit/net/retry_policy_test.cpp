#include "net/retry_policy.h"

#include <gtest/gtest.h>

#include <random>

namespace allowdrift::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

FetchError error_of(FetchErrorKind kind, int status = 0, std::optional<seconds> retry_after = std::nullopt) {
  return FetchError{kind, "x", status, retry_after};
}

RetryConfig config() {
  RetryConfig c;
  c.max_attempts = 4;
  c.initial_backoff = milliseconds{1000};
  c.max_backoff = milliseconds{3000};
  c.max_retry_after = seconds{60};
  return c;
}

struct Row {
  const char* what;
  int attempt;
  FetchError error;
  double unit_random;
  bool retry;
  milliseconds delay;
};

TEST(RetryPolicy, Table) {
  const RetryPolicy policy(config());
  const Row rows[] = {
      {"connect, first failure, no jitter", 1, error_of(FetchErrorKind::kConnect), 0.0, true, milliseconds{500}},
      {"connect, first failure, full jitter", 1, error_of(FetchErrorKind::kConnect), 1.0, true, milliseconds{1000}},
      {"timeout, second failure", 2, error_of(FetchErrorKind::kTimeout), 0.5, true, milliseconds{1500}},
      {"dns, third failure: capped at max_backoff", 3, error_of(FetchErrorKind::kDns), 1.0, true, milliseconds{3000}},
      {"last attempt used up", 4, error_of(FetchErrorKind::kConnect), 0.0, false, milliseconds{0}},
      {"cut body is transient", 1, error_of(FetchErrorKind::kTruncated), 0.0, true, milliseconds{500}},
      {"500", 1, error_of(FetchErrorKind::kHttpStatus, 500), 0.0, true, milliseconds{500}},
      {"503", 1, error_of(FetchErrorKind::kHttpStatus, 503), 0.0, true, milliseconds{500}},
      {"429", 1, error_of(FetchErrorKind::kHttpStatus, 429), 0.0, true, milliseconds{500}},
      {"429 Retry-After longer than backoff", 1, error_of(FetchErrorKind::kHttpStatus, 429, seconds{7}), 0.0, true,
       milliseconds{7000}},
      {"503 Retry-After 0 keeps the backoff", 1, error_of(FetchErrorKind::kHttpStatus, 503, seconds{0}), 0.0, true,
       milliseconds{500}},
      {"Retry-After at the bound", 1, error_of(FetchErrorKind::kHttpStatus, 429, seconds{60}), 0.0, true,
       milliseconds{60000}},
      {"Retry-After over the bound: give up", 1, error_of(FetchErrorKind::kHttpStatus, 429, seconds{61}), 0.0, false,
       milliseconds{0}},
      {"404", 1, error_of(FetchErrorKind::kHttpStatus, 404), 0.0, false, milliseconds{0}},
      {"403", 1, error_of(FetchErrorKind::kHttpStatus, 403), 0.0, false, milliseconds{0}},
      {"400", 1, error_of(FetchErrorKind::kHttpStatus, 400), 0.0, false, milliseconds{0}},
      {"tls", 1, error_of(FetchErrorKind::kTls), 0.0, false, milliseconds{0}},
      {"config", 1, error_of(FetchErrorKind::kConfig), 0.0, false, milliseconds{0}},
      {"too large", 1, error_of(FetchErrorKind::kTooLarge), 0.0, false, milliseconds{0}},
      {"redirect", 1, error_of(FetchErrorKind::kRedirect), 0.0, false, milliseconds{0}},
      {"proxy", 1, error_of(FetchErrorKind::kProxy, 407), 0.0, false, milliseconds{0}},
      {"decode", 1, error_of(FetchErrorKind::kDecode), 0.0, false, milliseconds{0}},
      {"attempt 0 is nonsense", 0, error_of(FetchErrorKind::kConnect), 0.0, false, milliseconds{0}},
  };
  for (const Row& row : rows) {
    const RetryDecision d = policy.decide(row.attempt, row.error, row.unit_random);
    EXPECT_EQ(d.retry, row.retry) << row.what;
    EXPECT_EQ(d.delay, row.delay) << row.what;
  }
}

TEST(RetryPolicy, OneAttemptNeverRetries) {
  RetryConfig c = config();
  c.max_attempts = 1;
  EXPECT_FALSE(RetryPolicy(c).decide(1, error_of(FetchErrorKind::kConnect), 0.0).retry);
}

TEST(RetryPolicy, LargeAttemptNumbersStayCapped) {
  const RetryPolicy policy([] {
    RetryConfig c = config();
    c.max_attempts = 1000;
    return c;
  }());
  EXPECT_EQ(policy.decide(999, error_of(FetchErrorKind::kTimeout), 1.0).delay, milliseconds{3000});
}

TEST(RetryPolicy, JitterFromRngStaysInRange) {
  const RetryPolicy policy(config());
  std::mt19937_64 rng(42);
  for (int i = 0; i < 1000; ++i) {
    const auto d = policy.decide(2, error_of(FetchErrorKind::kConnect), rng);
    ASSERT_TRUE(d.retry);
    EXPECT_GE(d.delay, milliseconds{1000});
    EXPECT_LE(d.delay, milliseconds{2000});
  }
}

TEST(RetryAfter, Parses) {
  const auto now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + std::chrono::hours{12};
  EXPECT_EQ(parse_retry_after("120", now), seconds{120});
  EXPECT_EQ(parse_retry_after(" 0 ", now), seconds{0});
  EXPECT_EQ(parse_retry_after("99999999999999", now), seconds{999'999'999});
  EXPECT_EQ(parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", now), seconds{30});
  EXPECT_EQ(parse_retry_after("Fri, 27 Nov 2026 11:00:00 GMT", now), seconds{0});  // in the past
  EXPECT_EQ(parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", now + std::chrono::milliseconds{400}), seconds{30});
  // Far-future dates stay exact instead of overflowing system_clock's nanoseconds (found by the http_response fuzzer).
  const auto far = parse_retry_after("Wed, 21 Oct 4030 07:28:00 GMT", now);
  ASSERT_TRUE(far.has_value());
  EXPECT_EQ(*far, std::chrono::sys_days{std::chrono::year{4030} / 10 / 21} + std::chrono::hours{7} +
                      std::chrono::minutes{28} - std::chrono::floor<seconds>(now));
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now).has_value(), true);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Fri, 27 Foo 2026 12:00:30 GMT", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Fri, 31 Feb 2026 12:00:30 GMT", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Fri, 27 Nov 2026 25:00:30 GMT", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Fri, 27 Nov 2026 12:00:30 UTC", now), std::nullopt);
}

// A POST is sent again only when it certainly was not acted on.
TEST(RetryPolicy, MayResendNonIdempotentRequest) {
  // Nothing written yet: every transient failure may be retried.
  EXPECT_TRUE(RetryPolicy::may_resend(error_of(FetchErrorKind::kDns), false));
  EXPECT_TRUE(RetryPolicy::may_resend(error_of(FetchErrorKind::kConnect), false));
  EXPECT_TRUE(RetryPolicy::may_resend(error_of(FetchErrorKind::kTimeout), false));
  EXPECT_FALSE(RetryPolicy::may_resend(error_of(FetchErrorKind::kTls), false));
  // Written: only the server's explicit "not processed".
  EXPECT_TRUE(RetryPolicy::may_resend(error_of(FetchErrorKind::kHttpStatus, 429), true));
  EXPECT_TRUE(RetryPolicy::may_resend(error_of(FetchErrorKind::kHttpStatus, 503, seconds{2}), true));
  EXPECT_TRUE(RetryPolicy::may_resend(error_of(FetchErrorKind::kHttpStatus, 503), true));
  EXPECT_FALSE(RetryPolicy::may_resend(error_of(FetchErrorKind::kHttpStatus, 500), true));
  EXPECT_FALSE(RetryPolicy::may_resend(error_of(FetchErrorKind::kHttpStatus, 502), true));
  EXPECT_FALSE(RetryPolicy::may_resend(error_of(FetchErrorKind::kTimeout), true));
  EXPECT_FALSE(RetryPolicy::may_resend(error_of(FetchErrorKind::kTruncated), true));
  EXPECT_FALSE(RetryPolicy::may_resend(error_of(FetchErrorKind::kConnect), true));
}

}  // namespace
}  // namespace allowdrift::net
