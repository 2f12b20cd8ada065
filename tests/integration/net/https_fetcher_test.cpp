// The HTTPS fetcher against real sockets on loopback (issue 3, "Tests"; research/reliability.md §5 rows N2-N25):
// a TLS server with certificates generated at run time, scripted per-path faults, and a CONNECT proxy. Every
// failure case asserts the exact FetchErrorKind; timing is asserted only as "finished within deadline + margin"
// (or "waited at least" for Retry-After), so a loaded machine does not make the suite flaky.
#include "net/https_fetcher.h"
#include "test_pki.h"
#include "test_server.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <exception>
#include <fstream>
#include <memory>
#include <vector>

namespace allowdrift::net {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CertFiles;
using testing::Headers;
using testing::RecordedRequest;
using testing::Script;
using testing::Step;
using testing::TestPki;
using testing::TestProxy;
using testing::TestServer;
using testing::TlsOptions;
using Clock = std::chrono::steady_clock;

// Generous: the suite runs under ASan on a loaded 2-core machine.
constexpr auto kMargin = 4s;

HttpsFetcherOptions test_options() {
  HttpsFetcherOptions options;
  options.resolve_overrides["localhost"] = "127.0.0.1";  // the test servers listen on 127.0.0.1 only
  options.jitter_seed = 1;
  return options;
}

// With a fetcher of its own, or `shared` (whose per-CA-file contexts then carry over between calls).
FetchResult run_fetch(FetchRequest request, HttpsFetcher* shared = nullptr) {
  asio::io_context ioc;
  HttpsFetcher own(test_options());
  HttpsFetcher& fetcher = shared != nullptr ? *shared : own;
  std::optional<FetchResult> result;
  asio::co_spawn(ioc, fetcher.fetch(std::move(request)), [&](std::exception_ptr error, FetchResult r) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "exception escaped fetch: " << e.what();
      } catch (...) {
        ADD_FAILURE() << "exception escaped fetch";
      }
      return;
    }
    result.emplace(std::move(r));
  });
  ioc.run();
  if (!result) return FetchError{FetchErrorKind::kConfig, "no result (exception)", 0, std::nullopt};
  return std::move(*result);
}

::testing::AssertionResult Succeeded(const FetchResult& result) {
  if (result.has_value()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "fetch failed: " << to_string(result.error().kind) << ": "
                                       << result.error().message;
}

::testing::AssertionResult FailedWith(const FetchResult& result, FetchErrorKind kind) {
  if (result.has_value()) {
    return ::testing::AssertionFailure() << "fetch succeeded (status " << result->status << ", " << result->body.size()
                                         << " body bytes), expected " << to_string(kind);
  }
  if (result.error().kind != kind) {
    return ::testing::AssertionFailure() << "failed with " << to_string(result.error().kind) << " ("
                                         << result.error().message << "), expected " << to_string(kind);
  }
  return ::testing::AssertionSuccess();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The error message names the reason: one of the alternatives appears (case-insensitive).
::testing::AssertionResult MessageNames(const FetchResult& result, std::initializer_list<std::string_view> any_of) {
  if (result.has_value()) return ::testing::AssertionFailure() << "fetch succeeded";
  const std::string message = lower(result.error().message);
  for (std::string_view word : any_of) {
    if (message.find(word) != std::string::npos) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "message does not name the reason: " << result.error().message;
}

Script write_then(std::string data, Step::Kind then) {
  return {Step{Step::Kind::kWrite, std::move(data), {}}, Step{then, {}, {}}};
}

class HttpsFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("allowdrift-net-test-" + std::to_string(::getpid())));
    pki_ = new TestPki(*dir_);
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }

  static const TestPki& pki() { return *pki_; }
  static TlsOptions tls(const CertFiles& files) { return TlsOptions{files.cert, files.key, 0, 0, false, false}; }

  // Short deadlines and no retry unless a test asks for them.
  static FetchRequest request(std::string url) {
    FetchRequest r;
    r.url = std::move(url);
    r.ca_file = pki().ca_file().string();
    r.connect_timeout = 2s;
    r.deadline = 5s;
    r.retry.max_attempts = 1;
    r.retry.initial_backoff = 50ms;
    r.retry.max_backoff = 200ms;
    r.retry.max_retry_after = 5s;
    return r;
  }

  // A server with the good certificate and /list answering 200.
  static std::unique_ptr<TestServer> good_server() {
    auto server = std::make_unique<TestServer>(tls(pki().good()));
    server->route("/list", testing::respond(200, {{"Content-Type", "text/plain"}}, kList));
    return server;
  }

  static constexpr std::string_view kList = "192.0.2.0/24\n198.51.100.0/24\n2001:db8::/32\n";

 private:
  static inline fs::path* dir_ = nullptr;
  static inline TestPki* pki_ = nullptr;
};

