// Property tests of IntervalSet, for_each_cidr and IpSet against a brute-force model.
//
// Every case lives in a window of kN = 256 consecutive values; the model is a std::bitset over the window.
// Windows are placed at the bottom of the value space, in the middle at an unaligned offset straddling a large
// power-of-two boundary, and at the very top, so that arithmetic at 0 and at the maximum value (where last + 1
// wraps) is exercised for both uint32_t and U128. The seeds are fixed: a failure reproduces.
#include "model/cidr.h"
#include "model/interval_set.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "u128_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace allowdrift::model {
namespace {

using testing::Hex;

constexpr std::size_t kN = 256;
using Bits = std::bitset<kN>;
using Rng = std::mt19937_64;

std::size_t Below(Rng& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

template <class T>
struct Window {
  T base;
  T top() const { return static_cast<T>(base + static_cast<T>(kN - 1)); }
  T at(std::size_t offset) const { return static_cast<T>(base + static_cast<T>(offset)); }
  std::size_t offset(T v) const { return static_cast<std::size_t>(v - base); }
  bool holds(T v) const { return v >= base && v <= top(); }
};

template <class T>
std::vector<Window<T>> Windows() {
  const T max = kMaxValue<T>;
  const T half = static_cast<T>(T{1} << (kBits<T> - 1));
  // Bottom, straddling 2^(bits-1) at an offset that is not a multiple of any block size above 4, and top.
  return {Window<T>{0}, Window<T>{static_cast<T>(half - 100)}, Window<T>{static_cast<T>(max - (kN - 1))}};
}

// ---------------------------------------------------------------------------------------------------------------
// Model helpers

// Sorted, each interval non-empty, and a gap of at least one value between neighbours.
template <class T>
::testing::AssertionResult Normalized(const IntervalSet<T>& s) {
  const auto ivs = s.intervals();
  for (std::size_t i = 0; i < ivs.size(); ++i) {
    if (ivs[i].first > ivs[i].last) return ::testing::AssertionFailure() << "interval " << i << " is reversed";
    if (i > 0 && !(ivs[i - 1].last < ivs[i].first && ivs[i].first - ivs[i - 1].last >= T{2}))
      return ::testing::AssertionFailure()
             << "intervals " << i - 1 << " and " << i << " overlap, touch or are out of order";
  }
  if (s.interval_count() != ivs.size()) return ::testing::AssertionFailure() << "interval_count disagrees";
  if (s.empty() != ivs.empty()) return ::testing::AssertionFailure() << "empty() disagrees";
  return ::testing::AssertionSuccess();
}

// The set as a bitmap of the window; nullopt when it holds a value outside the window.
template <class T>
std::optional<Bits> ToBits(const IntervalSet<T>& s, const Window<T>& w) {
  Bits b;
  for (const auto& iv : s.intervals()) {
    if (!w.holds(iv.first) || !w.holds(iv.last) || iv.first > iv.last) return std::nullopt;
    for (std::size_t o = w.offset(iv.first); o <= w.offset(iv.last); ++o) b.set(o);
  }
  return b;
}

template <class T>
Bits BitsOf(const std::vector<Interval<T>>& raw, const Window<T>& w) {
  Bits b;
  for (const auto& iv : raw)
    for (std::size_t o = w.offset(iv.first); o <= w.offset(iv.last); ++o) b.set(o);
  return b;
}

// Offsets [lo, hi] in the window: mostly short, some long, some anchored at either edge.
std::pair<std::size_t, std::size_t> RandomSpan(Rng& rng) {
  std::size_t lo = Below(rng, kN);
  std::size_t len = 0;
  switch (Below(rng, 10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      len = Below(rng, 4);
      break;
    case 4:
    case 5:
    case 6:
      len = Below(rng, 40);
      break;
    default:
      len = Below(rng, kN);
      break;
  }
  std::size_t hi = std::min(kN - 1, lo + len);
  if (Below(rng, 10) == 0) lo = 0;
  if (Below(rng, 10) == 0) hi = kN - 1;
  return {lo, hi};
}

template <class T>
std::vector<Interval<T>> RandomIntervals(Rng& rng, const Window<T>& w) {
  std::vector<Interval<T>> out;
  const std::size_t n = Below(rng, 8);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [lo, hi] = RandomSpan(rng);
    out.push_back({w.at(lo), w.at(hi)});
    if (Below(rng, 8) == 0) out.push_back(out.back());  // duplicate
  }
  if (Below(rng, 40) == 0) out.push_back({w.base, w.top()});
  return out;
}

struct Prefix {
  std::array<std::size_t, kN + 1> sums{};
  explicit Prefix(const Bits& b) {
    for (std::size_t i = 0; i < kN; ++i) sums[i + 1] = sums[i] + (b[i] ? 1 : 0);
  }
  // All of offsets [lo, lo + size) are set (and inside the window).
  bool full(std::size_t lo, std::size_t size) const { return lo + size <= kN && sums[lo + size] - sums[lo] == size; }
  bool any(std::size_t lo, std::size_t hi) const { return sums[hi + 1] - sums[lo] != 0; }  // [lo, hi]
};

// The fewest aligned blocks that partition the set, by dynamic programming over the window: best[o] is the
// fewest blocks that cover exactly the set's values below offset o with no block reaching past o. Independent
// of for_each_cidr's greedy rule.
template <class T>
std::size_t MinimalBlockCount(const Bits& m, const Window<T>& w) {
  constexpr std::size_t kInf = kN + 1;
  const Prefix p(m);
  std::array<std::size_t, kN + 1> best{};
  best.fill(kInf);
  best[0] = 0;
  for (std::size_t o = 0; o < kN; ++o) {
    if (best[o] == kInf) continue;
    if (!m[o]) {
      best[o + 1] = std::min(best[o + 1], best[o]);
      continue;
    }
    for (std::size_t size = 1; size <= kN; size *= 2) {
      const T v = w.at(o);
      if ((v & static_cast<T>(size - 1)) != 0) break;  // not aligned for this or any larger block
      if (!p.full(o, size)) break;                     // a larger block contains this one
      best[o + size] = std::min(best[o + size], best[o] + 1);
    }
  }
  return best[kN];
}

// for_each_cidr over the set: aligned, inside the window, ascending, disjoint, covering exactly the model, no
// block mergeable with its neighbour or growable into its parent, and as few blocks as the DP finds.
template <class T>
void CheckCidr(const IntervalSet<T>& s, const Bits& m, const Window<T>& w) {
  struct Block {
    T net;
    T last;
    int len;
  };
  std::vector<Block> blocks;
  bool sane = true;
  for_each_cidr(s, [&](T net, int len) {
    // Within a 256-value window no block is larger than 2^8.
    if (len < kBits<T> - 8 || len > kBits<T>) {
      sane = false;
      return;
    }
    const T size_minus_1 = static_cast<T>((T{1} << (kBits<T> - len)) - 1);
    blocks.push_back({net, static_cast<T>(net + size_minus_1), len});
  });
  ASSERT_TRUE(sane) << "prefix length out of range for a 256-value window";

  const Prefix p(m);
  Bits covered;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    // Built only when an assertion fails.
    const auto where = [&] { return "block " + Hex(b.net) + "/" + std::to_string(b.len) + ": "; };
    const auto size = std::size_t{1} << (kBits<T> - b.len);
    ASSERT_TRUE((b.net & static_cast<T>(size - 1)) == 0) << where() << "not aligned";
    ASSERT_TRUE(w.holds(b.net) && w.holds(b.last) && b.net <= b.last) << where() << "outside the window";
    if (i > 0) {
      ASSERT_TRUE(blocks[i - 1].last < b.net) << where() << "not ascending and disjoint";
    }
    const std::size_t o = w.offset(b.net);
    ASSERT_TRUE(p.full(o, size)) << where() << "covers a value outside the set";
    for (std::size_t k = o; k < o + size; ++k) {
      ASSERT_FALSE(covered[k]) << where() << "overlaps another block";
      covered.set(k);
    }
    // Not mergeable: the aligned parent block (twice the size) is not entirely in the set.
    const T parent = static_cast<T>(b.net & ~static_cast<T>(2 * size - 1));
    const bool parent_in_window = w.holds(parent) && w.offset(parent) + 2 * size <= kN;
    EXPECT_FALSE(parent_in_window && p.full(w.offset(parent), 2 * size))
        << where() << "could be merged into its parent";
    if (i > 0) {
      const Block& a = blocks[i - 1];
      EXPECT_FALSE(a.len == b.len && static_cast<T>(a.last + 1) == b.net && (a.net & static_cast<T>(2 * size - 1)) == 0)
          << where() << "merges with the block before it";
    }
  }
  EXPECT_EQ(covered, m) << "blocks do not cover exactly the set";
  EXPECT_EQ(blocks.size(), MinimalBlockCount(m, w));
}

// A query interval: mostly inside the window, sometimes reaching to 0 or to the maximum value.
template <class T>
Interval<T> RandomQuery(Rng& rng, const Window<T>& w) {
  const auto [lo, hi] = RandomSpan(rng);
  Interval<T> q{w.at(lo), w.at(hi)};
  if (Below(rng, 12) == 0) q.first = 0;
  if (Below(rng, 12) == 0) q.last = kMaxValue<T>;
  return q;
}

struct Expected {
  bool covers;
  bool intersects;
};

template <class T>
Expected Model(const Prefix& p, const Window<T>& w, Interval<T> q) {
  // Values outside the window are never in the set.
  const bool reaches_outside = q.first < w.base || q.last > w.top();
  const T lo = std::max(q.first, w.base);
  const T hi = std::min(q.last, w.top());
  if (lo > hi) return {false, false};
  const std::size_t a = w.offset(lo);
  const std::size_t b = w.offset(hi);
  return {!reaches_outside && p.full(a, b - a + 1), p.any(a, b)};
}

template <class T>
void CheckIntervalSetOnce(Rng& rng, const Window<T>& w) {
  const auto raw_a = RandomIntervals(rng, w);
  const auto raw_b = RandomIntervals(rng, w);
  const Bits ma = BitsOf(raw_a, w);
  const Bits mb = BitsOf(raw_b, w);
  const auto a = IntervalSet<T>::from_unsorted(raw_a);
  const auto b = IntervalSet<T>::from_unsorted(raw_b);

  ASSERT_TRUE(Normalized(a));
  ASSERT_TRUE(Normalized(b));
  ASSERT_EQ(ToBits(a, w), ma);
  ASSERT_EQ(ToBits(b, w), mb);
  EXPECT_EQ(Hex(a.size_saturated()), Hex(static_cast<T>(ma.count())));
  EXPECT_EQ(a == b, ma == mb);

  const auto u = a.unite(b);
  const auto n = a.intersect(b);
  const auto d = a.difference(b);
  const auto r = b.difference(a);
  ASSERT_TRUE(Normalized(u));
  ASSERT_TRUE(Normalized(n));
  ASSERT_TRUE(Normalized(d));
  ASSERT_TRUE(Normalized(r));
  EXPECT_EQ(ToBits(u, w), ma | mb);
  EXPECT_EQ(ToBits(n, w), ma & mb);
  EXPECT_EQ(ToBits(d, w), ma & ~mb);
  EXPECT_EQ(ToBits(r, w), mb & ~ma);
  EXPECT_EQ(a.covers(b), (mb & ~ma).none());
  EXPECT_EQ(b.covers(a), (ma & ~mb).none());
  EXPECT_TRUE(u.covers(a));
  EXPECT_TRUE(a.covers(n));
  // Canonical form: equal sets have equal representations whatever built them.
  EXPECT_EQ(u, b.unite(a));
  EXPECT_EQ(n, b.intersect(a));

  const Prefix pa(ma);
  for (int i = 0; i < 12; ++i) {
    const Interval<T> q = RandomQuery(rng, w);
    const auto where = [&] { return "query [" + Hex(q.first) + ", " + Hex(q.last) + "]"; };
    const Expected e = Model(pa, w, q);
    EXPECT_EQ(a.covers(q), e.covers) << where();
    EXPECT_EQ(a.intersects(q), e.intersects) << where();
    const T v = Below(rng, 2) == 0 ? q.first : q.last;
    EXPECT_EQ(a.contains(v), w.holds(v) && ma[w.offset(v)]) << "contains " << Hex(v);
  }

  CheckCidr(a, ma, w);
  CheckCidr(u, ma | mb, w);
  CheckCidr(n, ma & mb, w);
  CheckCidr(d, ma & ~mb, w);
}

template <class T>
void RunIntervalSetProperties(std::uint64_t seed, int cases_per_window) {
  Rng rng(seed);
  for (const auto& w : Windows<T>()) {
    SCOPED_TRACE("window base " + Hex(w.base));
    for (int i = 0; i < cases_per_window; ++i) {
      CheckIntervalSetOnce(rng, w);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(IntervalSetProperty, Uint32AgainstBitmap) { RunIntervalSetProperties<std::uint32_t>(0x1001, 1500); }

TEST(IntervalSetProperty, U128AgainstBitmap) { RunIntervalSetProperties<U128>(0x1002, 1500); }

// ---------------------------------------------------------------------------------------------------------------
// for_each_cidr on single intervals anywhere in the space (not window-bound)

template <class T>
T RandomValue(Rng& rng) {
  U128 v = (U128{rng()} << 64) | rng();
  switch (Below(rng, 6)) {
    case 0:
      v = Below(rng, 1000);  // near 0
      break;
    case 1:
      v = ~U128{Below(rng, 1000)};  // near the maximum
      break;
    case 2:  // on or next to a power-of-two boundary
      v = (U128{1} << Below(rng, static_cast<std::size_t>(kBits<T>))) - Below(rng, 3) + 1;
      break;
    default:
      break;
  }
  return static_cast<T>(v);
}

template <class T>
void CheckIntervalCidr(Interval<T> iv) {
  const auto where = [&](std::size_t i) {
    return "interval [" + Hex(iv.first) + ", " + Hex(iv.last) + "] block " + std::to_string(i) + ": ";
  };
  std::vector<std::pair<T, int>> blocks;
  for_each_cidr(iv, [&](T net, int len) { blocks.emplace_back(net, len); });
  ASSERT_FALSE(blocks.empty()) << where(0);
  ASSERT_LE(blocks.size(), static_cast<std::size_t>(2 * kBits<T>)) << where(0);
  T expect_next = iv.first;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto [net, len] = blocks[i];
    ASSERT_GE(len, 0) << where(i);
    ASSERT_LE(len, kBits<T>) << where(i);
    const int host = kBits<T> - len;
    const T mask = host == kBits<T> ? kMaxValue<T> : static_cast<T>((T{1} << host) - 1);
    ASSERT_TRUE(net == expect_next) << where(i) << "gap or overlap before it";
    ASSERT_TRUE((net & mask) == 0) << where(i) << "not aligned";
    const T last = static_cast<T>(net | mask);
    ASSERT_TRUE(last <= iv.last) << where(i) << "passes the end";
    // Maximal: the parent block is not inside the interval (or there is no parent: /0).
    if (len > 0) {
      const T parent_mask = static_cast<T>((mask << 1) | 1);
      const T parent_first = static_cast<T>(net & ~parent_mask);
      const T parent_last = static_cast<T>(net | parent_mask);
      EXPECT_FALSE(parent_first >= iv.first && parent_last <= iv.last) << where(i) << "could be larger";
    }
    if (i + 1 == blocks.size()) {
      ASSERT_TRUE(last == iv.last) << where(i) << "the last block does not end the interval";
    } else {
      ASSERT_TRUE(last < iv.last) << where(i);
      expect_next = static_cast<T>(last + 1);
    }
  }
}

template <class T>
void RunWideIntervals(std::uint64_t seed) {
  Rng rng(seed);
  for (int i = 0; i < 3000; ++i) {
    T a = RandomValue<T>(rng);
    T b = RandomValue<T>(rng);
    if (a > b) std::swap(a, b);
    CheckIntervalCidr(Interval<T>{a, b});
    if (::testing::Test::HasFatalFailure()) return;
  }
  CheckIntervalCidr(Interval<T>{0, kMaxValue<T>});
  CheckIntervalCidr(Interval<T>{1, kMaxValue<T>});
  CheckIntervalCidr(Interval<T>{0, static_cast<T>(kMaxValue<T> - 1)});
  CheckIntervalCidr(Interval<T>{kMaxValue<T>, kMaxValue<T>});
}

TEST(ForEachCidrProperty, Uint32WideIntervals) { RunWideIntervals<std::uint32_t>(0x2001); }

TEST(ForEachCidrProperty, U128WideIntervals) { RunWideIntervals<U128>(0x2002); }

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

// to_cidr_strings: IPv4 first, each family ascending and disjoint, every string a clean prefix, covering exactly
// the model with the minimal number of blocks.
void CheckCidrStrings(const IpSet& s, const ModelSet& m, const Windows2& w) {
  const auto strings = s.to_cidr_strings();
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
