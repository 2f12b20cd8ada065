// SHA-256 through OpenSSL's direct SHA256_* functions, as lowercase hex.
#pragma once

#include <memory>
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
  struct State;  // OpenSSL's SHA256_CTX, kept out of the header so callers need no OpenSSL headers
  std::unique_ptr<State> state_;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace allowdrift::store
