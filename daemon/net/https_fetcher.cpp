#include "net/https_fetcher.h"

#include "net/http_response.h"
#include "net/proxy_config.h"
#include "net/resolve.h"
#include "net/retry_policy.h"
#include "net/tls_context.h"
#include "net/tls_session_cache.h"
#include "net/url.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <set>

#ifndef ALLOWDRIFT_VERSION
#define ALLOWDRIFT_VERSION "0"
#endif

namespace allowdrift::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

FetchError make_error(FetchErrorKind kind, std::string message, int status = 0) {
  return FetchError{kind, std::move(message), status, {}};
}

long long ms_of(std::chrono::milliseconds d) { return static_cast<long long>(d.count()); }

// Where an attempt stands, for timeout messages and for telling a lost connection from a cut body.
enum class Phase { kResolve, kConnect, kProxy, kTls, kWrite, kHeader, kBody };

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::kResolve:
      return "resolve";
    case Phase::kConnect:
      return "connect";
    case Phase::kProxy:
      return "proxy CONNECT";
    case Phase::kTls:
      return "TLS handshake";
    case Phase::kWrite:
      return "request write";
    case Phase::kHeader:
      return "response header read";
    case Phase::kBody:
      return "body read";
  }
  return "fetch";
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
    const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// ---- one hop -----------------------------------------------------------------------------------------------
using Hop = ResponseHop;
using HopResult = ResponseHopResult;

class HopRunner {
 public:
  // `request_started` is set once any byte of the request may have gone out.
  HopRunner(const HttpsUrl& url, const FetchRequest& request, ssl::context& ctx, Clock::time_point attempt_started,
            Clock::time_point deadline, const HttpsFetcherOptions& options, const std::string& user_agent,
            bool& request_started)
      : url_(url),
        request_(request),
        ctx_(ctx),
        attempt_started_(attempt_started),
        deadline_(deadline),
        options_(options),
        user_agent_(user_agent),
        request_started_(request_started) {}

