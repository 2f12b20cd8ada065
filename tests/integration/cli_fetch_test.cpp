// `allowdrift fetch` through the real binary against the loopback TLS server and CONNECT proxy of the net tests
// (a CA generated at run time): the printed summary, --body, the exit statuses of cli/exit_code.h, and the proxy
// taken from https_proxy / no_proxy when --use-env-proxy asks for it (decided per URL, redirects included).
#include "net/test_pki.h"
#include "net/test_server.h"
#include "process_runner.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using allowdrift::net::testing::RecordedRequest;
using allowdrift::net::testing::Script;
using allowdrift::net::testing::Step;
using allowdrift::net::testing::TempPki;
using allowdrift::net::testing::TestPki;
using allowdrift::net::testing::TestProxy;
using allowdrift::net::testing::TestServer;
using allowdrift::net::testing::TlsOptions;
using allowdrift::testing::EnvChanges;
using allowdrift::testing::ProcessResult;
using ::testing::HasSubstr;
using ::testing::Not;

// cli/exit_code.h
constexpr int kExitOk = 0;
constexpr int kExitBadInput = 2;
constexpr int kExitFetchFailed = 5;
constexpr int kExitTlsFailed = 6;

constexpr std::string_view kList = "192.0.2.0/24\n198.51.100.0/24\n2001:db8::/32\n";
constexpr const char* kEtag = "\"v1\"";
constexpr const char* kDate = "Wed, 21 Oct 2015 07:28:00 GMT";

// No proxy variables from whoever runs the tests, unless a test sets them.
EnvChanges without_proxy_env() {
  return {{"https_proxy", std::nullopt},
          {"HTTPS_PROXY", std::nullopt},
          {"no_proxy", std::nullopt},
          {"NO_PROXY", std::nullopt}};
}

class CliFetch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TempPki("cli-fetch-pki"); }
  static void TearDownTestSuite() { delete pki_; }
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-cli-fetch-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    server_ = std::make_unique<TestServer>(tls(pki().good()));
    server_->route("/list", [](const RecordedRequest& req, int) {
      const allowdrift::net::testing::Headers validators{{"ETag", kEtag}, {"Last-Modified", kDate}};
      if (req.header("If-None-Match") == kEtag || req.header("If-Modified-Since") == kDate) {
        return allowdrift::net::testing::respond(304, validators);
      }
      auto headers = validators;
      headers.emplace_back("Content-Type", "text/plain");
      return allowdrift::net::testing::respond(200, headers, kList);
    });
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static const TestPki& pki() { return *pki_; }
  static TlsOptions tls(const allowdrift::net::testing::CertFiles& files) {
    return TlsOptions{files.cert, files.key, 0, 0, false, false};
  }
  std::string ca() const { return pki().ca_file().string(); }

  ProcessResult fetch(std::vector<std::string> args, EnvChanges env = without_proxy_env()) {
    args.insert(args.begin(), {ALLOWDRIFT_BINARY, "fetch"});
    return allowdrift::testing::run_process(std::move(args), dir_, "", env);
  }

  fs::path dir_;
  std::unique_ptr<TestServer> server_;

 private:
  static inline TempPki* pki_ = nullptr;
};

// --- the summary and --body ---

TEST_F(CliFetch, PrintsStatusFinalUrlValidatorsAndBodySize) {
  server_->route("/old", allowdrift::net::testing::redirect(301, server_->url("/list")));
  const auto r = fetch({"--ca-file", ca(), server_->url("/old")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("status: 200\n"));
  EXPECT_THAT(r.out, HasSubstr("final_url: " + server_->url("/list") + "\n"));
  EXPECT_THAT(r.out, HasSubstr("etag: " + std::string(kEtag) + "\n"));
  EXPECT_THAT(r.out, HasSubstr("last_modified: " + std::string(kDate) + "\n"));
  EXPECT_THAT(r.out, HasSubstr("content_type: text/plain\n"));
  EXPECT_THAT(r.out, HasSubstr("body_bytes: " + std::to_string(kList.size()) + "\n"));
  EXPECT_THAT(r.out, HasSubstr("redirects: 1\n"));
  EXPECT_THAT(r.out, HasSubstr("attempts: 1\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("not modified")));
  EXPECT_THAT(r.out, Not(HasSubstr("192.0.2.0/24")));  // no body without --body
}

TEST_F(CliFetch, BodyGoesToStdoutAndTheSummaryToStderr) {
  const auto r = fetch({"--ca-file", ca(), "--body", server_->url("/list")});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, kList);
  EXPECT_THAT(r.err, HasSubstr("status: 200\n"));
  EXPECT_THAT(r.err, HasSubstr("body_bytes: " + std::to_string(kList.size()) + "\n"));
}

TEST_F(CliFetch, NotModifiedWithAValidatorExitsZero) {
  for (const std::vector<std::string>& validator :
       {std::vector<std::string>{"--etag", kEtag}, std::vector<std::string>{"--last-modified", kDate}}) {
    auto args = validator;
    args.insert(args.end(), {"--ca-file", ca(), server_->url("/list")});
    const auto r = fetch(args);
    ASSERT_EQ(r.status, kExitOk) << validator[0] << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr("not modified\n")) << validator[0];
    EXPECT_THAT(r.out, HasSubstr("status: 304\n")) << validator[0];
    EXPECT_THAT(r.out, HasSubstr("body_bytes: 0\n")) << validator[0];
  }
  const auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("If-None-Match"), kEtag);
  EXPECT_EQ(requests[1].header("If-Modified-Since"), kDate);
}

