#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdlib>
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

// Adds every certificate of a PEM file to the context's store; returns how many.
boost::system::result<int, FetchError> load_ca_file(SSL_CTX* ctx, const std::string& path) {
  ERR_clear_error();
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return config_error("cannot read ca_file " + path + ": " + openssl_reason());
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int count = 0;
  while (true) {
    std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
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

bool readable_nonempty_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return in && in.peek() != std::ifstream::traits_type::eof();
}

bool dir_has_entries(const std::string& path) {
  std::error_code ec;
  std::filesystem::directory_iterator it(path, ec);
  return !ec && it != std::filesystem::directory_iterator();
}

// What set_default_verify_paths will look at, and whether any of it is there.
std::optional<FetchError> check_system_store() {
  const char* env_file = std::getenv(X509_get_default_cert_file_env());
  const char* env_dir = std::getenv(X509_get_default_cert_dir_env());
  const std::string file = env_file != nullptr ? env_file : X509_get_default_cert_file();
  const std::string dirs = env_dir != nullptr ? env_dir : X509_get_default_cert_dir();
  if (readable_nonempty_file(file)) return std::nullopt;
  std::size_t pos = 0;
  while (pos <= dirs.size()) {
    const std::size_t end = dirs.find(':', pos);
    const std::string dir = dirs.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!dir.empty() && dir_has_entries(dir)) return std::nullopt;
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return config_error("no usable system trust store: CA file " + file + " is not readable and CA directory " + dirs +
                      " has no entries (install ca-certificates, set SSL_CERT_FILE, or configure a ca_file)");
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
    if (ca_file) {
      if (auto loaded = load_ca_file(native, *ca_file); !loaded) return loaded.error();
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

}  // namespace allowdrift::net
