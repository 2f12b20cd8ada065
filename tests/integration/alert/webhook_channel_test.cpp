// The webhook channel against the loopback TLS test server (tests/integration/net/): what arrives (method, content
// type, the JSON event with its Slack/Teams "text"), and that the secret URL appears in no message.
#include "alert/webhook_channel.h"
#include "../net/test_pki.h"
#include "../net/test_server.h"
#include "net/https_fetcher.h"

#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>

namespace allowdrift::alert {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using net::testing::Script;
using net::testing::Step;
using net::testing::TempPki;
using net::testing::TestServer;
using net::testing::TlsOptions;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSecretPath = "/services/T0000/B0000/s3cr3tT0k3n";

class WebhookChannelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TempPki("webhook-test"); }
  static void TearDownTestSuite() { delete pki_; }

  static std::unique_ptr<TestServer> server() {
    return std::make_unique<TestServer>(TlsOptions{pki_->good().cert, pki_->good().key, 0, 0, false, false});
  }

  // The server listens on 127.0.0.1; the URL says localhost, as a real one names its host.
  static WebhookChannel channel(const std::string& url, bool trust_test_ca = true, int attempts = 3,
                                std::chrono::milliseconds timeout = 5s) {
    WebhookOptions options;
    options.url = url;
    if (trust_test_ca) options.ca_file = pki_->ca_file().string();
    options.timeout = timeout;
    options.max_attempts = attempts;
    options.render.host = "mx1.example.org";
    net::HttpsFetcherOptions fetcher_options;
    fetcher_options.resolve_overrides["localhost"] = "127.0.0.1";
    fetcher_options.jitter_seed = 1;
    return WebhookChannel(std::move(options), std::make_unique<net::HttpsFetcher>(fetcher_options));
  }

  static AlertEvent drift() {
    AlertEvent e;
    e.kind = EventKind::kDriftNew;
    e.severity = Severity::kCritical;
    e.check = "sdp-mail";
    e.target = "mail-allow";
    e.summary = "1 published prefix missing from mail-allow";
    e.fields = {{"missing", "1"}, {"stale", "0"}};
    e.sample = {{"missing", "203.0.113.0/24"}};
    e.at_ms = 1730181600000;
    return e;
  }

 private:
  static inline TempPki* pki_ = nullptr;
};

TEST_F(WebhookChannelTest, PostsTheJsonEvent) {
  auto s = server();
  s->route(std::string(kSecretPath), net::testing::respond(200, {{"Content-Type", "text/plain"}}, "ok"));
  auto c = channel(s->url(kSecretPath));
  EXPECT_EQ(c.describe(), "webhook https://localhost:" + std::to_string(s->port()));
  ASSERT_EQ(c.deliver(drift()), std::nullopt);

  const auto requests = s->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, kSecretPath);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json");
  const json::value body = json::parse(r.body);
  EXPECT_EQ(body.at("version").as_int64(), 1);
  EXPECT_EQ(body.at("event").as_string(), "drift");
  EXPECT_EQ(body.at("severity").as_string(), "crit");
  EXPECT_EQ(body.at("check").as_string(), "sdp-mail");
  EXPECT_EQ(body.at("target").as_string(), "mail-allow");
  EXPECT_TRUE(body.at("source").is_null());
  EXPECT_EQ(body.at("host").as_string(), "mx1.example.org");
  EXPECT_EQ(body.at("at").as_string(), "2024-10-29T06:00:00.000Z");
  EXPECT_EQ(body.at("fields").at("missing").as_int64(), 1);
  EXPECT_EQ(body.at("sample").at("missing").at(0).as_string(), "203.0.113.0/24");
  // What Slack and Teams connectors display.
  EXPECT_EQ(body.at("text").as_string(),
            "allowdrift [crit] drift: 1 published prefix missing from mail-allow\n"
            "check=sdp-mail target=mail-allow host=mx1.example.org missing=1 stale=0\n"
            "missing: `203.0.113.0/24`");
}