// --- exit statuses ---

TEST_F(CliFetch, BadUsageOrConfigurationExitsTwo) {
  const fs::path garbage = dir_ / "garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  const std::string url = server_->url("/list");
  const std::vector<std::vector<std::string>> cases = {
      {},                                                                            // no URL
      {"--ca-file", ca(), "--no-such-option", url},                                  // unknown option
      {"--ca-file", ca(), "--timeout", "0", url},                                    // out of range
      {"--ca-file", ca(), "--proxy", "http://127.0.0.1:1", "--use-env-proxy", url},  // exclusive
      {"--ca-file", ca(), "--proxy", "socks5://127.0.0.1:1080", url},                // not an HTTP proxy
      {"--ca-file", ca(), "http://localhost/list"},                                  // not https
      {"--ca-file", (dir_ / "missing.pem").string(), url},                           // unusable CA file
      {"--ca-file", garbage.string(), url},
  };
  for (const auto& args : cases) {
    const auto r = fetch(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.status, kExitBadInput) << shown << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << shown;
  }
  const auto missing_ca = fetch({"--ca-file", (dir_ / "missing.pem").string(), url});
  EXPECT_THAT(missing_ca.err, HasSubstr("error: config: "));
  EXPECT_THAT(missing_ca.err, HasSubstr("missing.pem"));
  EXPECT_EQ(server_->connections(), 0);  // none of them got as far as connecting
}

TEST_F(CliFetch, TimeoutExitsFive) {
  server_->route("/hang", Script{Step{Step::Kind::kHang, {}, {}}});
  const auto r = fetch({"--ca-file", ca(), "--timeout", "1", "--attempts", "1", server_->url("/hang")});
  EXPECT_EQ(r.status, kExitFetchFailed) << r.err;
  EXPECT_THAT(r.err, HasSubstr("error: timeout: "));
  EXPECT_THAT(r.out, Not(HasSubstr("status:")));
}

TEST_F(CliFetch, OtherFetchFailuresExitFive) {
  const auto missing = fetch({"--ca-file", ca(), "--attempts", "1", server_->url("/missing")});
  EXPECT_EQ(missing.status, kExitFetchFailed) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("error: http_status: "));
  const auto refused = fetch({"--ca-file", ca(), "--attempts", "1",
                              "https://127.0.0.1:" + std::to_string(allowdrift::net::testing::unused_port()) + "/"});
  EXPECT_EQ(refused.status, kExitFetchFailed) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("error: connect: "));
}

TEST_F(CliFetch, TlsFailureExitsSix) {
  TestServer self_signed(tls(pki().self_signed()));
  const auto r = fetch({"--ca-file", ca(), self_signed.url("/list")});
  EXPECT_EQ(r.status, kExitTlsFailed) << r.err;
  EXPECT_THAT(r.err, HasSubstr("error: tls: "));
  EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("self-signed"), HasSubstr("self signed")));
  TestServer wrong_host(tls(pki().wrong_host()));
  const auto mismatch = fetch({"--ca-file", ca(), wrong_host.url("/list")});
  EXPECT_EQ(mismatch.status, kExitTlsFailed) << mismatch.err;
  EXPECT_THAT(mismatch.err, HasSubstr("hostname mismatch"));
}

// --- the system trust store, as OpenSSL reads it ---