// --- TLS: fails closed, and says why ---

TEST_F(HttpsFetcherTest, GoodCertificateFetchesTheBody) {
  auto server = good_server();
  const auto result = run_fetch(request(server->url("/list")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->status, 200);
  EXPECT_FALSE(result->not_modified);
  EXPECT_EQ(result->body, kList);
  EXPECT_EQ(result->content_type, "text/plain");
  EXPECT_EQ(result->final_url, server->url("/list"));
  EXPECT_EQ(result->redirects, 0);
  EXPECT_EQ(result->attempts, 1);

  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/list");
  EXPECT_EQ(requests[0].header("Host").value_or(""), "localhost:" + std::to_string(server->port()));
  EXPECT_THAT(requests[0].header("User-Agent").value_or(""), ::testing::StartsWith("allowdrift/"));
  EXPECT_THAT(lower(requests[0].header("Accept-Encoding").value_or("")), ::testing::HasSubstr("gzip"));
  EXPECT_FALSE(requests[0].header("If-None-Match"));
  EXPECT_FALSE(requests[0].header("If-Modified-Since"));
}

TEST_F(HttpsFetcherTest, SelfSignedCertificateIsRefused) {
  TestServer server(tls(pki().self_signed()));
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"self-signed", "self signed"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, ExpiredCertificateIsRefused) {
  TestServer server(tls(pki().expired()));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"expired"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, NotYetValidCertificateIsRefused) {
  TestServer server(tls(pki().not_yet_valid()));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"not yet valid"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, WrongHostCertificateIsRefused) {
  TestServer server(tls(pki().wrong_host()));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"hostname mismatch", "host name mismatch", "hostname", "host name"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

// N8: the CN is not a fallback when the SAN names another host, and a NUL cannot cut a SAN short.
TEST_F(HttpsFetcherTest, RightCommonNameWithWrongSanIsRefused) {
  TestServer server(tls(pki().cn_right_san_wrong()));
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"hostname mismatch", "host name mismatch", "hostname", "host name"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, NulInSanIsRefused) {
  TestServer server(tls(pki().nul_in_san()));
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"hostname mismatch", "host name mismatch", "hostname", "host name"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

// N9: any SAN entry may match, the first or the last, whatever the CN says.
TEST_F(HttpsFetcherTest, FirstSanEntryMatchingIsAccepted) {
  TestServer server(tls(pki().san_first_matches()));
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
}

TEST_F(HttpsFetcherTest, LastSanEntryMatchingIsAccepted) {
  TestServer server(tls(pki().san_last_matches()));
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
}

// One fetcher keeps a CA file's TLS context while the file is unchanged, and builds it anew when the file is
// replaced in place: trust follows the file, never a stale copy of it.
TEST_F(HttpsFetcherTest, ACaFileReplacedInPlaceIsReadAgain) {
  auto server = good_server();
  HttpsFetcher fetcher(test_options());
  const auto ca = fs::temp_directory_path() / ("allowdrift-ca-" + std::to_string(::getpid()) + ".pem");
  const auto write = [&](const fs::path& from) {
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(ca, std::ios::binary | std::ios::trunc);  // same inode: the contents change
    out << in.rdbuf();
  };
  auto r = request(server->url("/list"));
  r.ca_file = ca.string();
  write(pki().ca_file());
  EXPECT_TRUE(Succeeded(run_fetch(r, &fetcher)));
  EXPECT_TRUE(Succeeded(run_fetch(r, &fetcher)));  // the cached context
  write(pki().self_signed().cert);                 // now trusts only an unrelated certificate
  const auto refused = run_fetch(r, &fetcher);
  EXPECT_TRUE(FailedWith(refused, FetchErrorKind::kTls));
  write(pki().ca_file());
  EXPECT_TRUE(Succeeded(run_fetch(r, &fetcher)));
  fs::remove(ca);
}

TEST_F(HttpsFetcherTest, CertificateFromUnknownCaIsRefused) {
  TestServer server(tls(pki().unknown_ca()));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_TRUE(MessageNames(result, {"issuer", "unknown ca", "unable to get"}));
  EXPECT_EQ(server.hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, UnusableCaFileIsAConfigError) {
  auto server = good_server();
  auto r = request(server->url("/list"));
  r.ca_file = (fs::temp_directory_path() / "allowdrift-no-such-ca.pem").string();
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kConfig));
}

TEST_F(HttpsFetcherTest, Tls11OnlyServerIsRefused) {
  auto options = tls(pki().good());
  options.min_version = TLS1_1_VERSION;
  options.max_version = TLS1_1_VERSION;
  options.security_level_0 = true;
  TestServer server(options);
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTls));
  EXPECT_GE(server.connections(), 1);  // refused in the handshake, not unreachable
  EXPECT_EQ(server.hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, Tls13OnlyServerIsAccepted) {
  auto options = tls(pki().good());
  options.min_version = TLS1_3_VERSION;
  options.max_version = TLS1_3_VERSION;
  TestServer server(options);
  server.route("/list", testing::respond(200, {}, kList));
  const auto result = run_fetch(request(server.url("/list")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
}

TEST_F(HttpsFetcherTest, SniIsTheOriginHost) {
  auto server = good_server();
  ASSERT_TRUE(Succeeded(run_fetch(request(server->url("/list")))));
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].sni, "localhost");
}

TEST_F(HttpsFetcherTest, IpLiteralIsVerifiedAgainstIpSanWithoutSni) {
  auto server = good_server();
  const auto result = run_fetch(request(server->url("/list", "127.0.0.1")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].sni, "");  // RFC 6066 §3: no IP literals in SNI
}

// --- every wait bounded ---

TEST_F(HttpsFetcherTest, ConnectionRefused) {
  const auto port = testing::unused_port();
  const auto result = run_fetch(request("https://localhost:" + std::to_string(port) + "/list"));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kConnect));
}

