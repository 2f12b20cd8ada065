// Property tests of IpSet against a brute-force bitmap model (ip_set_property_support.h), with entries parsed from
// text of every form, for both families, in windows at the edges of the space, across large power-of-two
// boundaries and (IPv6) IPv4-mapped. The seed is fixed: a failure reproduces.
#include "ip_set_property_support.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "u128_test_util.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Below;
using testing::Bits;
using testing::Hex;
using testing::kN;
using testing::MinimalBlockCount;
using testing::Normalized;
using testing::Prefix;
using testing::RandomSpan;
using testing::Rng;
using testing::ToBits;
using testing::Window;

// ---------------------------------------------------------------------------------------------------------------
// The same through IpSet, with entries parsed from text of every form, for both families

std::string V4Text(std::uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." + std::to_string((v >> 8) & 0xff) +
         "." + std::to_string(v & 0xff);
}

// Uncompressed "x:x:x:x:x:x:x:x", written independently of format_ipv6.
std::string V6FullText(U128 v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int g = 7; g >= 0; --g) {
    const auto group = static_cast<unsigned>((v >> (16 * g)) & 0xffff);
    std::string digits;
    for (int s = 12; s >= 0; s -= 4) digits += kDigits[(group >> s) & 0xf];
    out += digits;
    if (g != 0) out += ':';
  }
  return out;
}

struct GeneratedEntry {
  std::string text;
  Family family;
  std::size_t lo;  // window offsets, inclusive
  std::size_t hi;
  EntryForm form;
  bool host_bits_cleared;
};

template <class T>
std::string AddressText(Rng& rng, Family family, T v) {
  if (family == Family::kV4) return V4Text(static_cast<std::uint32_t>(v));
  return Below(rng, 2) == 0 ? V6FullText(v) : to_string_v6(v);
}

template <class T>
GeneratedEntry RandomEntry(Rng& rng, Family family, const Window<T>& w) {
  const int bits = address_bits(family);
  switch (Below(rng, 4)) {
    case 0: {
      const std::size_t o = Below(rng, kN);
      return {AddressText(rng, family, w.at(o)), family, o, o, EntryForm::kAddress, false};
    }
    case 1: {
      const auto [lo, hi] = RandomSpan(rng);
      return {AddressText(rng, family, w.at(lo)) + "-" + AddressText(rng, family, w.at(hi)),
              family,
              lo,
              hi,
              EntryForm::kRange,
              false};
    }
    default: {
      // An aligned block inside the window, written with or without host bits, as a length or (IPv4) a mask.
      std::size_t k = Below(rng, 9);
      const std::size_t o = Below(rng, kN);
      while (true) {
        const T size_minus_1 = static_cast<T>((T{1} << k) - 1);
        const T start = static_cast<T>(w.at(o) & ~size_minus_1);
        if (start >= w.base && w.offset(start) + (std::size_t{1} << k) <= kN) break;
        --k;  // k = 0 always fits
      }
      const std::size_t size = std::size_t{1} << k;
      const T start = static_cast<T>(w.at(o) & ~static_cast<T>(size - 1));
      const std::size_t host = Below(rng, 2) == 0 ? 0 : Below(rng, size);
      const std::string addr = AddressText(rng, family, static_cast<T>(start + static_cast<T>(host)));
      const int len = bits - static_cast<int>(k);
      const std::size_t lo = w.offset(start);
      if (family == Family::kV4 && Below(rng, 3) == 0) {
        const std::uint32_t mask = len == 0 ? 0u : ~std::uint32_t{0} << (32 - len);
        return {addr + "/" + V4Text(mask), family, lo, lo + size - 1, EntryForm::kNetmask, host != 0};
      }
      return {addr + "/" + std::to_string(len), family, lo, lo + size - 1, EntryForm::kPrefix, host != 0};
    }
  }
}

struct Windows2 {
  Window<std::uint32_t> v4;
  Window<U128> v6;
};

struct ModelSet {
  Bits v4;
  Bits v6;
};

// Parses a generated entry and checks it reads as generated.
std::optional<IpEntry> ParseGenerated(const GeneratedEntry& g, const Windows2& w) {
  auto r = parse_ip_entry(g.text);
  EXPECT_TRUE(r.has_value()) << g.text << ": " << (r ? "" : r.error().message);
  if (!r) return std::nullopt;
  EXPECT_EQ(r->family, g.family) << g.text;
  EXPECT_EQ(r->form, g.form) << g.text;
  EXPECT_EQ(r->host_bits_cleared, g.host_bits_cleared) << g.text;
  const U128 first = g.family == Family::kV4 ? U128{w.v4.at(g.lo)} : w.v6.at(g.lo);
  const U128 last = g.family == Family::kV4 ? U128{w.v4.at(g.hi)} : w.v6.at(g.hi);
  EXPECT_EQ(Hex(r->first), Hex(first)) << g.text;
  EXPECT_EQ(Hex(r->last), Hex(last)) << g.text;
  return *r;
}

void RandomIpSet(Rng& rng, const Windows2& w, IpSet& set, ModelSet& model) {
  IpSetBuilder builder;
  model = {};
  const std::size_t n = Below(rng, 10);
  for (std::size_t i = 0; i < n; ++i) {
    const Family f = Below(rng, 2) == 0 ? Family::kV4 : Family::kV6;
    const GeneratedEntry g = f == Family::kV4 ? RandomEntry(rng, f, w.v4) : RandomEntry(rng, f, w.v6);
    const auto e = ParseGenerated(g, w);
    if (!e) continue;
    builder.add(*e);
    Bits& m = f == Family::kV4 ? model.v4 : model.v6;
    for (std::size_t o = g.lo; o <= g.hi; ++o) m.set(o);
  }
  set = std::move(builder).build();
}

