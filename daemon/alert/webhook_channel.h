// Alerts as a JSON POST (alert_render.h's event JSON, whose "text" Slack and Teams connectors display) through the
// project's HTTPS client: TLS 1.2+, verified chain and host name, deadline, proxy, body limit.
//
// The URL is a secret (a Slack or Teams webhook URL is the credential itself): describe() shows only the scheme
// and host, and every error message has its URLs cut back to scheme and host before it is returned.
//
// Resending follows net::RetryPolicy::may_resend: a failure before the request went out (DNS, connect) or a 429/503
// is retried within `max_attempts`; a timeout or another error after sending is returned as "not delivered", and
// the caller (which keeps undelivered events) decides when to try again. A redirect is never followed.
#pragma once

#include "alert/alert_channel.h"
#include "alert/alert_render.h"
#include "net/fetcher.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::alert {

struct WebhookOptions {
  std::string url;                     // https://...; never logged
  std::optional<std::string> ca_file;  // instead of the system trust store
  std::optional<net::ProxyConfig> proxy;
  std::chrono::milliseconds timeout{10'000};  // per attempt: connect, TLS, request and response
  int max_attempts = 2;
  std::size_t response_limit = 64 * 1024;  // the answer is read (and dropped) up to this size
  RenderOptions render;                    // render.host names this machine in the JSON and the text
};

class WebhookChannel : public AlertChannel {
 public:
  // `fetcher`: nullptr uses a net::HttpsFetcher of its own.
  explicit WebhookChannel(WebhookOptions options, std::unique_ptr<net::Fetcher> fetcher = nullptr);
  ~WebhookChannel() override;
  WebhookChannel(const WebhookChannel&) = delete;
  WebhookChannel& operator=(const WebhookChannel&) = delete;

  std::string describe() const override;  // "webhook https://hooks.slack.com"

  // Blocks the calling thread for at most max_attempts * timeout plus backoff, on an io_context of its own.
  std::optional<std::string> deliver(const AlertEvent& event) override;
  // The same, on the caller's executor, for coroutine callers that must not block their io_context.
  boost::asio::awaitable<std::optional<std::string>> deliver_async(AlertEvent event) override;
  bool waits() const override { return true; }

  // The request deliver() sends (exposed for tests).
  net::FetchRequest request_for(const AlertEvent& event) const;

 private:
  std::optional<std::string> outcome(const net::FetchResult& result) const;

  WebhookOptions options_;
  std::unique_ptr<net::Fetcher> fetcher_;
};

// Every "https://..." or "http://..." in `text` cut back to scheme and host[:port]: "https://hooks.slack.com/...".
// For messages that may quote a secret URL.
std::string redact_urls(std::string_view text);

// "https://host" or "https://host:port" of a URL, or "(invalid URL)"; never the path, query or credentials.
std::string url_origin(std::string_view url);

}  // namespace allowdrift::alert