TEST_F(HttpsFetcherTest, ServerThatAcceptsAndNeverAnswersTimesOut) {
  auto options = tls(pki().good());
  options.never_handshake = true;
  TestServer server(options);
  auto r = request(server.url("/list"));
  r.deadline = 1s;
  const auto start = Clock::now();
  const auto result = run_fetch(r);
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTimeout));
  EXPECT_LT(Clock::now() - start, r.deadline + kMargin);
  EXPECT_EQ(server.connections(), 1);
}

// A loopback listener (backlog 0) whose accept queue is full and never drained: the kernel drops every further
// SYN, so a connect to it neither succeeds nor fails (a firewall that drops packets, without root).
class FullBacklogListener {
 public:
  FullBacklogListener() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listener_, 0) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    // Connect until one connection stays pending for 200 ms: from then on the queue is full.
    for (int i = 0; i < 16 && !full_; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return;
      fillers_.push_back(fd);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0) continue;
      if (errno != EINPROGRESS) return;
      pollfd pending{fd, POLLOUT, 0};
      full_ = ::poll(&pending, 1, 200) == 0;
    }
  }
  ~FullBacklogListener() {
    for (const int fd : fillers_) ::close(fd);
    if (listener_ >= 0) ::close(listener_);
  }
  FullBacklogListener(const FullBacklogListener&) = delete;
  FullBacklogListener& operator=(const FullBacklogListener&) = delete;

  bool full() const { return full_; }
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::vector<int> fillers_;
  std::uint16_t port_ = 0;
  bool full_ = false;
};

