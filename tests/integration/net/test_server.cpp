#include "test_server.h"

#include <openssl/ssl.h>
#include <zlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <thread>

namespace allowdrift::net::testing {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using namespace std::chrono_literals;

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 404:
      return "Not Found";
    case 407:
      return "Proxy Authentication Required";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    default:
      return "Status";
  }
}

// An io_context on its own thread. The owner calls join(), closes its acceptor, then destroy(): that destroys
// every pending coroutine frame while the state the frames point to is still alive.
class LoopThread {
 public:
  asio::io_context& ioc() { return *ioc_; }
  void start() {
    thread_ = std::thread([this] { ioc_->run(); });
  }
  void join() {
    ioc_->stop();
    if (thread_.joinable()) thread_.join();
  }
  void destroy() { ioc_.reset(); }

 private:
  std::unique_ptr<asio::io_context> ioc_ = std::make_unique<asio::io_context>();
  std::thread thread_;
};

tcp::acceptor loopback_acceptor(asio::io_context& ioc) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  return acceptor;
}

// Reads and discards until the peer closes or errs: "hang" and the drain after our FIN.
template <class Stream>
asio::awaitable<void> read_until_closed(Stream& stream) {
  std::array<char, 4096> scratch{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) co_return;
  }
}

}  // namespace

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::string response_head(int status, const Headers& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) + "\r\n";
  for (const auto& [key, value] : headers) out += key + ": " + value + "\r\n";
  return out + "\r\n";
}

std::string full_response(int status, const Headers& headers, std::string_view body) {
  Headers all = headers;
  all.emplace_back("Content-Length", std::to_string(body.size()));
  return response_head(status, all) + std::string(body);
}

Script respond(int status, const Headers& headers, std::string_view body) {
  return {Step{Step::Kind::kWrite, full_response(status, headers, body), {}}};
}

Script redirect(int status, std::string_view location) {
  return respond(status, {{"Location", std::string(location)}});
}

std::string chunk(std::string_view data) {
  char size[32];
  const int len = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size, static_cast<std::size_t>(len)) + std::string(data) + "\r\n";
}

std::string gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

// --- TestServer ---

