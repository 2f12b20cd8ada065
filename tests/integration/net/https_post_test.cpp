// POST through the HTTPS fetcher (what the webhook alert channel sends), against the loopback TLS server: method,
// body and content type on the wire, any 2xx accepted, and the resend rules of a request that is not idempotent
// (RetryPolicy::may_resend): refused-before-processing (429, 503, connect) is retried, anything ambiguous is not,
// and a redirect is never followed.
#include "fetch_to_completion.h"
#include "net/https_fetcher.h"
#include "test_pki.h"
#include "test_server.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <exception>
#include <memory>

namespace allowdrift::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Script;
using testing::Step;
using testing::TempPki;
using testing::TestServer;
using testing::TlsOptions;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kJson = R"({"event":"drift","text":"allowdrift [crit] drift"})";

FetchResult run_fetch(FetchRequest request) {
  HttpsFetcherOptions options;
  options.resolve_overrides["localhost"] = "127.0.0.1";
  options.jitter_seed = 1;
  HttpsFetcher fetcher(options);
  return testing::fetch_to_completion(fetcher, std::move(request));
}

class HttpsPostTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TempPki("post-test"); }
  static void TearDownTestSuite() { delete pki_; }

  static std::unique_ptr<TestServer> server() {
    return std::make_unique<TestServer>(TlsOptions{pki_->good().cert, pki_->good().key, 0, 0, false, false});
  }

  // Three attempts allowed, so that "not retried" is the policy's doing.
  static FetchRequest post(std::string url) {
    FetchRequest r;
    r.url = std::move(url);
    r.method = HttpMethod::kPost;
    r.body = std::string(kJson);
    r.content_type = "application/json";
    r.ca_file = pki_->ca_file().string();
    r.connect_timeout = 2s;
    r.deadline = 5s;
    r.retry.max_attempts = 3;
    r.retry.initial_backoff = 20ms;
    r.retry.max_backoff = 50ms;
    r.retry.max_retry_after = 5s;
    return r;
  }

 private:
  static inline TempPki* pki_ = nullptr;
};

TEST_F(HttpsPostTest, SendsMethodBodyAndContentType) {
  auto s = server();
  s->route("/hook", testing::respond(200, {{"Content-Type", "text/plain"}}, "ok"));
  FetchRequest r = post(s->url("/hook?token=x"));
  r.validators.etag = "\"abc\"";  // never sent with a POST
  const auto result = run_fetch(r);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "ok");
  const auto requests = s->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/hook?token=x");
  EXPECT_EQ(requests[0].header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(requests[0].header("Content-Length").value_or(""), std::to_string(kJson.size()));
  EXPECT_EQ(requests[0].body, kJson);
  EXPECT_FALSE(requests[0].header("If-None-Match"));
}

TEST_F(HttpsPostTest, AnySuccessStatusIsSuccess) {
  auto s = server();
  s->route("/accepted", testing::respond(202, {}, "1"));
  s->route("/empty", testing::respond(204));
  const auto accepted = run_fetch(post(s->url("/accepted")));
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, 202);
  const auto empty = run_fetch(post(s->url("/empty")));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->status, 204);
  EXPECT_EQ(empty->body, "");
}

TEST_F(HttpsPostTest, GetStillRefusesOtherSuccessStatuses) {
  auto s = server();
  s->route("/accepted", testing::respond(202, {}, "1"));
  FetchRequest r = post(s->url("/accepted"));
  r.method = HttpMethod::kGet;
  r.retry.max_attempts = 1;
  const auto result = run_fetch(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kHttpStatus);
  EXPECT_EQ(result.error().http_status, 202);
}

TEST_F(HttpsPostTest, ServerErrorAfterSendingIsNotRetried) {
  auto s = server();
  s->route("/hook", testing::respond(500, {}, "boom"));
  const auto result = run_fetch(post(s->url("/hook")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kHttpStatus);
  EXPECT_EQ(result.error().http_status, 500);
  EXPECT_EQ(s->hits("/hook"), 1);
}

TEST_F(HttpsPostTest, UnavailableAndTooManyRequestsAreRetried) {
  auto s = server();
  s->route("/busy", [](const testing::RecordedRequest&, int hit) {
    return hit == 1 ? testing::respond(503) : testing::respond(200, {}, "ok");
  });
  s->route("/limited", [](const testing::RecordedRequest&, int hit) {
    return hit == 1 ? testing::respond(429, {{"Retry-After", "1"}}) : testing::respond(200, {}, "ok");
  });
  const auto busy = run_fetch(post(s->url("/busy")));
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_EQ(busy->attempts, 2);
  EXPECT_EQ(s->hits("/busy"), 2);

  const auto start = Clock::now();
  const auto limited = run_fetch(post(s->url("/limited")));
  ASSERT_TRUE(limited) << limited.error().message;
  EXPECT_EQ(limited->attempts, 2);
  EXPECT_GE(Clock::now() - start, 900ms);  // waited for Retry-After
  for (const auto& request : s->requests()) EXPECT_EQ(request.body, kJson);
}

TEST_F(HttpsPostTest, TimeoutAfterSendingIsNotRetried) {
  auto s = server();
  s->route("/hang", Script{Step{Step::Kind::kHang, {}, {}}});
  FetchRequest r = post(s->url("/hang"));
  r.deadline = 700ms;
  const auto result = run_fetch(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kTimeout);
  EXPECT_EQ(s->hits("/hang"), 1);
}

TEST_F(HttpsPostTest, RefusedConnectionIsRetried) {
  FetchRequest r = post("https://localhost:" + std::to_string(testing::unused_port()) + "/hook");
  const auto result = run_fetch(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kConnect);
  EXPECT_NE(result.error().message.find("after 3 attempts"), std::string::npos) << result.error().message;
}

TEST_F(HttpsPostTest, RedirectIsNotFollowedAndLocationNotRepeated) {
  auto s = server();
  s->route("/hook", testing::redirect(307, "/secret-elsewhere"));
  s->route("/secret-elsewhere", testing::respond(200, {}, "ok"));
  const auto result = run_fetch(post(s->url("/hook")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kRedirect);
  EXPECT_EQ(result.error().message.find("secret-elsewhere"), std::string::npos) << result.error().message;
  EXPECT_EQ(s->hits("/secret-elsewhere"), 0);
  EXPECT_EQ(s->hits("/hook"), 1);
}

}  // namespace
}  // namespace allowdrift::net