TEST_F(HttpsFetcherTest, ConnectThatHangsTimesOutAtTheConnectTimeout) {
  FullBacklogListener listener;
  ASSERT_TRUE(listener.full()) << "could not fill the accept queue of a loopback listener";
  auto r = request("https://127.0.0.1:" + std::to_string(listener.port()) + "/list");
  r.connect_timeout = 500ms;
  r.deadline = 30s;  // far away: what stops the fetch must be the connect timeout
  const auto start = Clock::now();
  const auto result = run_fetch(r);
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(FailedWith(result, FetchErrorKind::kTimeout));
  EXPECT_THAT(result.error().message, ::testing::HasSubstr("connect to 127.0.0.1:" + std::to_string(listener.port())));
  EXPECT_THAT(result.error().message, ::testing::HasSubstr("timed out after 500 ms"));
  EXPECT_GE(elapsed, r.connect_timeout);
  EXPECT_LT(elapsed, r.connect_timeout + kMargin);
}

TEST_F(HttpsFetcherTest, ServerThatNeverAnswersTheRequestTimesOut) {
  TestServer server(tls(pki().good()));
  server.route("/hang", Script{Step{Step::Kind::kHang, {}, {}}});
  auto r = request(server.url("/hang"));
  r.deadline = 1s;
  const auto start = Clock::now();
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kTimeout));
  EXPECT_LT(Clock::now() - start, r.deadline + kMargin);
}

TEST_F(HttpsFetcherTest, OneBytePerSecondIsCutOffAtTheDeadline) {
  TestServer server(tls(pki().good()));
  // A valid response, but the status line alone would take over 15 s: the deadline covers the whole read.
  server.route("/trickle", Script{Step{Step::Kind::kTrickle, testing::full_response(200, {}, kList), 1s}});
  auto r = request(server.url("/trickle"));
  r.deadline = 1s;
  const auto start = Clock::now();
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kTimeout));
  EXPECT_LT(Clock::now() - start, r.deadline + kMargin);
}

// --- size limits ---

TEST_F(HttpsFetcherTest, ContentLengthOverTheLimitFailsBeforeTheBody) {
  TestServer server(tls(pki().good()));
  // Headers only, then silence: reading any of the body would end in a timeout instead.
  server.route("/huge",
               Script{Step{Step::Kind::kWrite, testing::response_head(200, {{"Content-Length", "10737418240"}}), {}},
                      Step{Step::Kind::kHang, {}, {}}});
  auto r = request(server.url("/huge"));
  r.body_limit = 64 * 1024;
  r.deadline = 3s;
  const auto result = run_fetch(r);
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kTooLarge));
}

TEST_F(HttpsFetcherTest, EndlessChunkedBodyFailsAtTheLimit) {
  TestServer server(tls(pki().good()));
  server.route("/endless",
               Script{Step{Step::Kind::kWrite, testing::response_head(200, {{"Transfer-Encoding", "chunked"}}), {}},
                      Step{Step::Kind::kEndlessChunks, testing::chunk(std::string(16 * 1024, 'x')), {}}});
  auto r = request(server.url("/endless"));
  r.body_limit = 256 * 1024;
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kTooLarge));
}

TEST_F(HttpsFetcherTest, OversizedHeadersFail) {
  TestServer server(tls(pki().good()));
  server.route("/big-header", testing::respond(200, {{"X-Padding", std::string(100 * 1024, 'h')}}, kList));
  auto r = request(server.url("/big-header"));
  r.header_limit = 8 * 1024;
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kTooLarge));
}

// --- no truncation accepted ---

