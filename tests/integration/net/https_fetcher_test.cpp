// The HTTPS fetcher against real sockets on loopback (issue 3, "Tests"; research/reliability.md §5 rows N2-N25):
// a TLS server with certificates generated at run time, scripted per-path faults, and a CONNECT proxy. Every
// failure case asserts the exact FetchErrorKind. Here: TLS fails closed and says why, CA files, TLS versions, SNI;
// the bounds are in https_fetcher_limits_test.cpp, the HTTP behaviour and the proxy in https_fetcher_http_test.cpp.
#include "https_fetcher_fixture.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace allowdrift::net {
namespace {

using namespace fetcher_test;

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

}  // namespace
}  // namespace allowdrift::net