  asio::awaitable<HopResult> run() {
    auto executor = co_await asio::this_coro::executor;
    // The proxy of this hop: configured, or from https_proxy / no_proxy for this URL's host (so a redirect to a
    // host no_proxy names goes direct, and the other way round).
    std::optional<ProxyConfig> hop_proxy = request_.proxy;
    if (hop_proxy && hop_proxy->from_environment) {
      auto from_env = proxy_from_environment(url_.host);
      if (!from_env) co_return from_env.error();
      hop_proxy = std::move(*from_env);
    }
    const ProxyConfig* proxy = hop_proxy ? &*hop_proxy : nullptr;
    const std::string& connect_host = proxy ? proxy->host : url_.host;
    const std::uint16_t connect_port = proxy ? proxy->port : url_.port;
    const std::string peer =
        proxy ? "proxy " + to_string(ProxyConfig{proxy->host, proxy->port, {}, {}}) : url_.host_port();

    phase_ = Phase::kResolve;
    if (expired()) co_return timeout();
    auto endpoints = co_await resolve(connect_host, connect_port, deadline_, options_.resolve_overrides);
    if (!endpoints) co_return endpoints.error();

    phase_ = Phase::kConnect;
    if (expired()) co_return timeout();
    beast::tcp_stream socket(executor);
    const auto connect_deadline = std::min(deadline_, Clock::now() + request_.connect_timeout);
    socket.expires_at(connect_deadline);
    if (auto [ec, ep] = co_await socket.async_connect(*endpoints, kToken); ec) {
      if (ec == beast::error::timeout || Clock::now() >= connect_deadline) {
        if (connect_deadline < deadline_) {
          co_return make_error(FetchErrorKind::kTimeout, "connect to " + peer + " timed out after " +
                                                             std::to_string(ms_of(request_.connect_timeout)) + " ms");
        }
        co_return timeout();
      }
      co_return make_error(FetchErrorKind::kConnect, "cannot connect to " + peer + ": " + ec.message());
    }

    socket.expires_at(deadline_);
    if (proxy) {
      phase_ = Phase::kProxy;
      if (auto tunnel = co_await open_tunnel(socket, *proxy); tunnel) co_return *tunnel;
    }

    phase_ = Phase::kTls;
    if (expired()) co_return timeout();
    TlsStream stream(std::move(socket), ctx_);
    if (auto bad = set_peer_identity(stream)) co_return *bad;
    resume_session(stream.native_handle(), url_.host_port());
    if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, kToken); ec) {
      if (ec == beast::error::timeout || expired()) co_return timeout();
      co_return tls_error(stream, ec);
    }

    phase_ = Phase::kWrite;
    if (expired()) co_return timeout();
    const bool post = request_.method == HttpMethod::kPost;
    http::request<http::string_body> req{post ? http::verb::post : http::verb::get, url_.target, 11};
    req.set(http::field::host, url_.port == 443
                                   ? (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host)
                                   : url_.host_port());
    req.set(http::field::user_agent, user_agent_);
    req.set(http::field::accept, "*/*");
    req.set(http::field::accept_encoding, "gzip");
    req.set(http::field::connection, "close");
    if (post) {
      if (!request_.content_type.empty()) req.set(http::field::content_type, request_.content_type);
      req.body() = request_.body;
      req.prepare_payload();  // Content-Length
    } else {
      if (request_.validators.etag) req.set(http::field::if_none_match, *request_.validators.etag);
      if (request_.validators.last_modified) {
        req.set(http::field::if_modified_since, *request_.validators.last_modified);
      }
    }
    // From here the server may act on the request, whatever happens next (RetryPolicy::may_resend).
    request_started_ = true;
    if (auto [ec, n] = co_await http::async_write(stream, req, kToken); ec) co_return io_error(ec);

    phase_ = Phase::kHeader;
    if (expired()) co_return timeout();
    // Header, status, body and Content-Encoding: the code the fuzz target drives over an in-memory stream.
    ResponseReadOptions read_options;
    read_options.header_limit = request_.header_limit;
    read_options.body_limit = request_.body_limit;
    read_options.url_text = url_.text;
    read_options.host_port = url_.host_port();
    read_options.any_2xx = post;
    read_options.on_read_error = [this](const error_code& ec, ResponseStage) { return io_error(ec); };
    read_options.before_body = [this]() -> std::optional<FetchError> {
      phase_ = Phase::kBody;
      if (expired()) return timeout();
      return std::nullopt;
    };
    HopResult hop = co_await read_response(stream, read_options);
    if (hop) {
      // A response as its framing delimits it (a redirect's or a 304's head, a 2xx's body too): mark the TLS
      // connection as shut down cleanly without sending anything, since OpenSSL makes the session of a connection
      // freed mid-stream unresumable (ssl_clear_bad_session), and this client never waits for close_notify.
      SSL_set_shutdown(stream.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    if (hop && hop->status >= 200 && hop->status <= 299) {
      // The message is complete by its own framing. Not waiting for the server's close_notify is deliberate
      // (many servers skip it; reliability.md §1.8): the connection is simply closed.
      error_code ignored;
      beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(stream).socket().close(ignored);
    }
    co_return hop;
  }

 private:
  static constexpr std::size_t kReadChunk = 64 * 1024;  // CONNECT reply buffer headroom, as for responses

  bool expired() const { return Clock::now() >= deadline_; }

  FetchError timeout() const {
    // Which deadline: the attempt's own, or the fetch's overall one that came first (fetch_attempt).
    const bool overall = request_.overall_deadline.count() > 0 && deadline_ < attempt_started_ + request_.deadline;
    return make_error(FetchErrorKind::kTimeout,
                      (overall ? "overall deadline of " + std::to_string(ms_of(request_.overall_deadline))
                               : "deadline of " + std::to_string(ms_of(request_.deadline))) +
                          " ms passed during " + std::string(phase_name(phase_)) + " (" + url_.host_port() + ")");
  }

  // SNI and the name the certificate must carry are the origin's, also behind a proxy.
  std::optional<FetchError> set_peer_identity(TlsStream& stream) const {
    SSL* ssl_handle = stream.native_handle();
    if (url_.ip_literal) {
      // No SNI for address literals (RFC 6066 §3); the certificate must carry the address as an IP SAN.
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), url_.host.c_str()) != 1) {
        return make_error(FetchErrorKind::kConfig, "cannot verify against address " + url_.host);
      }
      return std::nullopt;
    }
    // SSL_set_tlsext_host_name() spelled out: the macro's C cast trips -Wold-style-cast.
    if (SSL_ctrl(ssl_handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url_.host.c_str())) != 1) {
      return make_error(FetchErrorKind::kTls, "cannot set SNI " + url_.host);
    }
    // OpenSSL's own check (what host_name_verification does too, via X509_check_host) reports a mismatch as
    // X509_V_ERR_HOSTNAME_MISMATCH in the verify result, so the error can say so.
    SSL_set_hostflags(ssl_handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl_handle, url_.host.c_str()) != 1) {
      return make_error(FetchErrorKind::kConfig, "cannot verify against host " + url_.host);
    }
    return std::nullopt;
  }

  FetchError tls_error(TlsStream& stream, const error_code& ec) const {
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK) {
      return make_error(FetchErrorKind::kTls, "certificate of " + url_.host_port() +
                                                  " rejected: " + X509_verify_cert_error_string(verify) +
                                                  " (X509 error " + std::to_string(verify) + ")");
    }
    return make_error(FetchErrorKind::kTls, "TLS handshake with " + url_.host_port() + " failed: " + ec.message());
  }

  FetchError io_error(const error_code& ec) const {
    if (ec == beast::error::timeout || expired()) return timeout();
    return classify_read_error(ec, phase_ == Phase::kBody, phase_name(phase_), request_.header_limit,
                               request_.body_limit, url_.host_port());
  }

  // HTTP CONNECT through the proxy (reliability.md §1.11): the reply header only, nothing after it.
  asio::awaitable<std::optional<FetchError>> open_tunnel(beast::tcp_stream& socket, const ProxyConfig& proxy) {
    const std::string where = "proxy " + to_string(ProxyConfig{proxy.host, proxy.port, {}, {}});
    http::request<http::empty_body> req{http::verb::connect, url_.host_port(), 11};
    req.set(http::field::host, url_.host_port());
    req.set(http::field::user_agent, user_agent_);
    if (proxy.user) {
      req.set(http::field::proxy_authorization, "Basic " + base64(*proxy.user + ":" + proxy.password.value_or("")));
    }
    if (auto [ec, n] = co_await http::async_write(socket, req, kToken); ec) {
      if (ec == beast::error::timeout || expired()) co_return timeout();
      co_return make_error(FetchErrorKind::kConnect, "cannot send CONNECT to " + where + ": " + ec.message());
    }
    beast::flat_buffer buffer(request_.header_limit + kReadChunk);
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx to CONNECT has no body: the tunnel starts right after the header
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(request_.header_limit, std::numeric_limits<std::uint32_t>::max())));
    if (auto [ec, n] = co_await http::async_read(socket, buffer, parser, kToken); ec) {
      if (ec == beast::error::timeout || expired()) co_return timeout();
      co_return make_error(FetchErrorKind::kProxy, "no valid reply to CONNECT from " + where + ": " + ec.message());
    }
    const int status = static_cast<int>(parser.get().result_int());
    if (status == 407) {
      co_return make_error(FetchErrorKind::kProxy, "proxy authentication required (407) by " + where, status);
    }
    if (status < 200 || status > 299) {
      co_return make_error(FetchErrorKind::kProxy,
                           where + " refused the tunnel to " + url_.host_port() + ": " + std::to_string(status) + " " +
                               std::string(parser.get().reason()).substr(0, 100),
                           status);
    }
    if (buffer.size() != 0) {
      // Bytes before our ClientHello cannot be the origin's TLS: handing them on is beast#1776's failure.
      co_return make_error(FetchErrorKind::kProxy, where + " sent data after its CONNECT reply", status);
    }
    co_return std::nullopt;
  }

  const HttpsUrl& url_;
  const FetchRequest& request_;
  ssl::context& ctx_;
  Clock::time_point attempt_started_;
  Clock::time_point deadline_;
  const HttpsFetcherOptions& options_;
  const std::string& user_agent_;
  Phase phase_ = Phase::kResolve;
  bool& request_started_;
};

}  // namespace