void CheckIpSetMatches(const IpSet& s, const ModelSet& m, const Windows2& w) {
  ASSERT_TRUE(Normalized(s.v4()));
  ASSERT_TRUE(Normalized(s.v6()));
  ASSERT_EQ(ToBits(s.v4(), w.v4), m.v4);
  ASSERT_EQ(ToBits(s.v6(), w.v6), m.v6);
  EXPECT_EQ(s.empty(), m.v4.none() && m.v6.none());
}

// to_cidr_strings (and cidr_count, its size): IPv4 first, each family ascending and disjoint, every string a clean
// prefix, covering exactly the model with the minimal number of blocks.
void CheckCidrStrings(const IpSet& s, const ModelSet& m, const Windows2& w) {
  const auto strings = s.to_cidr_strings();
  EXPECT_EQ(s.cidr_count(), strings.size());
  Bits got4;
  Bits got6;
  std::size_t n4 = 0;
  std::size_t n6 = 0;
  bool seen_v6 = false;
  std::optional<U128> prev_last;
  for (const auto& text : strings) {
    SCOPED_TRACE(text);
    auto r = parse_ip_entry(text);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->form, EntryForm::kPrefix);
    EXPECT_FALSE(r->host_bits_cleared) << "network not aligned";
    if (r->family == Family::kV6) {
      if (!seen_v6) prev_last.reset();
      seen_v6 = true;
    } else {
      ASSERT_FALSE(seen_v6) << "IPv4 block after an IPv6 one";
    }
    if (prev_last) {
      ASSERT_TRUE(*prev_last < r->first) << "not ascending and disjoint";
    }
    prev_last = r->last;
    Bits& got = r->family == Family::kV4 ? got4 : got6;
    std::size_t lo = 0;
    std::size_t hi = 0;
    if (r->family == Family::kV4) {
      const auto first = static_cast<std::uint32_t>(r->first);
      const auto last = static_cast<std::uint32_t>(r->last);
      ASSERT_TRUE(w.v4.holds(first) && w.v4.holds(last));
      lo = w.v4.offset(first);
      hi = w.v4.offset(last);
      ++n4;
    } else {
      ASSERT_TRUE(w.v6.holds(r->first) && w.v6.holds(r->last));
      lo = w.v6.offset(r->first);
      hi = w.v6.offset(r->last);
      ++n6;
    }
    for (std::size_t o = lo; o <= hi; ++o) got.set(o);
  }
  EXPECT_EQ(got4, m.v4);
  EXPECT_EQ(got6, m.v6);
  EXPECT_EQ(n4, MinimalBlockCount(m.v4, w.v4));
  EXPECT_EQ(n6, MinimalBlockCount(m.v6, w.v6));
}

TEST(IpSetProperty, BothFamiliesAgainstBitmaps) {
  Rng rng(0x3001);
  const auto v4_windows = std::vector<Window<std::uint32_t>>{
      {0}, {0xc00001f3u} /* 192.0.1.243: unaligned, across 192.0.2.0 */, {0xffffff00u}};
  const auto v6_windows =
      std::vector<Window<U128>>{{0},
                                {(U128{0x20010db8} << 96) - 100},      // just below 2001:db8::, across a /32 boundary
                                {(U128{0xffff} << 32) | 0xc0000200u},  // ::ffff:192.0.2.0, IPv4-mapped
                                {static_cast<U128>(kMaxValue<U128> - (kN - 1))}};  // the top of the space
  constexpr int kCases = 2000;
  for (int i = 0; i < kCases; ++i) {
    const Windows2 w{v4_windows[Below(rng, v4_windows.size())], v6_windows[Below(rng, v6_windows.size())]};
    SCOPED_TRACE("case " + std::to_string(i) + " windows " + Hex(w.v4.base) + " " + Hex(w.v6.base));
    IpSet a;
    IpSet b;
    ModelSet ma;
    ModelSet mb;
    RandomIpSet(rng, w, a, ma);
    RandomIpSet(rng, w, b, mb);
    CheckIpSetMatches(a, ma, w);
    CheckIpSetMatches(b, mb, w);

    CheckIpSetMatches(a.unite(b), {ma.v4 | mb.v4, ma.v6 | mb.v6}, w);
    CheckIpSetMatches(a.intersect(b), {ma.v4 & mb.v4, ma.v6 & mb.v6}, w);
    CheckIpSetMatches(a.difference(b), {ma.v4 & ~mb.v4, ma.v6 & ~mb.v6}, w);
    EXPECT_EQ(a.covers(b), (mb.v4 & ~ma.v4).none() && (mb.v6 & ~ma.v6).none());
    EXPECT_EQ(a == b, ma.v4 == mb.v4 && ma.v6 == mb.v6);

    for (int q = 0; q < 8; ++q) {
      const Family f = Below(rng, 2) == 0 ? Family::kV4 : Family::kV6;
      const GeneratedEntry g = f == Family::kV4 ? RandomEntry(rng, f, w.v4) : RandomEntry(rng, f, w.v6);
      const auto e = ParseGenerated(g, w);
      if (!e) continue;
      SCOPED_TRACE("query " + g.text);
      const Prefix p(f == Family::kV4 ? ma.v4 : ma.v6);
      EXPECT_EQ(a.covers(*e), p.full(g.lo, g.hi - g.lo + 1));
      EXPECT_EQ(a.intersects(*e), p.any(g.lo, g.hi));
    }

    CheckCidrStrings(a, ma, w);
    CheckCidrStrings(a.unite(b), {ma.v4 | mb.v4, ma.v6 | mb.v6}, w);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace allowdrift::model
