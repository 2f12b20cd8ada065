// SHA-256 through OpenSSL's EVP interface, as lowercase hex.
#pragma once

#include <string>
#include <string_view>

namespace allowdrift::store {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  std::string hex_digest();  // finishes; the object is then spent

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so callers need no OpenSSL headers
};

std::string sha256_hex(std::string_view bytes);

}  // namespace allowdrift::store
