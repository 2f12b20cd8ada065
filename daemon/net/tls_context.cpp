#include "net/tls_context.h"

#include "net/tls_session_cache.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace allowdrift::net {
namespace {

namespace ssl = boost::asio::ssl;

FetchError config_error(std::string message) { return FetchError{FetchErrorKind::kConfig, std::move(message), 0, {}}; }

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "error " + std::to_string(code);
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

// Adds every certificate of a PEM file to `store` (none: only counts them); returns how many.
boost::system::result<int, FetchError> load_ca_file(X509_STORE* store, const std::string& path) {
  ERR_clear_error();
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return config_error("cannot read ca_file " + path + ": " + openssl_reason());
  int count = 0;
  while (true) {
    std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    if (store != nullptr && X509_STORE_add_cert(store, cert.get()) != 1) {
      return config_error("cannot add a certificate of ca_file " + path + ": " + openssl_reason());
    }
    ++count;
  }
  // The loop ends on PEM_R_NO_START_LINE at the end of the file; anything else is a broken certificate.
  const unsigned long last = ERR_peek_last_error();
  if (last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)) {
    return config_error("ca_file " + path + " holds a certificate that does not parse: " + openssl_reason());
  }
  ERR_clear_error();
  if (count == 0) return config_error("ca_file " + path + " holds no PEM certificate");
  return count;
}

// How many certificates OpenSSL's file lookup would take from `path` (X509_load_cert_crl_file reads PEM, with
// "TRUSTED CERTIFICATE" blocks too, and CRLs, which are not trust anchors). 0 when unreadable or not PEM.
int certificates_in_file(const std::string& path) {
  ERR_clear_error();
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    return 0;
  }
  STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  if (infos == nullptr) return 0;
  int count = 0;
  for (int i = 0; i < sk_X509_INFO_num(infos); ++i) {
    if (sk_X509_INFO_value(infos, i)->x509 != nullptr) ++count;
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  return count;
}

// True when OpenSSL's directory lookup could find a certificate in `dir`: it opens only "HASH.N", HASH being the
// subject name hash in 8 lowercase hex digits (what c_rehash / openssl rehash create), so one such file must hold
// a PEM certificate whose subject hashes to its name.
bool dir_has_a_certificate(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return false;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return false;
    const std::string name = it->path().filename().string();
    const auto dot = name.find('.');
    if (dot != 8 || name.size() == 9 ||
        !std::all_of(name.begin(), name.begin() + 8,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }) ||
        !std::all_of(name.begin() + 9, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    ERR_clear_error();
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(it->path().c_str(), "r"));
    if (!bio) continue;
    std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!cert) continue;
    char hash[16];
    std::snprintf(hash, sizeof hash, "%08lx",
                  X509_NAME_hash_ex(X509_get_subject_name(cert.get()), nullptr, nullptr, nullptr));
    if (name.compare(0, 8, hash) == 0) return true;
  }
  return false;
}

// True when a directory of the colon-separated list has a certificate OpenSSL would find.
bool dirs_have_a_certificate(const std::string& dirs) {
  std::size_t pos = 0;
  while (pos <= dirs.size()) {
    const std::size_t end = dirs.find(':', pos);
    const std::string dir = dirs.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!dir.empty() && dir_has_a_certificate(dir)) return true;
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return false;
}

// set_default_verify_paths() reports success even when it loaded nothing, so check first that it will load at
// least one certificate, with OpenSSL's meaning of the variables: SSL_CERT_FILE replaces the default CA file and
// SSL_CERT_DIR the default directories (colon-separated). A variable that is set must deliver: a broken
// SSL_CERT_FILE is a mistake to report, not something to paper over with the default directory.
std::optional<FetchError> check_system_store() {
  const char* const file_env = X509_get_default_cert_file_env();  // "SSL_CERT_FILE"
  const char* const dir_env = X509_get_default_cert_dir_env();    // "SSL_CERT_DIR"
  const char* env_file = std::getenv(file_env);
  const char* env_dir = std::getenv(dir_env);
  if (env_file != nullptr) {
    if (certificates_in_file(env_file) > 0) return std::nullopt;
    return config_error(std::string("no usable system trust store: ") + file_env + "=" + env_file +
                        " holds no certificate OpenSSL can load (unreadable, empty or not PEM)");
  }
  if (env_dir != nullptr) {
    if (dirs_have_a_certificate(env_dir)) return std::nullopt;
    return config_error(std::string("no usable system trust store: ") + dir_env + "=" + env_dir +
                        " has no certificate OpenSSL can find (it needs HASH.0 names: run openssl rehash on it)");
  }
  const std::string file = X509_get_default_cert_file();
  const std::string dirs = X509_get_default_cert_dir();
  if (certificates_in_file(file) > 0 || dirs_have_a_certificate(dirs)) return std::nullopt;
  return config_error("no usable system trust store: no certificate loads from CA file " + file + " or CA directory " +
                      dirs + " (install ca-certificates, set " + file_env + " or " + dir_env +
                      ", or configure a ca_file)");
}

}  // namespace

boost::system::result<std::shared_ptr<ssl::context>, FetchError> make_tls_client_context(
    const std::optional<std::string>& ca_file) {
  try {
    // tls_client, not tlsv12_client: the latter also caps the version at 1.2 (asio context.ipp).
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
      return config_error("cannot require TLS 1.2: " + openssl_reason());
    }
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx->set_verify_mode(ssl::verify_peer);
    enable_session_resumption(native);
    if (ca_file) {
      if (auto loaded = load_ca_file(SSL_CTX_get_cert_store(native), *ca_file); !loaded) return loaded.error();
    } else {
      if (auto unusable = check_system_store()) return *unusable;
      boost::system::error_code ec;
      ctx->set_default_verify_paths(ec);
      if (ec) return config_error("cannot load the system trust store: " + ec.message());
    }
    return ctx;
  } catch (const std::exception& e) {
    return config_error(std::string("cannot set up TLS: ") + e.what());
  }
}

std::optional<std::string> check_ca_file(const std::string& ca_file, bool parse) {
  if (parse) {
    if (auto loaded = load_ca_file(nullptr, ca_file); !loaded) return loaded.error().message;
    return std::nullopt;
  }
  std::ifstream in(ca_file, std::ios::binary);
  if (!in) return "cannot read ca_file " + ca_file + ": " + std::strerror(errno);
  std::string text;
  text.resize(1u << 20);  // a trust store of a few hundred certificates; the block is near the start anyway
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return "cannot read ca_file " + ca_file;
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos &&
      text.find("-----BEGIN TRUSTED CERTIFICATE-----") == std::string::npos)
    return "ca_file " + ca_file + " holds no PEM certificate";
  return std::nullopt;
}

}  // namespace allowdrift::net