struct HttpsFetcher::State {
  HttpsFetcherOptions options;
  std::string user_agent;
  std::mt19937_64 rng;
  std::shared_ptr<ssl::context> system_context;  // built on first use, then shared by every fetch
  // Contexts of per-source CA files, kept while the file is unchanged (same inode, size, mtime and ctime: a copy
  // that preserves the mtime still changes the ctime): building one
  // parses the PEM file and costs as much as a loopback handshake.
  struct CaContext {
    struct stat identity {};
    std::shared_ptr<ssl::context> context;
  };
  std::map<std::string, CaContext> ca_contexts;

  boost::system::result<std::shared_ptr<ssl::context>, FetchError> context_for(const std::string& ca_file) {
    struct stat now {};
    const bool known = ::stat(ca_file.c_str(), &now) == 0;
    if (const auto it = ca_contexts.find(ca_file); known && it != ca_contexts.end()) {
      const auto& was = it->second.identity;
      if (was.st_ino == now.st_ino && was.st_dev == now.st_dev && was.st_size == now.st_size &&
          was.st_mtim.tv_sec == now.st_mtim.tv_sec && was.st_mtim.tv_nsec == now.st_mtim.tv_nsec &&
          was.st_ctim.tv_sec == now.st_ctim.tv_sec && was.st_ctim.tv_nsec == now.st_ctim.tv_nsec)
        return it->second.context;
    }
    auto made = make_tls_client_context(ca_file);
    if (!made) {
      ca_contexts.erase(ca_file);
      return made.error();
    }
    if (known) ca_contexts[ca_file] = {now, *made};
    return *made;
  }

  boost::system::result<std::shared_ptr<ssl::context>, FetchError> context_for(
      const std::optional<std::string>& ca_file) {
    if (ca_file) return context_for(*ca_file);
    if (!system_context) {
      auto made = make_tls_client_context(std::nullopt);
      if (!made) return made.error();
      system_context = *made;
    }
    return system_context;
  }
};

