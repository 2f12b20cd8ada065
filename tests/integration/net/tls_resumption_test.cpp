// TLS session resumption (net/tls_session_cache.h): one fetcher does one full handshake per host and trust store
// and resumes the later ones, and never offers a session where it was not earned. The server says whether each
// handshake resumed (SSL_session_reused on its side).
#include "https_fetcher_fixture.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

namespace allowdrift::net {
namespace {

using namespace fetcher_test;

// Whether each request the server saw came over a resumed session, in order.
std::vector<bool> resumed(const TestServer& server) {
  std::vector<bool> out;
  for (const auto& r : server.requests()) out.push_back(r.resumed);
  return out;
}

TlsOptions only(int version, const CertFiles& files) {
  TlsOptions options{files.cert, files.key, version, version, false, false};
  return options;
}

class TlsResumptionTest : public HttpsFetcherTest {};

TEST_F(TlsResumptionTest, LaterFetchesFromTheSameHostResumeTheSession) {
  for (const int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    SCOPED_TRACE(version == TLS1_3_VERSION ? "TLS 1.3 (tickets, each used once)" : "TLS 1.2 (session ids)");
    TestServer server(only(version, pki().good()));
    server.route("/list", testing::respond(200, {}, kList));
    HttpsFetcher fetcher(test_options());
    for (int i = 0; i < 3; ++i) {
      const auto result = run_fetch(request(server.url("/list")), &fetcher);
      ASSERT_TRUE(Succeeded(result));
      EXPECT_EQ(result->body, kList);
    }
    EXPECT_EQ(resumed(server), (std::vector<bool>{false, true, true}));
  }
}

TEST_F(TlsResumptionTest, ASessionIsOfferedOnlyToTheHostItWasIssuedFor) {
  auto server = good_server();  // its certificate names localhost and 127.0.0.1
  HttpsFetcher fetcher(test_options());
  ASSERT_TRUE(Succeeded(run_fetch(request(server->url("/list", "localhost")), &fetcher)));
  ASSERT_TRUE(Succeeded(run_fetch(request(server->url("/list", "127.0.0.1")), &fetcher)));  // another name
  ASSERT_TRUE(Succeeded(run_fetch(request(server->url("/list", "localhost")), &fetcher)));
  EXPECT_EQ(resumed(*server), (std::vector<bool>{false, false, true}));
}

// A session verified under one trust store is never resumed under another: each CA file has its own context and
// cache, so the first fetch with the second file is a full handshake that verifies the certificate again.
TEST_F(TlsResumptionTest, SessionsAreNotSharedBetweenTrustStores) {
  auto server = good_server();
  HttpsFetcher fetcher(test_options());
  const auto copy = fs::temp_directory_path() / ("allowdrift-ca-copy-" + std::to_string(::getpid()) + ".pem");
  fs::copy_file(pki().ca_file(), copy, fs::copy_options::overwrite_existing);
  auto other = request(server->url("/list"));
  other.ca_file = copy.string();
  ASSERT_TRUE(Succeeded(run_fetch(request(server->url("/list")), &fetcher)));
  ASSERT_TRUE(Succeeded(run_fetch(other, &fetcher)));
  ASSERT_TRUE(Succeeded(run_fetch(other, &fetcher)));
  fs::remove(copy);
  EXPECT_EQ(resumed(*server), (std::vector<bool>{false, false, true}));
}

TEST_F(TlsResumptionTest, AServerThatResumesNothingStillServesEveryFetch) {
  auto options = tls(pki().good());
  options.no_resumption = true;
  TestServer server(options);
  server.route("/list", testing::respond(200, {}, kList));
  HttpsFetcher fetcher(test_options());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Succeeded(run_fetch(request(server.url("/list")), &fetcher)));
  EXPECT_EQ(resumed(server), (std::vector<bool>{false, false, false}));
}

}  // namespace
}  // namespace allowdrift::net