TEST_F(HttpsFetcherTest, ContentLengthMismatchIsTruncated) {
  TestServer server(tls(pki().good()));
  const std::string cut = testing::response_head(200, {{"Content-Length", "1000"}}) + "192.0.2.0/24\n";
  server.route("/cut-notify", write_then(cut, Step::Kind::kCloseNotify));
  server.route("/cut-abrupt", write_then(cut, Step::Kind::kCloseAbrupt));
  EXPECT_TRUE(FailedWith(run_fetch(request(server.url("/cut-notify"))), FetchErrorKind::kTruncated));
  EXPECT_TRUE(FailedWith(run_fetch(request(server.url("/cut-abrupt"))), FetchErrorKind::kTruncated));
}

TEST_F(HttpsFetcherTest, ChunkedBodyWithoutLastChunkIsTruncated) {
  TestServer server(tls(pki().good()));
  const std::string cut =
      testing::response_head(200, {{"Transfer-Encoding", "chunked"}}) + testing::chunk("192.0.2.0/24\n");
  server.route("/cut-chunked", write_then(cut, Step::Kind::kCloseNotify));
  EXPECT_TRUE(FailedWith(run_fetch(request(server.url("/cut-chunked"))), FetchErrorKind::kTruncated));
}

TEST_F(HttpsFetcherTest, EofFramedBodyWithoutCloseNotifyIsTruncated) {
  TestServer server(tls(pki().good()));
  // No Content-Length, no chunking: only the TLS close_notify proves the body is complete.
  const std::string eof_framed = testing::response_head(200, {{"Connection", "close"}}) + std::string(kList);
  server.route("/eof-abrupt", write_then(eof_framed, Step::Kind::kCloseAbrupt));
  server.route("/eof-notify", write_then(eof_framed, Step::Kind::kCloseNotify));
  EXPECT_TRUE(FailedWith(run_fetch(request(server.url("/eof-abrupt"))), FetchErrorKind::kTruncated));
  const auto clean = run_fetch(request(server.url("/eof-notify")));
  ASSERT_TRUE(Succeeded(clean));
  EXPECT_EQ(clean->body, kList);
}

TEST_F(HttpsFetcherTest, CompleteMessageWithoutCloseNotifyIsAccepted) {
  TestServer server(tls(pki().good()));
  server.route("/complete-abrupt", write_then(testing::full_response(200, {}, kList), Step::Kind::kCloseAbrupt));
  server.route("/chunked-abrupt", write_then(testing::response_head(200, {{"Transfer-Encoding", "chunked"}}) +
                                                 testing::chunk(kList) + "0\r\n\r\n",
                                             Step::Kind::kCloseAbrupt));
  const auto result = run_fetch(request(server.url("/complete-abrupt")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
  const auto chunked = run_fetch(request(server.url("/chunked-abrupt")));
  ASSERT_TRUE(Succeeded(chunked));
  EXPECT_EQ(chunked->body, kList);
}

// --- compression ---

TEST_F(HttpsFetcherTest, GzipBodyIsDecoded) {
  TestServer server(tls(pki().good()));
  std::string list;
  for (int i = 0; i < 2000; ++i) list += "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".0/24\n";
  const std::string compressed = testing::gzip(list);
  server.route("/gz", testing::respond(200, {{"Content-Encoding", "gzip"}}, compressed));
  const auto result = run_fetch(request(server.url("/gz")));
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, list);
  EXPECT_EQ(result->wire_bytes, compressed.size());
}

TEST_F(HttpsFetcherTest, GzipBombFailsAtTheDecodedLimit) {
  TestServer server(tls(pki().good()));
  const std::string bomb = testing::gzip(std::string(16 * 1024 * 1024, '\0'));  // about 16 KB on the wire
  server.route("/bomb", testing::respond(200, {{"Content-Encoding", "gzip"}}, bomb));
  auto r = request(server.url("/bomb"));
  r.body_limit = 1024 * 1024;
  ASSERT_LT(bomb.size(), r.body_limit);
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kTooLarge));
}

