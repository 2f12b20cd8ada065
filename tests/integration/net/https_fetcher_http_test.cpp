// The HTTPS fetcher's HTTP behaviour: redirects (chains, loops, limits, no downgrade), conditional GET, retries
// ("waited at least" for Retry-After), and tunnelling through a CONNECT proxy.
#include "https_fetcher_fixture.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace allowdrift::net {
namespace {

using namespace fetcher_test;

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
