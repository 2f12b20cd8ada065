// Shared parts of allowdrift_bench_store (bench_store.cpp): parameters, helpers, input lists and the benchmarks.
#pragma once

#include "prefix_gen.h"

#include "model/ip_set.h"
#include "store/snapshot_store.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#ifndef ALLOWDRIFT_BENCH_DATA_DIR
#define ALLOWDRIFT_BENCH_DATA_DIR "bench/data"
#endif

namespace allowdrift::bench_store {

namespace ab = allowdrift::bench;
namespace fs = std::filesystem;
namespace m = allowdrift::model;
namespace st = allowdrift::store;
using Clock = std::chrono::steady_clock;

inline constexpr std::size_t kBigCount = 100000;  // (a), (c)
inline constexpr std::size_t kSmallCount = 5000;  // (b), per source
inline constexpr std::size_t kSourceCount = 20;   // (b)
inline constexpr std::size_t kAwsDays = 30;       // (d)
inline constexpr std::int64_t kDayMs = 86400000;
inline constexpr std::int64_t kT0 = 1787400000000;  // 2026-08-22, Unix ms: fetched_at of the first snapshot
inline constexpr std::uint64_t kAwsSeed = 20260822;

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

[[noreturn]] inline void fail(const std::string& what) { throw std::runtime_error(what); }

// --- input (bench_store_input.cpp) ------------------------------------------------------------------------------

std::string read_file(const fs::path& path);

// Disjoint, pairwise non-adjacent prefixes: each one lives in its own even-numbered /24 (IPv4) or /48 (IPv6) slot,
// so nothing merges on normalization and N prefixes are N stored entries. 80% IPv4 in 1.0.0.0-223.255.255.255
// (half /24, 30% single addresses, 20% /25-/31), 20% IPv6 in 2000::/3 (half /48, 30% /64, 20% /128), in random
// order. Drawn through prefix_gen.h's library-independent helpers: a seed gives the same lists everywhere.
class SyntheticSource {
 public:
  explicit SyntheticSource(std::uint64_t seed) : rng_(seed) {}

  std::vector<std::string> make(std::size_t count);

  // `count` prefixes of `list`, chosen uniformly, replaced by fresh ones (never a slot used before).
  std::vector<std::string> replace(std::vector<std::string> list, std::size_t count);

 private:
  std::string fresh();

  ab::Rng rng_;
  std::unordered_set<std::uint64_t> used_;  // slot << 1 | (IPv6 ? 1 : 0)
};

m::IpSet to_ip_set(const std::vector<std::string>& prefixes);

st::SnapshotInput snapshot_input(std::string source, std::int64_t fetched_at, m::IpSet ips);

// .prefixes[].ip_prefix and .ipv6_prefixes[].ipv6_prefix of an AWS ip-ranges.json, as one normalized set.
m::IpSet read_aws(const fs::path& path, std::size_t& listed);

// The next day of a list: kRemove of its minimal CIDR blocks dropped (uniformly chosen), kAdd4 IPv4 /24 and kAdd6
// IPv6 /48 blocks added where the list has nothing yet (an added block may touch a neighbour and merge with it).
m::IpSet next_day(const m::IpSet& today, ab::Rng& rng);

// --- the benchmarks (a)-(d) (bench_store_runs.cpp) --------------------------------------------------------------

struct Options {
  int runs = 5;
  fs::path tmp_parent = fs::temp_directory_path();
  fs::path aws_file = fs::path(ALLOWDRIFT_BENCH_DATA_DIR) / "aws-ip-ranges-2026-08-22-1157.json";
  std::string only = "abcd";
  std::uint64_t seed = 1;
};

// Runs the benchmarks selected by o.only on databases in a new temporary directory; prints a table.
int run_benchmarks(const Options& o);

}  // namespace allowdrift::bench_store
