// Random round trips of single addresses (model/ip_address.h) and the differential check of parsing and formatting
// against glibc's inet_pton / inet_ntop.
#include "ip_address_test_support.h"
#include "model/ip_address.h"
#include "u128_test_util.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::ErrorOf;
using testing::Groups;
using testing::Hex;
using testing::Ok4;
using testing::Ok6;

using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------------------------
// Random round trips and the differential check against glibc

// Random addresses with structure: zero runs of every length, mapped and v4-compatible prefixes, edges.
U128 RandomV6(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> kind(0, 9);
  std::array<unsigned, 8> g{};
  for (auto& x : g) x = static_cast<unsigned>(rng() & 0xffff);
  switch (kind(rng)) {
    case 0:  // fully random
      break;
    case 1:  // IPv4-mapped
      g = {0, 0, 0, 0, 0, 0xffff, g[6], g[7]};
      break;
    case 2:  // v4-compatible, including ::0.0.0.x
      g = {0, 0, 0, 0, 0, 0, (rng() & 1) ? g[6] : 0, g[7]};
      break;
    case 3:  // small values next to the zero address or the top
      return (rng() & 1) ? U128{rng() & 0xff} : ~U128{rng() & 0xff};
    default:  // each group zero with probability 1/2, so runs of all lengths and ties appear
      for (auto& x : g)
        if (rng() & 1) x = 0;
      if (rng() % 4 == 0)
        for (auto& x : g)
          if (x != 0) x &= 0xf;  // short groups
      break;
  }
  return Groups(g);
}

std::array<unsigned char, 16> ToBytes(U128 v) {
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 16; i-- > 0;) {
    b[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
  return b;
}

U128 FromBytes(const unsigned char* b) {
  U128 v = 0;
  for (std::size_t i = 0; i < 16; ++i) v = (v << 8) | b[i];
  return v;
}

std::optional<U128> GlibcPton6(const std::string& text) {
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET6, text.c_str(), b.data()) != 1) return std::nullopt;
  return FromBytes(b.data());
}

std::optional<std::uint32_t> GlibcPton4(const std::string& text) {
  std::array<unsigned char, 4> b{};
  if (inet_pton(AF_INET, text.c_str(), b.data()) != 1) return std::nullopt;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

std::string GlibcNtop6(U128 v) {
  const auto b = ToBytes(v);
  std::array<char, INET6_ADDRSTRLEN> out{};
  EXPECT_NE(inet_ntop(AF_INET6, b.data(), out.data(), static_cast<socklen_t>(out.size())), nullptr);
  return out.data();
}

std::string GlibcNtop4(std::uint32_t v) {
  const std::array<unsigned char, 4> b = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                                          static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::array<char, INET_ADDRSTRLEN> out{};
  EXPECT_NE(inet_ntop(AF_INET, b.data(), out.data(), static_cast<socklen_t>(out.size())), nullptr);
  return out.data();
}

// glibc prints an address of ::/96 whose seventh group is non-zero as "::a.b.c.d" (the deprecated
// v4-compatible form, RFC 4291 2.5.5.1); RFC 5952 section 5 only recommends mixed notation where the prefix
// marks an embedded IPv4 address, and ours uses it for ::ffff:0:0/96 alone. This is the one place where the two
// formatters legitimately differ.
bool GlibcPrintsV4Compatible(U128 v) { return (v >> 32) == 0 && ((v >> 16) & 0xffff) != 0; }

TEST(FormatIpv6Differential, MatchesGlibcInetNtopExceptV4Compatible) {
  std::mt19937_64 rng(0x5eed'0001);
  int differing = 0;
  constexpr int kCases = 20000;
  for (int i = 0; i < kCases; ++i) {
    const U128 v = RandomV6(rng);
    const std::string ours = to_string_v6(v);
    const std::string glibc = GlibcNtop6(v);
    SCOPED_TRACE(Hex(v) + " ours=" + ours + " glibc=" + glibc);
    if (GlibcPrintsV4Compatible(v)) {
      ++differing;
      EXPECT_EQ(ours.find('.'), std::string::npos);
      EXPECT_NE(glibc.find('.'), std::string::npos);
      // Both texts still denote the same address, to either parser.
      EXPECT_EQ(Ok6(glibc), Hex(v));
      ASSERT_TRUE(GlibcPton6(ours).has_value());
      EXPECT_EQ(Hex(*GlibcPton6(ours)), Hex(v));
    } else {
      EXPECT_EQ(ours, glibc);
    }
    // Round trips through both parsers.
    EXPECT_EQ(Ok6(ours), Hex(v));
    const auto back = GlibcPton6(ours);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(Hex(*back), Hex(v));
  }
  // The generator must have reached the differing class, or the exception above is untested.
  EXPECT_GT(differing, 100);
}

TEST(FormatIpv4Differential, MatchesGlibcInetNtop) {
  std::mt19937_64 rng(0x5eed'0002);
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<std::uint32_t>(rng());
    // Bias some octets to 0 and to one or two digits.
    if (rng() % 2 == 0) v &= static_cast<std::uint32_t>(rng()) & 0x3f1f0f07u;
    const std::string ours = to_string(v);
    ASSERT_EQ(ours, GlibcNtop4(v));
    ASSERT_EQ(Ok4(ours), v);
  }
}

// Texts for the parse differential: valid addresses in every notation, then mutated.
std::string HexGroup(unsigned g, bool upper, int min_width) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), upper ? "%0*X" : "%0*x", min_width, g);
  return buf.data();
}

