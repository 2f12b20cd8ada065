// The HttpsFetcherTest fixture (a PKI made at run time, short deadlines) and the fetch helpers of its tests.
#pragma once

#include "fetch_to_completion.h"
#include "net/https_fetcher.h"
#include "test_pki.h"
#include "test_server.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::net::fetcher_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CertFiles;
using testing::Headers;
using testing::RecordedRequest;
using testing::Script;
using testing::Step;
using testing::TempPki;
using testing::TestPki;
using testing::TestProxy;
using testing::TestServer;
using testing::TlsOptions;
using Clock = std::chrono::steady_clock;

// Generous: the suite runs under ASan on a loaded 2-core machine.
inline constexpr auto kMargin = 4s;

inline HttpsFetcherOptions test_options() {
  HttpsFetcherOptions options;
  options.resolve_overrides["localhost"] = "127.0.0.1";  // the test servers listen on 127.0.0.1 only
  options.jitter_seed = 1;
  return options;
}

// With a fetcher of its own, or `shared` (whose per-CA-file contexts then carry over between calls).
inline FetchResult run_fetch(FetchRequest request, HttpsFetcher* shared = nullptr) {
  HttpsFetcher own(test_options());
  return testing::fetch_to_completion(shared != nullptr ? *shared : own, std::move(request));
}

inline ::testing::AssertionResult Succeeded(const FetchResult& result) {
  if (result.has_value()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "fetch failed: " << to_string(result.error().kind) << ": "
                                       << result.error().message;
}

inline ::testing::AssertionResult FailedWith(const FetchResult& result, FetchErrorKind kind) {
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

inline std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The error message names the reason: one of the alternatives appears (case-insensitive).
inline ::testing::AssertionResult MessageNames(const FetchResult& result,
                                               std::initializer_list<std::string_view> any_of) {
  if (result.has_value()) return ::testing::AssertionFailure() << "fetch succeeded";
  const std::string message = lower(result.error().message);
  for (std::string_view word : any_of) {
    if (message.find(word) != std::string::npos) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "message does not name the reason: " << result.error().message;
}

class HttpsFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TempPki("net-test"); }
  static void TearDownTestSuite() { delete pki_; }

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
  static inline TempPki* pki_ = nullptr;
};

}  // namespace allowdrift::net::fetcher_test
