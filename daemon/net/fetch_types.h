// The HTTPS fetcher's vocabulary: what a caller asks for and what it gets back. Expected failures are values with a
// kind, so the daemon can tell "the vendor is down" from "someone is intercepting TLS".
#pragma once

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::net {

enum class FetchErrorKind {
  kConfig,      // bad URL or options (not https, unusable ca_file, ...)
  kDns,         // name did not resolve
  kConnect,     // refused, unreachable, reset before a response
  kTls,         // handshake or certificate verification failed (the message names the X509 reason)
  kTimeout,     // connect timeout or the overall deadline (the message names the phase)
  kHttpStatus,  // a final status other than 200 or 304, or other than 2xx for a POST (http_status is set)
  kTooLarge,    // body or headers over their limit (also after decompression)
  kTruncated,   // the body ended early: partial message, or EOF framing without TLS close_notify
  kRedirect,    // too many redirects, a loop, https -> http, a missing or bad Location
  kProxy,       // the proxy refused the tunnel (407: proxy authentication required; other statuses)
  kDecode,      // a Content-Encoding that cannot be decoded, or a corrupt compressed body
  kWorker,      // the daemon's fetch worker process did not start, crashed, or answered outside its protocol
};

std::string_view to_string(FetchErrorKind kind);

struct FetchError {
  FetchErrorKind kind = FetchErrorKind::kConfig;
  std::string message;                              // human-readable; never contains proxy credentials
  int http_status = 0;                              // for kHttpStatus and kProxy
  std::optional<std::chrono::seconds> retry_after;  // from a 429/503 Retry-After, when present and valid
};

// HTTP cache validators, from a previous response; sent back as If-None-Match / If-Modified-Since.
struct Validators {
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};

struct ProxyConfig {
  std::string host;
  std::uint16_t port = 8080;
  std::optional<std::string> user;      // Proxy-Authorization: Basic, sent only to the proxy
  std::optional<std::string> password;  // never logged
  // Set: the fields above are unused; the proxy of each URL fetched, every redirect hop included, comes from
  // https_proxy unless no_proxy matches that URL's host (proxy_from_environment(), read as the hop starts).
  // Opt-in, since a systemd service does not get a login shell's environment.
  bool from_environment = false;
};

struct RetryConfig {
  int max_attempts = 3;  // 1 = no retry
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::seconds max_retry_after{300};  // a longer Retry-After is not waited for: the fetch fails
};

enum class HttpMethod : std::uint8_t { kGet, kPost };

std::string_view to_string(HttpMethod method);  // "GET", "POST"

struct FetchRequest {
  std::string url;  // https only
  // kPost sends `body` with `content_type` and a Content-Length (a webhook). Such a request is not idempotent, so
  // it differs from a GET in three ways: any 2xx status is success (webhooks answer 200, 202 or 204); a redirect is
  // not followed (kRedirect); and a failed attempt is repeated only when the request certainly was not acted on
  // (RetryPolicy::may_resend). Validators are not sent with it.
  HttpMethod method = HttpMethod::kGet;
  std::string body;
  std::string content_type;
  Validators validators;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds deadline{60'000};  // per attempt: resolve + connect + TLS + write + whole read
  // 0: none. Else the whole fetch, every attempt and every wait between them, ends within this long of its start
  // (--once: what is left of the run's deadline); an attempt it cuts short is a timeout, and no retry is begun
  // that could not end before it.
  std::chrono::milliseconds overall_deadline{0};
  std::size_t body_limit = 32 * 1024 * 1024;  // decoded bytes; Azure Service Tags is about 4 MB today
  std::size_t header_limit = 64 * 1024;
  int max_redirects = 5;
  std::optional<std::string> ca_file;  // instead of the system trust store
  std::optional<ProxyConfig> proxy;
  RetryConfig retry;
};

struct FetchResponse {
  bool not_modified = false;  // 304: the caller's validators still hold; body is empty and means nothing
  int status = 0;
  std::string final_url;  // after redirects
  Validators validators;  // from this response
  std::string content_type;
  std::string body;            // decoded
  std::size_t wire_bytes = 0;  // body bytes as received (before decompression)
  int redirects = 0;
  int attempts = 1;
  std::chrono::milliseconds elapsed{0};
};

using FetchResult = boost::system::result<FetchResponse, FetchError>;

}  // namespace allowdrift::net