TEST_F(WebhookChannelTest, AcceptsNoContent) {
  auto s = server();
  s->route("/hook", net::testing::respond(204));
  auto c = channel(s->url("/hook"));
  EXPECT_EQ(c.deliver(drift()), std::nullopt);
}

TEST_F(WebhookChannelTest, FailuresNeverQuoteTheSecretUrl) {
  auto s = server();
  s->route(std::string(kSecretPath), net::testing::respond(404, {}, "no_service"));
  auto c = channel(s->url(kSecretPath));
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->find("s3cr3t"), std::string::npos) << *failure;
  EXPECT_NE(failure->find("404"), std::string::npos) << *failure;
  EXPECT_NE(failure->find("http_status"), std::string::npos) << *failure;
  EXPECT_EQ(s->hits(std::string(kSecretPath)), 1);  // a 4xx is final

  // Not even when the URL itself is rejected.
  auto bad = channel("https://user:s3cr3t@localhost/hook");
  EXPECT_EQ(bad.describe(), "webhook (invalid URL)");
  const auto rejected = bad.deliver(drift());
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->find("s3cr3t"), std::string::npos) << *rejected;
}

TEST_F(WebhookChannelTest, ServerErrorIsNotDeliveredAndNotResent) {
  auto s = server();
  s->route("/hook", net::testing::respond(500, {}, "oops"));
  auto c = channel(s->url("/hook"));
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("500"), std::string::npos) << *failure;
  EXPECT_EQ(s->hits("/hook"), 1);
}

TEST_F(WebhookChannelTest, BusyServerIsRetried) {
  auto s = server();
  s->route("/hook", [](const net::testing::RecordedRequest&, int hit) {
    return hit == 1 ? net::testing::respond(503) : net::testing::respond(200, {}, "ok");
  });
  auto c = channel(s->url("/hook"));
  EXPECT_EQ(c.deliver(drift()), std::nullopt);
  EXPECT_EQ(s->hits("/hook"), 2);
}

TEST_F(WebhookChannelTest, SilentServerTimesOutWithinTheDeadline) {
  auto s = server();
  s->route("/hook", Script{Step{Step::Kind::kHang, {}, {}}});
  auto c = channel(s->url("/hook"), true, 3, 600ms);
  const auto started = Clock::now();
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("timeout"), std::string::npos) << *failure;
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_EQ(s->hits("/hook"), 1);  // sent once: a timeout after sending is not resent
}

TEST_F(WebhookChannelTest, UntrustedCertificateIsRefused) {
  auto s = server();
  s->route("/hook", net::testing::respond(200, {}, "ok"));
  auto c = channel(s->url("/hook"), /*trust_test_ca=*/false);
  const auto failure = c.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("tls"), std::string::npos) << *failure;
  EXPECT_EQ(s->hits("/hook"), 0);
}

TEST(WebhookRedaction, UrlsAreCutToTheirOrigin) {
  EXPECT_EQ(redact_urls("HTTP 404 Not Found from https://hooks.slack.com/services/T0/B0/xyz"),
            "HTTP 404 Not Found from https://hooks.slack.com/...");
  EXPECT_EQ(redact_urls("not a URL: https://u:p@host.example:8443?k=v and http://x.example"),
            "not a URL: https://host.example:8443/... and http://x.example");
  EXPECT_EQ(redact_urls("at \"HTTPS://A.example/p\"."), "at \"HTTPS://A.example/...\".");
  EXPECT_EQ(redact_urls("no url here"), "no url here");
  EXPECT_EQ(url_origin("https://outlook.office.com/webhook/abc"), "https://outlook.office.com");
  EXPECT_EQ(url_origin("https://[2001:db8::1]:8443/x"), "https://[2001:db8::1]:8443");
  EXPECT_EQ(url_origin("http://insecure.example/x"), "(invalid URL)");
}

}  // namespace
}  // namespace allowdrift::alert
