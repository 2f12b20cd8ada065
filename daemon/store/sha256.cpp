#include "store/sha256.h"

// SHA256_Init/Update/Final, not EVP: OpenSSL 3 deprecates them for EVP_DigestInit_ex, but the first EVP call sets up
// the library context and its default provider (every algorithm's name and method tables), which left about 2 MB
// of libcrypto resident in a daemon that otherwise never touches it: its TLS runs in the fetch worker
// (net/worker_fetcher.h). The direct functions run the same SHA-256 code (sha256_block_data_order) and nothing else.
// They are kept in OpenSSL 3.x as deprecated, not removed; tests/unit/store/sha256_test.cpp checks the NIST vectors.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace allowdrift::store {

struct Sha256::State {
  SHA256_CTX ctx;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  if (SHA256_Init(&state_->ctx) != 1) throw std::runtime_error("OpenSSL: cannot initialize SHA-256");
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  if (SHA256_Update(&state_->ctx, bytes.data(), bytes.size()) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  if (SHA256_Final(md.data(), &state_->ctx) != 1) throw std::runtime_error("OpenSSL: SHA-256 final failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(md.size() * 2);
  for (const unsigned char b : md) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_digest();
}

}  // namespace allowdrift::store
