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

 private:
  std::filesystem::path ca_file_;
  CertFiles good_, self_signed_, expired_, not_yet_valid_, wrong_host_, unknown_ca_;
};

}  // namespace allowdrift::net::testing
