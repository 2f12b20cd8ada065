// The HTTPS fetcher's bounds: every wait bounded, size limits, no truncation accepted, compression. Timing is
// asserted only as "finished within deadline + margin", so a loaded machine does not make the suite flaky.
#include "https_fetcher_fixture.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

namespace allowdrift::net {
namespace {

using namespace fetcher_test;

Script write_then(std::string data, Step::Kind then) {
  return {Step{Step::Kind::kWrite, std::move(data), {}}, Step{then, {}, {}}};
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

}  // namespace
}  // namespace allowdrift::net