std::string V4Text(std::uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." + std::to_string((v >> 8) & 0xff) +
         "." + std::to_string(v & 0xff);
}

std::string RandomV6Text(std::mt19937_64& rng, U128 v) {
  std::array<unsigned, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<unsigned>((v >> (112 - 16 * i)) & 0xffff);
  const bool upper = rng() % 4 == 0;
  const bool mixed = rng() % 4 == 0;
  const std::size_t hex_groups = mixed ? 6 : 8;
  // Optionally compress one run of zero groups (of any length >= 1) among the hex groups.
  std::size_t cs = 8;
  std::size_t ce = 8;
  if (rng() % 3 != 0) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (std::size_t i = 0; i < hex_groups;) {
      if (g[i] != 0) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < hex_groups && g[j] == 0) ++j;
      runs.emplace_back(i, j);
      i = j;
    }
    if (!runs.empty()) {
      auto [s, e] = runs[rng() % runs.size()];
      // Sometimes only part of the run.
      if (e - s > 1 && rng() % 3 == 0) e = s + 1 + rng() % (e - s - 1);
      cs = s;
      ce = e;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < hex_groups; ++i) {
    if (i == cs) {
      out += "::";
      i = ce - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += HexGroup(g[i], upper, static_cast<int>(rng() % 4) + 1);
  }
  if (mixed) {
    if (!out.empty() && out.back() != ':') out += ':';
    out += V4Text(static_cast<std::uint32_t>(v));
  }
  return out;
}

std::string RandomV4Text(std::mt19937_64& rng) {
  std::string out;
  const int octets = rng() % 8 == 0 ? static_cast<int>(rng() % 6) + 1 : 4;
  for (int i = 0; i < octets; ++i) {
    if (i > 0) out += '.';
    switch (rng() % 8) {
      case 0:
        out += "0" + std::to_string(rng() % 256);  // leading zero
        break;
      case 1:
        out += std::to_string(rng() % 1200);  // may be over 255
        break;
      default:
        out += std::to_string(rng() % 256);
        break;
    }
  }
  return out;
}