HttpsFetcher::HttpsFetcher() : HttpsFetcher(HttpsFetcherOptions{}) {}

HttpsFetcher::HttpsFetcher(HttpsFetcherOptions options) : state_(std::make_unique<State>()) {
  state_->user_agent = options.user_agent.empty() ? "allowdrift/" ALLOWDRIFT_VERSION : options.user_agent;
  state_->rng.seed(options.jitter_seed ? *options.jitter_seed : std::random_device{}());
  state_->options = std::move(options);
}

HttpsFetcher::~HttpsFetcher() = default;

namespace {

// One attempt: the redirect chain, all within one deadline (the attempt's, or `give_up` when sooner).
// `request_started`: some of a request was written.
asio::awaitable<FetchResult> fetch_attempt(const FetchRequest& request, ssl::context& ctx,
                                           const HttpsFetcherOptions& options, const std::string& user_agent,
                                           Clock::time_point give_up, bool& request_started) {
  const Clock::time_point attempt_started = Clock::now();
  const Clock::time_point deadline = std::min(attempt_started + request.deadline, give_up);
  std::string url = request.url;
  std::set<std::string> seen;
  for (int redirects = 0;; ++redirects) {
    auto parsed = parse_https_url(url);
    if (!parsed) {
      if (redirects == 0) co_return parsed.error();
      co_return make_error(FetchErrorKind::kRedirect,
                           "refusing redirect to " + url.substr(0, 200) + ": " + parsed.error().message);
    }
    if (!seen.insert(parsed->text).second) {
      co_return make_error(FetchErrorKind::kRedirect, "redirect loop at " + parsed->text);
    }
    HopRunner runner(*parsed, request, ctx, attempt_started, deadline, options, user_agent, request_started);
    auto hop = co_await runner.run();
    if (!hop) co_return hop.error();
    if (!hop->location) {
      hop->response.final_url = parsed->text;
      hop->response.redirects = redirects;
      co_return std::move(hop->response);
    }
    if (request.method != HttpMethod::kGet) {
      // Re-sending a body to wherever a redirect points is not something to do silently (and 301/302/303 would
      // turn it into a GET). The Location is not repeated: a webhook URL is a secret, and so may be its sibling.
      co_return make_error(FetchErrorKind::kRedirect, "not following redirect " + std::to_string(hop->status) +
                                                          " of a " + std::string(to_string(request.method)));
    }
    if (redirects >= request.max_redirects) {
      co_return make_error(FetchErrorKind::kRedirect,
                           "too many redirects (more than " + std::to_string(request.max_redirects) + ")");
    }
    auto next = resolve_location(parsed->text, *hop->location);
    if (!next) co_return next.error();
    if (next->starts_with("http:") || next->starts_with("HTTP:")) {
      co_return make_error(FetchErrorKind::kRedirect, "refusing redirect from https to http: " + next->substr(0, 200));
    }
    url = std::move(*next);
  }
}

}  // namespace

asio::awaitable<FetchResult> HttpsFetcher::fetch(FetchRequest request) {
  const auto started = Clock::now();
  try {
    auto made = state_->context_for(request.ca_file);
    if (!made) co_return made.error();
    const std::shared_ptr<ssl::context> ctx = *made;
    if (request.max_redirects < 0) request.max_redirects = 0;

    const RetryPolicy policy(request.retry);
    const Clock::time_point give_up =
        request.overall_deadline.count() > 0 ? started + request.overall_deadline : Clock::time_point::max();
    auto executor = co_await asio::this_coro::executor;
    for (int attempt = 1;; ++attempt) {
      bool request_started = false;
      FetchResult result =
          co_await fetch_attempt(request, *ctx, state_->options, state_->user_agent, give_up, request_started);
      if (result) {
        result->attempts = attempt;
        result->elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        co_return result;
      }
      const bool idempotent = request.method == HttpMethod::kGet;
      RetryDecision decision = idempotent || RetryPolicy::may_resend(result.error(), request_started)
                                   ? policy.decide(attempt, result.error(), state_->rng)
                                   : RetryDecision{};
      // A retry that would start at or past the overall deadline could only time out at once.
      if (decision.retry && give_up != Clock::time_point::max() && Clock::now() + decision.delay >= give_up)
        decision.retry = false;
      if (!decision.retry) {
        if (attempt == 1) co_return result;
        // result::error() returns a copy: amend that and return it.
        FetchError error = result.error();
        error.message += " (after " + std::to_string(attempt) + " attempts)";
        co_return error;
      }
      asio::steady_timer backoff(executor, decision.delay);
      co_await backoff.async_wait(kToken);
    }
  } catch (const std::exception& e) {
    co_return make_error(FetchErrorKind::kConnect, std::string("unexpected failure: ") + e.what());
  }
}

}  // namespace allowdrift::net
