#include "alert/webhook_channel.h"

#include "net/https_fetcher.h"
#include "net/url.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

namespace allowdrift::alert {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

bool ends_url(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '<' || c == '>' ||
         c == '`' || c == ')';
}

}  // namespace

std::string redact_urls(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    std::size_t scheme = 0;
    if (starts_with_nocase(rest, "https://")) {
      scheme = 8;
    } else if (starts_with_nocase(rest, "http://")) {
      scheme = 7;
    }
    if (scheme == 0) {
      out += text[i++];
      continue;
    }
    out.append(rest.substr(0, scheme));
    std::size_t end = scheme;
    while (end < rest.size() && !ends_url(rest[end])) ++end;
    std::string_view url = rest.substr(scheme, end - scheme);
    std::size_t authority_end = url.find_first_of("/?#");
    std::string_view authority = url.substr(0, authority_end);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    out.append(authority);
    if (authority_end != std::string_view::npos) out += "/...";
    i += end;
  }
  return out;
}

std::string url_origin(std::string_view url) {
  const auto parsed = net::parse_https_url(url);
  if (!parsed) return "(invalid URL)";
  const bool v6 = parsed->host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + parsed->host + "]" : parsed->host;
  if (parsed->port != 443) host += ":" + std::to_string(parsed->port);
  return "https://" + host;
}

WebhookChannel::WebhookChannel(WebhookOptions options, std::unique_ptr<net::Fetcher> fetcher)
    : options_(std::move(options)), fetcher_(std::move(fetcher)) {
  if (!fetcher_) fetcher_ = std::make_unique<net::HttpsFetcher>();
}

WebhookChannel::~WebhookChannel() = default;

std::string WebhookChannel::describe() const { return "webhook " + url_origin(options_.url); }

net::FetchRequest WebhookChannel::request_for(const AlertEvent& event) const {
  net::FetchRequest request;
  request.url = options_.url;
  request.method = net::HttpMethod::kPost;
  request.content_type = "application/json";
  request.body = event_json(event, options_.render);
  request.ca_file = options_.ca_file;
  request.proxy = options_.proxy;
  request.connect_timeout = std::min(request.connect_timeout, options_.timeout);
  request.deadline = options_.timeout;
  request.body_limit = options_.response_limit;
  request.max_redirects = 0;
  request.retry.max_attempts = std::max(1, options_.max_attempts);
  request.retry.initial_backoff = std::chrono::milliseconds{500};
  request.retry.max_backoff = std::chrono::milliseconds{5000};
  // Waiting longer than one attempt's deadline for a Retry-After holds the caller up: fail and let it retry later.
  request.retry.max_retry_after = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
  return request;
}

std::optional<std::string> WebhookChannel::outcome(const net::FetchResult& result) const {
  if (result) return std::nullopt;
  const net::FetchError& error = result.error();
  return describe() + ": " + std::string(net::to_string(error.kind)) + ": " + redact_urls(error.message);
}

boost::asio::awaitable<std::optional<std::string>> WebhookChannel::deliver_async(AlertEvent event) {
  const net::FetchResult result = co_await fetcher_->fetch(request_for(event));
  co_return outcome(result);
}

std::optional<std::string> WebhookChannel::deliver(const AlertEvent& event) {
  boost::asio::io_context ioc;
  std::optional<std::string> out = describe() + ": delivery did not complete";
  boost::asio::co_spawn(ioc, deliver_async(event), [&](std::exception_ptr error, std::optional<std::string> result) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        out = describe() + ": unexpected failure: " + redact_urls(e.what());
      } catch (...) {
        out = describe() + ": unexpected failure";
      }
      return;
    }
    out = std::move(result);
  });
  ioc.run();
  return out;
}

}  // namespace allowdrift::alert
