// Deterministic random prefix lists for the benchmarks: a "published" list P and a "local" list A derived from it.
//
// Everything is drawn from std::mt19937_64, whose output sequence the standard fixes exactly, through the helpers
// below rather than std::uniform_int_distribution / std::discrete_distribution (whose algorithms are left to the
// library): the same seed gives byte-identical lists with libstdc++ and libc++, on any machine.
//
// Deliberately independent of allowdrift_core (its own formatting, its own masks), so a bug in the code under test
// cannot hide itself by also shaping the input.
//
// Shape of P (count entries, in random order):
//   IPv4: lengths /8-/32, mostly long: ~54% /32 (half of them written as a bare address), ~27% /24, ~15% /25-/31,
//         ~3% /13-/23, a handful of /8-/12 per million. About half of the fresh entries fall inside a pool of
//         random /16 "allocations" (count/40 of them), so neighbouring blocks touch and merge as in real lists.
//   IPv6: lengths /16-/128 inside 2000::/3: mostly /48, /64 and /128, some /29-/47 and /49-/127, a few /16-/28;
//         clustered in count/40 random /32 allocations.
//   Both: 3% exact duplicates of an earlier entry, 7% a more or less specific prefix overlapping an earlier one.
// A (the local list) is P with drop% of the entries removed, change% replaced by a prefix one or two bits shorter
// (wider: part of it becomes stale) or longer (narrower: part becomes missing), add% new entries (a third of them
// overlapping P), then shuffled. With the defaults (8/4/8) P minus A is a few percent of P: a non-trivial diff.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace allowdrift::bench {

__extension__ using U128 = unsigned __int128;
using Rng = std::mt19937_64;

enum class Family : std::uint8_t { kV4, kV6 };

struct Prefix {
  U128 net = 0;  // host bits clear; IPv4 in the low 32 bits
  int len = 0;
  bool bare = false;  // a full-length prefix written without "/32" or "/128"
};

struct GenOptions {
  Family family = Family::kV4;
  std::size_t count = 1000000;
  std::uint64_t seed = 1;
  bool local = false;   // false: the published list P; true: the local list A derived from P
  double drop = 8.0;    // percent of P's entries A leaves out
  double change = 4.0;  // percent of P's entries A holds with another prefix length
  double add = 8.0;     // entries A adds, in percent of count
};

// Uniform integer in [0, n), n > 0, without modulo bias (rejection sampling), independent of the library.
inline std::uint64_t uniform(Rng& rng, std::uint64_t n) {
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  while (true) {
    const std::uint64_t r = rng();
    if (r < limit) return r % n;
  }
}

// True with probability percent/100 (resolution 1 ppm).
inline bool chance(Rng& rng, double percent) {
  return uniform(rng, 1000000) < static_cast<std::uint64_t>(percent * 10000.0);
}

inline U128 random_u128(Rng& rng) { return (U128{rng()} << 64) | U128{rng()}; }

inline int width_of(Family f) { return f == Family::kV4 ? 32 : 128; }

// The low width-len bits set; len in [1, width].
inline U128 host_mask(int width, int len) { return (U128{1} << (width - len)) - 1; }

class PrefixGenerator {
 public:
  // The allocation pool is drawn from `rng` first, so the published and the local list share it.
  PrefixGenerator(Family family, std::size_t count, Rng& rng) : family_(family), width_(width_of(family)) {
    if (family == Family::kV4) {
      // Cumulative weights per length 8..32, in units of 1/100 of a per mille.
      static constexpr std::array<std::pair<int, std::uint64_t>, 25> kV4 = {{
          {8, 5},      {9, 5},      {10, 10},     {11, 20},     {12, 40},    {13, 200},   {14, 400},
          {15, 800},   {16, 3000},  {17, 1500},   {18, 2000},   {19, 3000},  {20, 4000},  {21, 4000},
          {22, 6000},  {23, 6000},  {24, 250000}, {25, 15000},  {26, 15000}, {27, 20000}, {28, 25000},
          {29, 30000}, {30, 30000}, {31, 10000},  {32, 500000},
      }};
      set_weights(kV4.begin(), kV4.end());
      pool_len_ = 16;
    } else {
      static constexpr std::array<std::pair<int, std::uint64_t>, 23> kV6 = {{
          {16, 5},     {20, 5},     {24, 10},     {28, 20},   {29, 500},    {30, 500},    {31, 500},     {32, 30000},
          {36, 5000},  {40, 10000}, {44, 15000},  {47, 5000}, {48, 250000}, {52, 10000},  {56, 40000},   {60, 20000},
          {62, 10000}, {63, 5000},  {64, 250000}, {80, 5000}, {96, 10000},  {112, 10000}, {128, 300000},
      }};
      set_weights(kV6.begin(), kV6.end());
      pool_len_ = 32;
    }
    const std::size_t pool_size = std::max<std::size_t>(16, count / 40);
    pool_.reserve(pool_size);
    for (std::size_t i = 0; i < pool_size; ++i) pool_.push_back(random_address(rng) & ~host_mask(width_, pool_len_));
  }

  int width() const { return width_; }
  int min_len() const { return family_ == Family::kV4 ? 8 : 16; }

  // A new prefix: random length by the weights, half the time inside a pool allocation.
  Prefix fresh(Rng& rng) const {
    const std::uint64_t pick = uniform(rng, total_weight_);
    int len = cumulative_.back().first;
    for (const auto& [l, upto] : cumulative_) {
      if (pick < upto) {
        len = l;
        break;
      }
    }
    U128 addr = random_address(rng);
    if (len >= pool_len_ && uniform(rng, 2) == 0) {
      addr = pool_[uniform(rng, pool_.size())] | (addr & host_mask(width_, pool_len_));
    }
    return make(addr, len, rng);
  }

