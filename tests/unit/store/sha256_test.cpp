// store::Sha256 (OpenSSL's direct SHA256_* functions) against the FIPS 180-2 examples, whole and fed in pieces.
#include "store/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using allowdrift::store::Sha256;
using allowdrift::store::sha256_hex;

TEST(Sha256, MatchesTheFipsExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecesGiveTheSameDigestAsTheWhole) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>(i * 7 % 256);
  const auto whole = sha256_hex(text);
  for (const std::size_t step : {1u, 3u, 63u, 64u, 65u, 1000u}) {
    Sha256 h;
    for (std::size_t at = 0; at < text.size(); at += step) h.update(std::string_view(text).substr(at, step));
    EXPECT_EQ(h.hex_digest(), whole) << "pieces of " << step;
  }
}

}  // namespace
