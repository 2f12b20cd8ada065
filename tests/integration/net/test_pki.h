// A throw-away PKI generated at test run time with the OpenSSL 3 C API (research/reliability.md §6.2, done in
// process: P-256 keys, no openssl CLI, nothing committed): a test CA, a good leaf for localhost and 127.0.0.1, and
// one leaf per certificate failure the fetcher must name (self-signed, expired, not yet valid, wrong host, signed
// by a CA the client does not trust). Every file is PEM under the directory given to the constructor.
#pragma once

#include <filesystem>
#include <string>

namespace allowdrift::net::testing {

struct CertFiles {
  std::filesystem::path cert;  // leaf certificate (PEM)
  std::filesystem::path key;   // its private key (PEM, unencrypted)
};

class TestPki {
 public:
  // Generates everything into dir (created if missing). Throws std::runtime_error on any OpenSSL failure.
  explicit TestPki(const std::filesystem::path& dir);

  const std::filesystem::path& ca_file() const { return ca_file_; }  // the trusted test CA, for FetchRequest::ca_file

  const CertFiles& good() const { return good_; }                    // SAN DNS:localhost, IP:127.0.0.1
  const CertFiles& self_signed() const { return self_signed_; }      // SAN DNS:localhost, its own issuer
  const CertFiles& expired() const { return expired_; }              // valid 60 to 30 days ago
  const CertFiles& not_yet_valid() const { return not_yet_valid_; }  // valid from 30 days ahead
  const CertFiles& wrong_host() const { return wrong_host_; }        // SAN DNS:wrong.example only
  const CertFiles& unknown_ca() const { return unknown_ca_; }        // SAN DNS:localhost, issued by another CA
  // Name checks against SAN and CN (reliability.md §5 N8/N9, curl's certificate tests 311/312/3000/3001): a SAN
  // decides, the CN is never a fallback once a DNS SAN is present.
  const CertFiles& cn_right_san_wrong() const { return cn_right_san_wrong_; }  // CN localhost, SAN DNS:wrong.example
  const CertFiles& nul_in_san() const { return nul_in_san_; }  // CN localhost, SAN DNS:"localhost\0.evil" (15 bytes)
  const CertFiles& san_first_matches() const { return san_first_matches_; }  // CN other.example, SAN localhost first
  const CertFiles& san_last_matches() const { return san_last_matches_; }    // CN other.example, SAN localhost last

 private:
  std::filesystem::path ca_file_;
  CertFiles good_, self_signed_, expired_, not_yet_valid_, wrong_host_, unknown_ca_;
  CertFiles cn_right_san_wrong_, nul_in_san_, san_first_matches_, san_last_matches_;
};

// A TestPki in a temporary directory of its own (allowdrift-TAG-PID), removed with it: what a test suite makes once,
// in SetUpTestSuite, and deletes in TearDownTestSuite.
class TempPki : public TestPki {
 public:
  explicit TempPki(const std::string& tag);
  ~TempPki();
  TempPki(const TempPki&) = delete;
  TempPki& operator=(const TempPki&) = delete;

 private:
  std::filesystem::path dir_;
};

}  // namespace allowdrift::net::testing