TEST_F(HttpsFetcherTest, CorruptGzipAndUnknownEncodingAreDecodeErrors) {
  TestServer server(tls(pki().good()));
  std::string corrupt = testing::gzip(std::string(kList));
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  corrupt.resize(corrupt.size() - 4);
  server.route("/corrupt", testing::respond(200, {{"Content-Encoding", "gzip"}}, corrupt));
  server.route("/br", testing::respond(200, {{"Content-Encoding", "br"}}, "\x1b\x03"));
  EXPECT_TRUE(FailedWith(run_fetch(request(server.url("/corrupt"))), FetchErrorKind::kDecode));
  EXPECT_TRUE(FailedWith(run_fetch(request(server.url("/br"))), FetchErrorKind::kDecode));
}

// --- redirects ---

TEST_F(HttpsFetcherTest, RedirectChainIsFollowedAndTheFinalUrlRecorded) {
  auto server = good_server();
  server->route("/r1", testing::redirect(301, server->url("/r2")));
  server->route("/r2", testing::redirect(302, server->url("/r3")));
  server->route("/r3", testing::redirect(303, server->url("/r4")));
  server->route("/r4", testing::redirect(307, "/r5"));  // relative Location
  server->route("/r5", testing::redirect(308, server->url("/list")));
  auto r = request(server->url("/r1"));
  r.max_redirects = 5;
  const auto result = run_fetch(r);
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
  EXPECT_EQ(result->redirects, 5);
  EXPECT_EQ(result->final_url, server->url("/list"));
  for (const char* path : {"/r1", "/r2", "/r3", "/r4", "/r5", "/list"}) EXPECT_EQ(server->hits(path), 1) << path;
  for (const auto& req : server->requests()) EXPECT_EQ(req.method, "GET") << req.target;
  for (const auto& req : server->requests()) EXPECT_EQ(req.sni, "localhost") << req.target;  // each hop verified
}

// A loop is recognised as such on its first repeat, not merely stopped by the redirect limit (set far higher).
TEST_F(HttpsFetcherTest, RedirectLoopIsDetected) {
  auto server = good_server();
  server->route("/loop", testing::redirect(302, "/loop"));
  server->route("/ping", testing::redirect(301, "/pong"));
  server->route("/pong", testing::redirect(307, server->url("/ping")));
  auto r = request(server->url("/loop"));
  r.max_redirects = 20;
  const auto self = run_fetch(r);
  ASSERT_TRUE(FailedWith(self, FetchErrorKind::kRedirect));
  EXPECT_TRUE(MessageNames(self, {"loop"}));
  EXPECT_THAT(self.error().message, ::testing::Not(::testing::HasSubstr("too many")));
  EXPECT_EQ(server->hits("/loop"), 1);

  r.url = server->url("/ping");
  const auto two_step = run_fetch(r);
  ASSERT_TRUE(FailedWith(two_step, FetchErrorKind::kRedirect));
  EXPECT_TRUE(MessageNames(two_step, {"loop"}));
  EXPECT_THAT(two_step.error().message, ::testing::HasSubstr(server->url("/ping")));
  EXPECT_EQ(server->hits("/ping"), 1);
  EXPECT_EQ(server->hits("/pong"), 1);
}

TEST_F(HttpsFetcherTest, TooManyRedirectsFail) {
  auto server = good_server();
  server->route("/a", testing::redirect(301, "/b"));
  server->route("/b", testing::redirect(301, "/c"));
  server->route("/c", testing::redirect(301, "/list"));
  auto r = request(server->url("/a"));
  r.max_redirects = 2;
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kRedirect));
  EXPECT_EQ(server->hits("/list"), 0);
}

TEST_F(HttpsFetcherTest, RedirectFromHttpsToHttpIsRefused) {
  auto server = good_server();
  server->route("/downgrade", testing::redirect(301, "http://localhost:" + std::to_string(server->port()) + "/list"));
  const auto result = run_fetch(request(server->url("/downgrade")));
  EXPECT_TRUE(FailedWith(result, FetchErrorKind::kRedirect));
  EXPECT_EQ(server->hits("/list"), 0);
  EXPECT_EQ(server->connections(), 1);
}