void Mutate(std::mt19937_64& rng, std::string& s) {
  static constexpr std::string_view kAlphabet = "0123456789abcdefABCDEF:.:.:.xXg% /-";
  const int edits = static_cast<int>(rng() % 3) + 1;
  for (int e = 0; e < edits; ++e) {
    const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    const char c = kAlphabet[rng() % kAlphabet.size()];
    switch (rng() % 5) {
      case 0:
        s.insert(pos, 1, c);
        break;
      case 1:
        if (pos < s.size()) s.erase(pos, 1);
        break;
      case 2:
        if (pos < s.size()) s[pos] = c;
        break;
      case 3:
        s.insert(pos, "::");
        break;
      default:
        if (pos < s.size()) s.erase(pos, 1 + rng() % 4);
        break;
    }
  }
}

// Our parsers and glibc's inet_pton agree on every input, accepted or rejected: both implement strict dotted
// quads (glibc's inet_pton, unlike inet_aton, rejects leading zeros and shorthand) and RFC 4291 IPv6 text
// without zone ids. (glibc's inet_pton6 reads hex digits before the '.' of an embedded IPv4 part and hands the
// group to its inet_pton4, so the two also agree on where a dotted part may stand.)
TEST(ParseDifferential, AgreesWithGlibcInetPton) {
  std::mt19937_64 rng(0x5eed'0003);
  int accepted = 0;
  int rejected = 0;
  constexpr int kCases = 40000;
  for (int i = 0; i < kCases; ++i) {
    std::string text;
    switch (rng() % 3) {
      case 0:
        text = RandomV4Text(rng);
        break;
      default:
        text = RandomV6Text(rng, RandomV6(rng));
        break;
    }
    if (rng() % 2 == 0) Mutate(rng, text);
    SCOPED_TRACE("input: '" + text + "'");

    const bool v6 = text.find(':') != std::string::npos;
    auto ours = parse_ip_address(text);
    if (v6) {
      const auto glibc = GlibcPton6(text);
      ASSERT_EQ(ours.has_value(), glibc.has_value()) << ErrorOf(ours);
      if (glibc) {
        EXPECT_EQ(ours->family, Family::kV6);
        EXPECT_EQ(Hex(ours->value), Hex(*glibc));
      }
      // The v4 parser never takes text with ':'.
      EXPECT_FALSE(GlibcPton4(text).has_value());
    } else {
      const auto glibc = GlibcPton4(text);
      ASSERT_EQ(ours.has_value(), glibc.has_value()) << ErrorOf(ours);
      if (glibc) {
        EXPECT_EQ(ours->family, Family::kV4);
        EXPECT_EQ(Hex(ours->value), Hex(*glibc));
      }
    }
    if (ours) {
      ++accepted;
      // The canonical text of what was read reads back to the same address.
      auto again = parse_ip_address(to_string(*ours));
      ASSERT_TRUE(again.has_value()) << to_string(*ours);
      EXPECT_EQ(*again, *ours);
    } else {
      ++rejected;
      // Every rejection names the token.
      EXPECT_THAT(ours.error().message, HasSubstr(quote_token(text)));
    }
  }
  // Both outcomes must be well represented for the agreement to mean something.
  EXPECT_GT(accepted, kCases / 5);
  EXPECT_GT(rejected, kCases / 5);
}

TEST(RoundTrip, CanonicalTextIsAFixedPoint) {
  std::mt19937_64 rng(0x5eed'0004);
  for (int i = 0; i < 20000; ++i) {
    const U128 v = RandomV6(rng);
    const std::string text = to_string_v6(v);
    ASSERT_LE(text.size(), kMaxIpv6Text);
    auto back = parse_ipv6(text);
    ASSERT_TRUE(back.has_value()) << text << ": " << ErrorOf(back);
    ASSERT_EQ(Hex(*back), Hex(v)) << text;
    ASSERT_EQ(to_string_v6(*back), text);
    // Any other notation of the same address formats to the same canonical text.
    const std::string other = RandomV6Text(rng, v);
    auto from_other = parse_ipv6(other);
    ASSERT_TRUE(from_other.has_value()) << other << ": " << ErrorOf(from_other);
    ASSERT_EQ(to_string_v6(*from_other), text) << other;
  }
}

}  // namespace
}  // namespace allowdrift::model
