// Loopback servers for the fetcher's integration tests (research/reliability.md §6.3, §5 rows N1-N26), each on
// 127.0.0.1 with an ephemeral port and its own io_context thread:
//   - TestServer: TLS with a chosen certificate and protocol range, recording the SNI and every request, and
//     answering each path with a scripted list of steps (write, trickle, endless chunks, hang, close with or
//     without close_notify), so the faults are byte-exact rather than whatever a real server library would do;
//   - TestProxy: an HTTP CONNECT proxy that tunnels (always to 127.0.0.1), or answers 407 or 502, and records
//     the CONNECT target and any Proxy-Authorization it saw.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allowdrift::net::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RecordedRequest {
  std::string method;
  std::string target;  // as sent, with any query
  std::string path;    // target without the query
  Headers headers;
  std::string body;      // as received (a POST's)
  std::string sni;       // empty: the client sent none
  bool resumed = false;  // the TLS handshake resumed an earlier session

  // Value of the first field with this name (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

// One thing the server does on a connection after reading the request.
struct Step {
  enum class Kind {
    kWrite,          // write data
    kTrickle,        // write data one byte per interval
    kEndlessChunks,  // write data (a framed chunk) again and again until the client goes away
    kSleep,          // wait interval
    kHang,           // wait until the client closes (never answer)
    kCloseNotify,    // TLS close_notify, then close (the default end of every script)
    kCloseAbrupt,    // TCP FIN without close_notify: what a truncating attacker or a sloppy server does
  };
  Kind kind = Kind::kWrite;
  std::string data;
  std::chrono::milliseconds interval{0};
};
using Script = std::vector<Step>;
// Called once per request; hit counts the requests to this path so far (1 for the first).
using Route = std::function<Script(const RecordedRequest& request, int hit)>;

// Script builders.
std::string response_head(int status, const Headers& headers);  // status line + fields + blank line
std::string full_response(int status, const Headers& headers, std::string_view body);  // adds Content-Length
Script respond(int status, const Headers& headers = {}, std::string_view body = {});
Script redirect(int status, std::string_view location);
std::string chunk(std::string_view data);  // one chunk with its size line
std::string gzip(std::string_view data);   // RFC 1952 gzip member

struct TlsOptions {
  std::filesystem::path cert;
  std::filesystem::path key;
  int min_version = 0;  // e.g. TLS1_2_VERSION; 0 keeps OpenSSL's default
  int max_version = 0;
  // OpenSSL 3 refuses TLS 1.1 at security level 1 even on the server side; level 0 lets the 1.1-only server
  // actually offer 1.1, so a refusal is the client's doing.
  bool security_level_0 = false;
  bool never_handshake = false;  // accept TCP connections and never say anything
  bool no_resumption = false;    // issue no session ticket, keep no session: every handshake is a full one
};

class TestServer {
 public:
  explicit TestServer(TlsOptions options);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  void route(const std::string& path, Route route);
  void route(const std::string& path, Script script);  // the same script for every request

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path, std::string_view host = "localhost") const;
  std::string origin(std::string_view host = "localhost") const;  // https://host:port

  std::vector<RecordedRequest> requests() const;
  int hits(const std::string& path) const;
  int connections() const;
  int handshakes_failed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

class TestProxy {
 public:
  enum class Mode { kTunnel, kAuthRequired, kBadGateway };
  struct Seen {
    std::string target;                              // CONNECT host:port
    std::optional<std::string> proxy_authorization;  // as received
  };

  explicit TestProxy(Mode mode);
  ~TestProxy();
  TestProxy(const TestProxy&) = delete;
  TestProxy& operator=(const TestProxy&) = delete;

  std::uint16_t port() const { return port_; }
  std::vector<Seen> seen() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

// A loopback port with nothing listening on it (bound, then released).
std::uint16_t unused_port();

}  // namespace allowdrift::net::testing
