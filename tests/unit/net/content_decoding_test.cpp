#include "net/content_decoding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace allowdrift::net {
namespace {

// Compresses `plain` repeated `times` times with zlib: window_bits 16+15 gzip, 15 zlib, -15 raw deflate.
std::string compress(const std::string& plain, int window_bits, std::size_t times = 1) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  std::string chunk(64 * 1024, '\0');
  for (std::size_t i = 0; i < times; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    const int flush = i + 1 == times ? Z_FINISH : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(&z, flush);
      out.append(chunk.data(), chunk.size() - z.avail_out);
    } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  deflateEnd(&z);
  return out;
}

const std::string kList = "192.0.2.0/24\n198.51.100.0/24\n2001:db8::/32\n";

TEST(ContentDecoding, IdentityPassesThrough) {
  const auto r = decode_content("", kList, 1024);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, kList);
  EXPECT_TRUE(decode_content("identity", kList, 1024));
  const auto big = decode_content("", kList, 10);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, FetchErrorKind::kTooLarge);
}

TEST(ContentDecoding, Gzip) {
  const auto r = decode_content("gzip", compress(kList, 16 + MAX_WBITS), 1024);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, kList);
  EXPECT_TRUE(decode_content(" X-GZIP ", compress(kList, 16 + MAX_WBITS), 1024));
}

TEST(ContentDecoding, GzipConcatenatedMembers) {
  const auto r = decode_content("gzip", compress("a\n", 16 + MAX_WBITS) + compress("b\n", 16 + MAX_WBITS), 1024);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "a\nb\n");
}

TEST(ContentDecoding, DeflateZlibAndRaw) {
  const auto wrapped = decode_content("deflate", compress(kList, MAX_WBITS), 1024);
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_EQ(*wrapped, kList);
  const auto raw = decode_content("deflate", compress(kList, -MAX_WBITS), 1024);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw, kList);
}

TEST(ContentDecoding, LimitAppliesToDecodedSize) {
  const std::string gz = compress(kList, 16 + MAX_WBITS);
  EXPECT_TRUE(decode_content("gzip", gz, kList.size()));
  const auto over = decode_content("gzip", gz, kList.size() - 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, FetchErrorKind::kTooLarge);
}

TEST(ContentDecoding, GzipBombFailsWithoutInflatingIt) {
  // 64 MiB of zeros compress to about 64 KB; the decoder must stop at the 1 MiB limit.
  const std::string zeros(1024 * 1024, '\0');
  const std::string bomb = compress(zeros, 16 + MAX_WBITS, 64);
  ASSERT_LT(bomb.size(), 1024u * 1024u);
  const auto r = decode_content("gzip", bomb, 1024 * 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchErrorKind::kTooLarge);
}

TEST(ContentDecoding, CorruptCutOrUnknown) {
  const std::string gz = compress(kList, 16 + MAX_WBITS);
  const auto cut = decode_content("gzip", gz.substr(0, gz.size() / 2), 1024);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, FetchErrorKind::kDecode);

  std::string corrupt = gz;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  corrupt[corrupt.size() - 5] = static_cast<char>(corrupt[corrupt.size() - 5] ^ 0x55);  // CRC/length
  const auto bad = decode_content("gzip", corrupt, 1024);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, FetchErrorKind::kDecode);

  const auto trailing = decode_content("deflate", compress(kList, MAX_WBITS) + "junk", 1024);
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().kind, FetchErrorKind::kDecode);

  EXPECT_EQ(decode_content("gzip", "not gzip at all", 1024).error().kind, FetchErrorKind::kDecode);
  EXPECT_EQ(decode_content("br", kList, 1024).error().kind, FetchErrorKind::kDecode);
  EXPECT_EQ(decode_content("gzip, gzip", gz, 1024).error().kind, FetchErrorKind::kDecode);
  EXPECT_EQ(decode_content("gzip", "", 1024).error().kind, FetchErrorKind::kDecode);
}

}  // namespace
}  // namespace allowdrift::net