struct TestServer::Impl {
  explicit Impl(TlsOptions opts) : options(std::move(opts)), ssl_ctx(ssl::context::tls_server) {
    SSL_CTX* ctx = ssl_ctx.native_handle();
    if (options.security_level_0) SSL_CTX_set_security_level(ctx, 0);
    if (options.min_version != 0 && SSL_CTX_set_min_proto_version(ctx, options.min_version) != 1) {
      throw std::runtime_error("SSL_CTX_set_min_proto_version failed");
    }
    if (options.max_version != 0 && SSL_CTX_set_max_proto_version(ctx, options.max_version) != 1) {
      throw std::runtime_error("SSL_CTX_set_max_proto_version failed");
    }
    if (options.no_resumption) {
      SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
      SSL_CTX_set_num_tickets(ctx, 0);
      SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    if (!options.cert.empty()) {
      ssl_ctx.use_certificate_chain_file(options.cert.string());
      ssl_ctx.use_private_key_file(options.key.string(), ssl::context::pem);
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(kTuple);
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(loop.ioc(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    if (options.never_handshake) {
      co_await read_until_closed(socket);
      co_return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), ssl_ctx);
    auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
    if (hs_ec) {
      std::lock_guard lock(mutex);
      ++handshakes_failed;
      co_return;
    }
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_ec, n] = co_await http::async_read(stream, buffer, request, kTuple);
    if (read_ec) co_return;

    RecordedRequest record;
    record.method = std::string(request.method_string());
    record.target = std::string(request.target());
    record.path = record.target.substr(0, record.target.find('?'));
    for (const auto& field : request) record.headers.emplace_back(field.name_string(), field.value());
    record.body = request.body();
    if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) record.sni = sni;
    record.resumed = SSL_session_reused(stream.native_handle()) == 1;
    Route handler;
    int hit = 0;
    {
      std::lock_guard lock(mutex);
      requests.push_back(record);
      hit = ++hit_counts[record.path];
      if (auto it = routes.find(record.path); it != routes.end()) handler = it->second;
    }
    Script script = handler ? handler(record, hit) : respond(404, {}, "no such path\n");
    co_await run_script(stream, script);
  }

  asio::awaitable<void> run_script(ssl::stream<tcp::socket>& stream, const Script& script) {
    asio::steady_timer timer(loop.ioc());
    for (const Step& step : script) {
      switch (step.kind) {
        case Step::Kind::kWrite: {
          auto [ec, n] = co_await asio::async_write(stream, asio::buffer(step.data), kTuple);
          if (ec) co_return;
          break;
        }
        case Step::Kind::kTrickle:
          for (char c : step.data) {
            auto [ec, n] = co_await asio::async_write(stream, asio::buffer(&c, 1), kTuple);
            if (ec) co_return;
            timer.expires_after(step.interval);
            co_await timer.async_wait(kTuple);
          }
          break;
        case Step::Kind::kEndlessChunks:
          for (;;) {
            auto [ec, n] = co_await asio::async_write(stream, asio::buffer(step.data), kTuple);
            if (ec) co_return;
          }
        case Step::Kind::kSleep:
          timer.expires_after(step.interval);
          co_await timer.async_wait(kTuple);
          break;
        case Step::Kind::kHang:
          co_await read_until_closed(stream);
          co_return;
        case Step::Kind::kCloseNotify:
          co_await close_notify(stream);
          co_return;
        case Step::Kind::kCloseAbrupt:
          co_await close_abrupt(stream.next_layer());
          co_return;
      }
    }
    co_await close_notify(stream);
  }

  // Sends close_notify and waits (bounded) for the client's close, so no RST can overtake the response.
  asio::awaitable<void> close_notify(ssl::stream<tcp::socket>& stream) {
    asio::steady_timer guard(loop.ioc());
    guard.expires_after(3s);
    tcp::socket& socket = stream.next_layer();
    guard.async_wait([&socket](error_code ec) {
      if (!ec) socket.close(ec);
    });
    co_await stream.async_shutdown(kTuple);
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    co_await read_until_closed(socket);
    guard.cancel();
  }

  // FIN without close_notify, then drain what the client still sends so the kernel never answers with RST.
  asio::awaitable<void> close_abrupt(tcp::socket& socket) {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    asio::steady_timer guard(loop.ioc());
    guard.expires_after(3s);
    guard.async_wait([&socket](error_code ec) {
      if (!ec) socket.close(ec);
    });
    co_await read_until_closed(socket);
    guard.cancel();
  }

  TlsOptions options;
  ssl::context ssl_ctx;
  LoopThread loop;
  std::optional<tcp::acceptor> acceptor;
  mutable std::mutex mutex;
  std::map<std::string, Route> routes;
  std::map<std::string, int> hit_counts;
  std::vector<RecordedRequest> requests;
  int connections = 0;
  int handshakes_failed = 0;
};

TestServer::TestServer(TlsOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->acceptor.emplace(loopback_acceptor(impl_->loop.ioc()));
  port_ = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(impl_->loop.ioc(), impl_->accept_loop(), asio::detached);
  impl_->loop.start();
}

TestServer::~TestServer() {
  impl_->loop.join();
  impl_->acceptor.reset();
  impl_->loop.destroy();
}

void TestServer::route(const std::string& path, Route route) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes[path] = std::move(route);
}

void TestServer::route(const std::string& path, Script script) {
  route(path, Route([script](const RecordedRequest&, int) { return script; }));
}

std::string TestServer::origin(std::string_view host) const {
  return "https://" + std::string(host) + ":" + std::to_string(port_);
}