TEST_F(CliFetch, SslCertFileIsTheSystemStore) {
  auto env = without_proxy_env();
  env.emplace_back("SSL_CERT_DIR", std::nullopt);
  env.emplace_back("SSL_CERT_FILE", ca());
  const auto trusted = fetch({server_->url("/list")}, env);
  EXPECT_EQ(trusted.status, kExitOk) << trusted.err;
  EXPECT_THAT(trusted.out, HasSubstr("status: 200\n"));

  const fs::path garbage = dir_ / "garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  env.back().second = garbage.string();
  const auto unusable = fetch({server_->url("/list")}, env);
  EXPECT_EQ(unusable.status, kExitBadInput) << unusable.err;
  EXPECT_THAT(unusable.err, HasSubstr("error: config: "));
  EXPECT_THAT(unusable.err, HasSubstr("SSL_CERT_FILE=" + garbage.string()));
}

// --- the proxy from https_proxy / no_proxy ---

EnvChanges proxy_env(const TestProxy& proxy, const std::optional<std::string>& no_proxy) {
  return {{"https_proxy", "http://127.0.0.1:" + std::to_string(proxy.port())},
          {"HTTPS_PROXY", std::nullopt},
          {"no_proxy", no_proxy},
          {"NO_PROXY", std::nullopt}};
}

TEST_F(CliFetch, UseEnvProxyTunnelsThroughHttpsProxy) {
  TestProxy proxy(TestProxy::Mode::kTunnel);
  const auto r = fetch({"--use-env-proxy", "--ca-file", ca(), server_->url("/list")}, proxy_env(proxy, std::nullopt));
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.err, HasSubstr("proxy: http://127.0.0.1:" + std::to_string(proxy.port())));
  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "localhost:" + std::to_string(server_->port()));
  const auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].sni, "localhost");  // verified against the origin, through the tunnel
}

TEST_F(CliFetch, HttpsProxyIsIgnoredWithoutUseEnvProxy) {
  TestProxy proxy(TestProxy::Mode::kTunnel);
  const auto r = fetch({"--ca-file", ca(), server_->url("/list")}, proxy_env(proxy, std::nullopt));
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_TRUE(proxy.seen().empty());
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(CliFetch, NoProxyMatchingTheHostGoesDirect) {
  TestProxy proxy(TestProxy::Mode::kBadGateway);  // would fail the fetch if it were used
  const auto r =
      fetch({"--use-env-proxy", "--ca-file", ca(), server_->url("/list")}, proxy_env(proxy, "example.com,localhost"));
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.err, HasSubstr("proxy: none"));
  EXPECT_TRUE(proxy.seen().empty());
  EXPECT_EQ(server_->hits("/list"), 1);
}

TEST_F(CliFetch, NoProxyIsDecidedForEachRedirectHop) {
  TestProxy proxy(TestProxy::Mode::kTunnel);
  const std::string port = std::to_string(server_->port());
  server_->route("/to-ip", allowdrift::net::testing::redirect(302, server_->url("/list", "127.0.0.1")));
  server_->route("/to-name", allowdrift::net::testing::redirect(302, server_->url("/list", "localhost")));

  // localhost through the proxy, then 127.0.0.1 (in no_proxy) directly.
  const auto out =
      fetch({"--use-env-proxy", "--ca-file", ca(), server_->url("/to-ip", "localhost")}, proxy_env(proxy, "127.0.0.1"));
  ASSERT_EQ(out.status, kExitOk) << out.err;
  EXPECT_THAT(out.out, HasSubstr("final_url: " + server_->url("/list", "127.0.0.1") + "\n"));
  auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "localhost:" + port);

  // localhost (in no_proxy) directly, then 127.0.0.1 through the proxy.
  const auto back = fetch({"--use-env-proxy", "--ca-file", ca(), server_->url("/to-name", "127.0.0.1")},
                          proxy_env(proxy, "localhost"));
  ASSERT_EQ(back.status, kExitOk) << back.err;
  EXPECT_THAT(back.out, HasSubstr("final_url: " + server_->url("/list", "localhost") + "\n"));
  seen = proxy.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].target, "127.0.0.1:" + port);
  EXPECT_EQ(server_->hits("/to-ip") + server_->hits("/to-name") + server_->hits("/list"), 4);
}

TEST_F(CliFetch, InvalidHttpsProxyIsAConfigError) {
  const auto r = fetch({"--use-env-proxy", "--ca-file", ca(), server_->url("/list")},
                       {{"https_proxy", "socks5://user:hunter2@127.0.0.1:1080"},
                        {"HTTPS_PROXY", std::nullopt},
                        {"no_proxy", std::nullopt},
                        {"NO_PROXY", std::nullopt}});
  EXPECT_EQ(r.status, kExitBadInput) << r.err;
  EXPECT_THAT(r.err, HasSubstr("https_proxy"));
  EXPECT_THAT(r.err, Not(HasSubstr("hunter2")));
  EXPECT_EQ(server_->connections(), 0);
}

}  // namespace
