#include "net/retry_policy.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace allowdrift::net {

bool RetryPolicy::is_transient(const FetchError& error) {
  switch (error.kind) {
    case FetchErrorKind::kConnect:
    case FetchErrorKind::kDns:
    case FetchErrorKind::kTimeout:
    case FetchErrorKind::kTruncated:
      return true;
    case FetchErrorKind::kHttpStatus:
      return error.http_status == 429 || (error.http_status >= 500 && error.http_status <= 599);
    default:
      return false;
  }
}

bool RetryPolicy::may_resend(const FetchError& error, bool request_started) {
  if (!request_started) return is_transient(error);
  return error.kind == FetchErrorKind::kHttpStatus && (error.http_status == 429 || error.http_status == 503);
}

RetryDecision RetryPolicy::decide(int attempt, const FetchError& error, double unit_random) const {
  if (attempt < 1 || attempt >= config_.max_attempts || !is_transient(error)) return {};
  if (error.retry_after && *error.retry_after > config_.max_retry_after) return {};

  using ms = std::chrono::milliseconds;
  const double initial = static_cast<double>(std::max(ms{0}, config_.initial_backoff).count());
  const double cap = static_cast<double>(std::max(ms{0}, config_.max_backoff).count());
  const double base = std::min(cap, initial * std::pow(2.0, std::min(attempt - 1, 62)));
  const double u = std::clamp(unit_random, 0.0, 1.0);
  ms delay{static_cast<ms::rep>(base / 2 + u * base / 2)};
  if (error.retry_after) delay = std::max(delay, std::chrono::duration_cast<ms>(*error.retry_after));
  return {true, delay};
}

namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
// Whole seconds: year 9999 fits, where system_clock's nanoseconds overflow past 2262.
std::optional<std::chrono::sys_seconds> parse_imf_fixdate(std::string_view s) {
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month_it = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (month_it == kMonths.end() || !parse_int(s.substr(5, 2), day) || !parse_int(s.substr(12, 4), year) ||
      !parse_int(s.substr(17, 2), hour) || !parse_int(s.substr(20, 2), minute) || !parse_int(s.substr(23, 2), second) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month_it - kMonths.begin() + 1)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         std::chrono::seconds{second};
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Saturate absurd values instead of failing: the policy then refuses them as over max_retry_after.
    if (value.size() > 9) return std::chrono::seconds{999'999'999};
    int seconds = 0;
    if (!parse_int(value, seconds)) return std::nullopt;
    return std::chrono::seconds{seconds};
  }
  const auto when = parse_imf_fixdate(value);
  if (!when) return std::nullopt;
  // In seconds, never converting the date to the clock's nanoseconds (a year-4030 date would overflow them). `when`
  // is whole seconds, so when - floor(now) is the rounded-up wait.
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
  if (*when <= now_s) return std::chrono::seconds{0};
  return *when - now_s;
}

}  // namespace allowdrift::net