  // A prefix overlapping `from`: inside it (longer) or around it (shorter).
  Prefix overlapping(const Prefix& from, Rng& rng) const {
    const bool wider = from.len == width_ || (from.len > min_len() && uniform(rng, 3) == 0);
    if (wider) {
      const int len =
          from.len - 1 - static_cast<int>(uniform(rng, static_cast<std::uint64_t>(std::min(4, from.len - min_len()))));
      return make(from.net, len, rng);
    }
    const int len =
        from.len + 1 + static_cast<int>(uniform(rng, static_cast<std::uint64_t>(std::min(8, width_ - from.len))));
    return make(from.net | (random_u128(rng) & host_mask(width_, from.len)), len, rng);
  }

  // The same network with a prefix one or two bits shorter or longer (bounded by min_len() and width()).
  Prefix relengthen(const Prefix& from, Rng& rng) const {
    const int delta = 1 + static_cast<int>(uniform(rng, 2));
    int len = uniform(rng, 2) == 0 ? from.len - delta : from.len + delta;
    if (len < min_len()) len = from.len + delta;
    if (len > width_) len = from.len - delta;
    return make(from.net, len, rng);
  }

  Prefix make(U128 addr, int len, Rng& rng) const {
    Prefix p;
    p.len = len;
    p.net = addr & ~host_mask(width_, len);
    p.bare = len == width_ && uniform(rng, 2) == 0;
    return p;
  }

 private:
  template <class It>
  void set_weights(It first, It last) {
    std::uint64_t sum = 0;
    for (It it = first; it != last; ++it) {
      sum += it->second;
      cumulative_.emplace_back(it->first, sum);
    }
    total_weight_ = sum;
  }

  U128 random_address(Rng& rng) const {
    if (family_ == Family::kV4) return U128{static_cast<std::uint32_t>(rng())};
    return (U128{1} << 125) | (random_u128(rng) & host_mask(128, 3));  // 2000::/3, global unicast
  }

  Family family_;
  int width_;
  int pool_len_ = 16;
  std::vector<std::pair<int, std::uint64_t>> cumulative_;  // (length, cumulative weight)
  std::uint64_t total_weight_ = 0;
  std::vector<U128> pool_;
};

// The list described at the top of this file.
inline std::vector<Prefix> generate(const GenOptions& o) {
  Rng rng(o.seed);
  const PrefixGenerator gen(o.family, o.count, rng);
  std::vector<Prefix> published;
  published.reserve(o.count);
  for (std::size_t i = 0; i < o.count; ++i) {
    const std::uint64_t r = uniform(rng, 100);
    if (i > 0 && r < 3) {
      published.push_back(published[uniform(rng, i)]);
    } else if (i > 0 && r < 10) {
      published.push_back(gen.overlapping(published[uniform(rng, i)], rng));
    } else {
      published.push_back(gen.fresh(rng));
    }
  }
  if (!o.local) return published;

  Rng perturb(o.seed ^ 0x9e3779b97f4a7c15ULL);  // its own stream: P does not depend on the perturbation options
  std::vector<Prefix> local;
  local.reserve(o.count + o.count / 4);
  for (const Prefix& p : published) {
    if (chance(perturb, o.drop)) continue;
    if (chance(perturb, o.change)) {
      local.push_back(gen.relengthen(p, perturb));
    } else {
      local.push_back(gen.make(p.net, p.len, perturb));  // same block, possibly written the other way (bare or not)
    }
  }
  const auto adds = static_cast<std::size_t>(static_cast<double>(o.count) * o.add / 100.0);
  for (std::size_t i = 0; i < adds && !published.empty(); ++i) {
    if (uniform(perturb, 3) == 0) {
      local.push_back(gen.overlapping(published[uniform(perturb, published.size())], perturb));
    } else {
      local.push_back(gen.fresh(perturb));
    }
  }
  for (std::size_t i = local.size(); i > 1; --i) std::swap(local[i - 1], local[uniform(perturb, i)]);  // Fisher-Yates
  return local;
}

// Appends "a.b.c.d/len" or "a.b.c.d" (bare host); IPv6 as lowercase hex groups with the longest run of two or more
// zero groups written "::" (the same text inet_ntop gives for global unicast addresses).
inline void append_prefix(Family family, const Prefix& p, std::string& out) {
  if (family == Family::kV4) {
    const auto v = static_cast<std::uint32_t>(p.net);
    for (int shift = 24; shift >= 0; shift -= 8) {
      out += std::to_string((v >> shift) & 0xffU);
      if (shift != 0) out += '.';
    }
  } else {
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<unsigned>((p.net >> (112 - 16 * i)) & 0xffffU);
    std::size_t best = 8;
    std::size_t best_len = 1;
    for (std::size_t i = 0; i < 8;) {
      std::size_t j = i;
      while (j < 8 && g[j] == 0) ++j;
      if (j - i > best_len) {
        best = i;
        best_len = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 8; ++i) {
      if (i == best) {
        out += i == 0 ? "::" : ":";
        i += best_len - 1;
        continue;
      }
      bool started = false;
      for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned nibble = (g[i] >> shift) & 0xfU;
        if (nibble != 0 || started || shift == 0) {
          out += kHex[nibble];
          started = true;
        }
      }
      if (i != 7) out += ':';
    }
  }
  if (!p.bare) {
    out += '/';
    out += std::to_string(p.len);
  }
}

inline std::string to_text(Family family, const std::vector<Prefix>& prefixes) {
  std::string out;
  out.reserve(prefixes.size() * (family == Family::kV4 ? 18 : 32));
  for (const Prefix& p : prefixes) {
    append_prefix(family, p, out);
    out += '\n';
  }
  return out;
}

}  // namespace allowdrift::bench
