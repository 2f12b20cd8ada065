// The system trust store, used when a fetch has no ca_file: SSL_CERT_FILE and SSL_CERT_DIR keep their OpenSSL
// meaning, and a store from which no certificate would load is a configuration error that names the file or
// directory, never a TLS context that silently trusts nothing (set_default_verify_paths "succeeds" regardless).
// The variables are set in this process and restored after each test; ctest runs every test in its own process.
#include "fetch_to_completion.h"
#include "net/https_fetcher.h"
#include "net/tls_context.h"
#include "scoped_env.h"
#include "test_pki.h"
#include "test_server.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace allowdrift::net {
namespace {

namespace fs = std::filesystem;
using testing::CertFiles;
using ::testing::HasSubstr;
using testing::TestPki;
using testing::TestServer;
using testing::TlsOptions;

// Unsets SSL_CERT_FILE and SSL_CERT_DIR for one test (which may then set them) and puts back what was there.
class CertEnv {
 public:
  static void file(const fs::path& path) { ::setenv("SSL_CERT_FILE", path.c_str(), 1); }
  static void dir(const fs::path& path) { ::setenv("SSL_CERT_DIR", path.c_str(), 1); }

 private:
  testing::ScopedEnv file_{"SSL_CERT_FILE", std::nullopt};
  testing::ScopedEnv dir_{"SSL_CERT_DIR", std::nullopt};
};

FetchResult run_fetch(FetchRequest request) {
  HttpsFetcher fetcher;
  return testing::fetch_to_completion(fetcher, std::move(request));
}

// The subject-name hash OpenSSL's directory lookup looks for, as `openssl rehash` names the file: "1a2b3c4d".
std::string subject_hash(const fs::path& cert_file) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(cert_file.c_str(), "r"), &std::fclose);
  if (!in) throw std::runtime_error("cannot open " + cert_file.string());
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) throw std::runtime_error("no certificate in " + cert_file.string());
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08lx",
                X509_NAME_hash_ex(X509_get_subject_name(cert.get()), nullptr, nullptr, nullptr));
  return hash;
}

class SystemTrustStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("allowdrift-trust-test-" + std::to_string(::getpid())));
    pki_ = new TestPki(*dir_ / "pki");
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  void SetUp() override {
    scratch_ = *dir_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(scratch_);
    server_ = std::make_unique<TestServer>(TlsOptions{pki().good().cert, pki().good().key, 0, 0, false, false});
    server_->route("/list", testing::respond(200, {{"Content-Type", "text/plain"}}, kList));
  }

  static const TestPki& pki() { return *pki_; }

  // No ca_file: the system store decides. The URL is the IP literal, so no name resolution is involved.
  FetchRequest request() const {
    FetchRequest r;
    r.url = server_->url("/list", "127.0.0.1");
    r.connect_timeout = std::chrono::seconds(2);
    r.deadline = std::chrono::seconds(5);
    r.retry.max_attempts = 1;
    return r;
  }

  static constexpr std::string_view kList = "192.0.2.0/24\n";
  CertEnv env_;
  fs::path scratch_;
  std::unique_ptr<TestServer> server_;

 private:
  static inline fs::path* dir_ = nullptr;
  static inline TestPki* pki_ = nullptr;
};

TEST_F(SystemTrustStore, GarbageSslCertFileIsAConfigErrorNamingIt) {
  const fs::path garbage = scratch_ / "garbage.pem";
  std::ofstream(garbage) << "this is not a certificate\n-----BEGIN NOTHING-----\n";
  CertEnv::file(garbage);
  const auto context = make_tls_client_context(std::nullopt);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().kind, FetchErrorKind::kConfig);
  EXPECT_THAT(context.error().message, HasSubstr("SSL_CERT_FILE=" + garbage.string()));

  const auto result = run_fetch(request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kConfig) << result.error().message;
  EXPECT_EQ(server_->connections(), 0);  // refused before any connection
}

TEST_F(SystemTrustStore, EmptyOrMissingSslCertFileIsAConfigError) {
  const fs::path empty = scratch_ / "empty.pem";
  std::ofstream{empty};
  for (const fs::path& file : {empty, scratch_ / "missing.pem"}) {
    CertEnv::file(file);
    const auto context = make_tls_client_context(std::nullopt);
    ASSERT_FALSE(context) << file;
    EXPECT_EQ(context.error().kind, FetchErrorKind::kConfig);
    EXPECT_THAT(context.error().message, HasSubstr(file.string()));
  }
}

TEST_F(SystemTrustStore, SslCertFileWithTheTestCaIsTrusted) {
  CertEnv::file(pki().ca_file());
  const auto result = run_fetch(request());
  ASSERT_TRUE(result) << to_string(result.error().kind) << ": " << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, kList);
}

// The file is what is trusted: a valid certificate that is not the server's CA makes verification fail.
TEST_F(SystemTrustStore, SslCertFileWithAnotherCertificateIsNotTrustedForTheServer) {
  const fs::path empty_dir = scratch_ / "no-certs";
  fs::create_directories(empty_dir);
  CertEnv::file(pki().self_signed().cert);
  CertEnv::dir(empty_dir);
  const auto result = run_fetch(request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kTls) << result.error().message;
}

TEST_F(SystemTrustStore, RehashedSslCertDirIsTrusted) {
  const fs::path dir = scratch_ / "certs";
  fs::create_directories(dir);
  fs::copy_file(pki().ca_file(), dir / (subject_hash(pki().ca_file()) + ".0"));
  CertEnv::dir(dir);
  const auto result = run_fetch(request());
  ASSERT_TRUE(result) << to_string(result.error().kind) << ": " << result.error().message;
  EXPECT_EQ(result->body, kList);
}

TEST_F(SystemTrustStore, EmptySslCertDirIsAConfigErrorNamingIt) {
  const fs::path dir = scratch_ / "empty-dir";
  fs::create_directories(dir);
  CertEnv::dir(dir);
  const auto context = make_tls_client_context(std::nullopt);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().kind, FetchErrorKind::kConfig);
  EXPECT_THAT(context.error().message, HasSubstr("SSL_CERT_DIR=" + dir.string()));
  const auto result = run_fetch(request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FetchErrorKind::kConfig) << result.error().message;
  EXPECT_EQ(server_->connections(), 0);
}

// OpenSSL's directory lookup opens only HASH.N names: a CA under any other name is not found, so such a directory
// is as unusable as an empty one (and the message says what to run).
TEST_F(SystemTrustStore, SslCertDirWithoutHashNamesIsAConfigError) {
  const fs::path dir = scratch_ / "not-rehashed";
  fs::create_directories(dir);
  fs::copy_file(pki().ca_file(), dir / "test-ca.pem");
  CertEnv::dir(dir);
  const auto context = make_tls_client_context(std::nullopt);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().kind, FetchErrorKind::kConfig);
  EXPECT_THAT(context.error().message, HasSubstr("rehash"));
}

}  // namespace
}  // namespace allowdrift::net