TEST_F(HttpsFetcherTest, RedirectWithoutLocationFails) {
  auto server = good_server();
  server->route("/nowhere", testing::respond(302));
  EXPECT_TRUE(FailedWith(run_fetch(request(server->url("/nowhere"))), FetchErrorKind::kRedirect));
}

// --- conditional GET ---

TEST_F(HttpsFetcherTest, NotModifiedWithEtag) {
  auto server = good_server();
  server->route("/etag", [](const RecordedRequest& req, int) {
    if (req.header("If-None-Match") == "\"v1\"") return testing::respond(304, {{"ETag", "\"v1\""}});
    return testing::respond(200, {{"ETag", "\"v1\""}}, kList);
  });
  const auto first = run_fetch(request(server->url("/etag")));
  ASSERT_TRUE(Succeeded(first));
  EXPECT_FALSE(first->not_modified);
  EXPECT_EQ(first->body, kList);
  ASSERT_EQ(first->validators.etag, "\"v1\"");

  auto r = request(server->url("/etag"));
  r.validators = first->validators;
  const auto second = run_fetch(r);
  ASSERT_TRUE(Succeeded(second));
  EXPECT_TRUE(second->not_modified);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  EXPECT_EQ(server->requests().back().header("If-None-Match"), "\"v1\"");
}

TEST_F(HttpsFetcherTest, NotModifiedWithLastModified) {
  static constexpr const char* kDate = "Wed, 21 Oct 2015 07:28:00 GMT";
  auto server = good_server();
  server->route("/lm", [](const RecordedRequest& req, int) {
    if (req.header("If-Modified-Since") == kDate) return testing::respond(304);
    return testing::respond(200, {{"Last-Modified", kDate}}, kList);
  });
  const auto first = run_fetch(request(server->url("/lm")));
  ASSERT_TRUE(Succeeded(first));
  EXPECT_FALSE(first->not_modified);
  ASSERT_EQ(first->validators.last_modified, kDate);

  auto r = request(server->url("/lm"));
  r.validators = first->validators;
  const auto second = run_fetch(r);
  ASSERT_TRUE(Succeeded(second));
  EXPECT_TRUE(second->not_modified);
  EXPECT_EQ(second->status, 304);
  EXPECT_EQ(server->requests().back().header("If-Modified-Since"), kDate);
}

// --- retries ---

TEST_F(HttpsFetcherTest, ServerErrorThenSuccessIsRetried) {
  auto server = good_server();
  server->route("/flaky", [](const RecordedRequest&, int hit) {
    return hit == 1 ? testing::respond(500, {}, "oops\n") : testing::respond(200, {}, kList);
  });
  auto r = request(server->url("/flaky"));
  r.retry.max_attempts = 3;
  const auto result = run_fetch(r);
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);
  EXPECT_EQ(result->attempts, 2);
  EXPECT_EQ(server->hits("/flaky"), 2);
}

TEST_F(HttpsFetcherTest, PersistentServerErrorStopsAtMaxAttempts) {
  auto server = good_server();
  server->route("/down", testing::respond(500, {}, "oops\n"));
  auto r = request(server->url("/down"));
  r.retry.max_attempts = 2;
  const auto result = run_fetch(r);
  ASSERT_TRUE(FailedWith(result, FetchErrorKind::kHttpStatus));
  EXPECT_EQ(result.error().http_status, 500);
  EXPECT_EQ(server->hits("/down"), 2);
}

TEST_F(HttpsFetcherTest, TooManyRequestsHonoursRetryAfter) {
  auto server = good_server();
  server->route("/busy", [](const RecordedRequest&, int hit) {
    return hit == 1 ? testing::respond(429, {{"Retry-After", "1"}}) : testing::respond(200, {}, kList);
  });
  auto r = request(server->url("/busy"));
  r.retry.max_attempts = 2;
  const auto start = Clock::now();
  const auto result = run_fetch(r);
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->attempts, 2);
  EXPECT_GE(Clock::now() - start, 900ms);  // waited for Retry-After, not the 50 ms backoff
}