std::string TestServer::url(std::string_view path, std::string_view host) const {
  return origin(host) + std::string(path);
}

std::vector<RecordedRequest> TestServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

int TestServer::hits(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->hit_counts.find(path);
  return it == impl_->hit_counts.end() ? 0 : it->second;
}

int TestServer::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

int TestServer::handshakes_failed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->handshakes_failed;
}

// --- TestProxy ---

struct TestProxy::Impl {
  explicit Impl(Mode m) : mode(m) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(loop.ioc(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket client) {
    boost::beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    auto [ec, n] = co_await http::async_read_header(client, buffer, parser, kTuple);
    if (ec) co_return;
    const auto& request = parser.get();
    Seen record;
    record.target = std::string(request.target());
    if (auto it = request.find(http::field::proxy_authorization); it != request.end()) {
      record.proxy_authorization = std::string(it->value());
    }
    {
      std::lock_guard lock(mutex);
      seen.push_back(record);
    }
    if (mode != Mode::kTunnel || request.method() != http::verb::connect) {
      const std::string reply =
          mode == Mode::kAuthRequired
              ? full_response(407, {{"Proxy-Authenticate", "Basic realm=\"test\""}, {"Connection", "close"}}, "")
              : full_response(502, {{"Connection", "close"}}, "bad gateway\n");
      co_await asio::async_write(client, asio::buffer(reply), kTuple);
      error_code ignored;
      client.shutdown(tcp::socket::shutdown_send, ignored);
      co_await read_until_closed(client);
      co_return;
    }
    // Whatever host the client named, the tunnel goes to 127.0.0.1: these tests never leave loopback.
    const auto colon = record.target.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::stoi(record.target.substr(colon + 1)));
    tcp::socket upstream(loop.ioc());
    auto [connect_ec] =
        co_await upstream.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port), kTuple);
    if (connect_ec) {
      const std::string reply = full_response(502, {{"Connection", "close"}}, "");
      co_await asio::async_write(client, asio::buffer(reply), kTuple);
      co_return;
    }
    const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
    auto [write_ec, w] = co_await asio::async_write(client, asio::buffer(established), kTuple);
    if (write_ec) co_return;
    if (buffer.size() > 0) {
      co_await asio::async_write(upstream, buffer.data(), kTuple);
    }
    auto shared_client = std::make_shared<tcp::socket>(std::move(client));
    auto shared_upstream = std::make_shared<tcp::socket>(std::move(upstream));
    asio::co_spawn(loop.ioc(), pipe(shared_client, shared_upstream), asio::detached);
    co_await pipe(shared_upstream, shared_client);
  }

  static asio::awaitable<void> pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    std::array<char, 16384> data{};
    for (;;) {
      auto [ec, n] = co_await from->async_read_some(asio::buffer(data), kTuple);
      if (ec) {
        error_code ignored;
        to->shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
      auto [write_ec, w] = co_await asio::async_write(*to, asio::buffer(data.data(), n), kTuple);
      if (write_ec) co_return;
    }
  }

  Mode mode;
  LoopThread loop;
  std::optional<tcp::acceptor> acceptor;
  mutable std::mutex mutex;
  std::vector<Seen> seen;
};

TestProxy::TestProxy(Mode mode) : impl_(std::make_unique<Impl>(mode)) {
  impl_->acceptor.emplace(loopback_acceptor(impl_->loop.ioc()));
  port_ = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(impl_->loop.ioc(), impl_->accept_loop(), asio::detached);
  impl_->loop.start();
}

TestProxy::~TestProxy() {
  impl_->loop.join();
  impl_->acceptor.reset();
  impl_->loop.destroy();
}

std::vector<TestProxy::Seen> TestProxy::seen() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

std::uint16_t unused_port() {
  asio::io_context ioc;
  tcp::acceptor acceptor = loopback_acceptor(ioc);
  return acceptor.local_endpoint().port();
}

}  // namespace allowdrift::net::testing