TEST_F(HttpsFetcherTest, TooManyRequestsWithoutRetryReportsRetryAfter) {
  auto server = good_server();
  server->route("/busy", testing::respond(429, {{"Retry-After", "1"}}));
  const auto result = run_fetch(request(server->url("/busy")));
  ASSERT_TRUE(FailedWith(result, FetchErrorKind::kHttpStatus));
  EXPECT_EQ(result.error().http_status, 429);
  EXPECT_EQ(result.error().retry_after, std::chrono::seconds(1));
}

TEST_F(HttpsFetcherTest, NotFoundIsNotRetried) {
  auto server = good_server();
  auto r = request(server->url("/missing"));
  r.retry.max_attempts = 3;
  const auto result = run_fetch(r);
  ASSERT_TRUE(FailedWith(result, FetchErrorKind::kHttpStatus));
  EXPECT_EQ(result.error().http_status, 404);
  EXPECT_EQ(server->hits("/missing"), 1);
}

// --- CONNECT proxy ---

ProxyConfig proxy_at(const TestProxy& proxy, bool with_credentials) {
  ProxyConfig config;
  config.host = "127.0.0.1";
  config.port = proxy.port();
  if (with_credentials) {
    config.user = "user";
    config.password = "s3cret";
  }
  return config;
}

TEST_F(HttpsFetcherTest, TunnelThroughProxyVerifiesTheOrigin) {
  auto server = good_server();
  TestProxy proxy(TestProxy::Mode::kTunnel);
  auto r = request(server->url("/list"));
  r.proxy = proxy_at(proxy, true);
  const auto result = run_fetch(r);
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result->body, kList);

  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "localhost:" + std::to_string(server->port()));
  EXPECT_EQ(seen[0].proxy_authorization, "Basic dXNlcjpzM2NyZXQ=");  // user:s3cret
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].sni, "localhost");  // the origin's name, not the proxy's
  EXPECT_FALSE(requests[0].header("Proxy-Authorization")) << "proxy credentials reached the origin";
}

TEST_F(HttpsFetcherTest, TunnelThroughProxyStillRefusesABadCertificate) {
  TestServer server(tls(pki().wrong_host()));
  TestProxy proxy(TestProxy::Mode::kTunnel);
  auto r = request(server.url("/list"));
  r.proxy = proxy_at(proxy, false);
  EXPECT_TRUE(FailedWith(run_fetch(r), FetchErrorKind::kTls));
  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].proxy_authorization);  // none configured, none sent
}

TEST_F(HttpsFetcherTest, ProxyAuthenticationRequired) {
  auto server = good_server();
  TestProxy proxy(TestProxy::Mode::kAuthRequired);
  auto r = request(server->url("/list"));
  r.proxy = proxy_at(proxy, true);
  const auto result = run_fetch(r);
  ASSERT_TRUE(FailedWith(result, FetchErrorKind::kProxy));
  EXPECT_EQ(result.error().http_status, 407);
  EXPECT_THAT(result.error().message, ::testing::Not(::testing::HasSubstr("s3cret")));
  EXPECT_THAT(result.error().message, ::testing::Not(::testing::HasSubstr("dXNlcjpzM2NyZXQ")));
  EXPECT_EQ(server->connections(), 0);
}

TEST_F(HttpsFetcherTest, ProxyBadGateway) {
  auto server = good_server();
  TestProxy proxy(TestProxy::Mode::kBadGateway);
  auto r = request(server->url("/list"));
  r.proxy = proxy_at(proxy, false);
  const auto result = run_fetch(r);
  ASSERT_TRUE(FailedWith(result, FetchErrorKind::kProxy));
  EXPECT_EQ(result.error().http_status, 502);
  EXPECT_EQ(server->connections(), 0);
}

}  // namespace
}  // namespace allowdrift::net
