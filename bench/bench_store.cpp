// allowdrift_bench_store: timings of the SQLite state store (daemon/store/) on real database files in a temporary
// directory, opened the way the daemon opens them (open_state_db: WAL, synchronous=FULL, foreign keys, migrations),
// and the size of a database that keeps 30 days of a real vendor list. A plain timing program: every measurement
// runs once untimed, then --runs times on fresh files; the median and the best are printed. See bench/README.md.
//
//   (a) record(): a 100k-prefix snapshot into a new database; the second snapshot of that source with 1% of the
//       prefixes replaced; the same content again (only confirmed_at moves)
//   (b) last_accepted() + content() of 20 sources of 5k prefixes each (each source has two snapshots)
//   (c) changes() between two 100k-prefix snapshots of one source (1% replaced)
//   (d) 30 daily snapshots of the real AWS ip-ranges.json (bench/data/), a few prefixes added and removed each day
//       by a fixed-seed generator, plus one identical re-fetch a day: database size (main file + WAL after a
//       checkpoint) day by day, and the growth per day against the size of the changes
//
// Subcommands for compare_sqlite3.sh (see usage()): init-db, write-list, write-sql, record.
#include "prefix_gen.h"

#include "feeds/plain_list.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "store/sha256.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#ifndef ALLOWDRIFT_BENCH_DATA_DIR
#define ALLOWDRIFT_BENCH_DATA_DIR "bench/data"
#endif

namespace {

namespace ab = allowdrift::bench;
namespace fs = std::filesystem;
namespace m = allowdrift::model;
namespace st = allowdrift::store;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBigCount = 100000;  // (a), (c)
constexpr std::size_t kSmallCount = 5000;  // (b), per source
constexpr std::size_t kSourceCount = 20;   // (b)
constexpr std::size_t kAwsDays = 30;       // (d)
constexpr std::int64_t kDayMs = 86400000;
constexpr std::int64_t kT0 = 1787400000000;  // 2026-08-22, Unix ms: fetched_at of the first snapshot
constexpr std::uint64_t kAwsSeed = 20260822;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// --- input ------------------------------------------------------------------------------------------------------

// Disjoint, pairwise non-adjacent prefixes: each one lives in its own even-numbered /24 (IPv4) or /48 (IPv6) slot,
// so nothing merges on normalization and N prefixes are N stored entries. 80% IPv4 in 1.0.0.0-223.255.255.255
// (half /24, 30% single addresses, 20% /25-/31), 20% IPv6 in 2000::/3 (half /48, 30% /64, 20% /128), in random
// order. Drawn through prefix_gen.h's library-independent helpers: a seed gives the same lists everywhere.
class SyntheticSource {
 public:
  explicit SyntheticSource(std::uint64_t seed) : rng_(seed) {}

  std::vector<std::string> make(std::size_t count) {
    std::vector<std::string> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) out.push_back(fresh());
    return out;
  }

  // `count` prefixes of `list`, chosen uniformly, replaced by fresh ones (never a slot used before).
  std::vector<std::string> replace(std::vector<std::string> list, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      const auto at = static_cast<std::ptrdiff_t>(ab::uniform(rng_, list.size() - i));
      std::swap(*(list.begin() + at), *(list.end() - static_cast<std::ptrdiff_t>(i) - 1));
    }
    list.resize(list.size() - count);
    for (std::size_t i = 0; i < count; ++i) list.push_back(fresh());
    return list;
  }

 private:
  std::string fresh() {
    while (true) {
      const bool v4 = ab::uniform(rng_, 10) < 8;
      const std::uint64_t slot = v4 ? ab::uniform(rng_, 223ULL * 65536 / 2) : ab::uniform(rng_, 1ULL << 44);
      if (!used_.insert(slot << 1 | (v4 ? 0U : 1U)).second) continue;
      const std::uint64_t shape = ab::uniform(rng_, 10);
      if (v4) {
        const m::U128 net = m::U128{0x010000 + 2 * slot} << 8;
        if (shape < 5) return m::format_cidr(m::Family::kV4, net, 24);
        if (shape < 8) return m::format_cidr(m::Family::kV4, net + ab::uniform(rng_, 256), 32);
        const int len = 25 + static_cast<int>(ab::uniform(rng_, 7));
        return m::format_cidr(m::Family::kV4, net + (m::U128{ab::uniform(rng_, 1ULL << (len - 24))} << (32 - len)),
                              len);
      }
      const m::U128 net = (m::U128{1} << 125) | (m::U128{2 * slot} << 80);
      if (shape < 5) return m::format_cidr(m::Family::kV6, net, 48);
      if (shape < 8) return m::format_cidr(m::Family::kV6, net | (m::U128{ab::uniform(rng_, 65536)} << 64), 64);
      const m::U128 host = (m::U128{ab::uniform(rng_, 65536)} << 64) | m::U128{rng_()};
      return m::format_cidr(m::Family::kV6, net | host, 128);
    }
  }

  ab::Rng rng_;
  std::unordered_set<std::uint64_t> used_;  // slot << 1 | (IPv6 ? 1 : 0)
};

m::IpSet to_ip_set(const std::vector<std::string>& prefixes) {
  m::IpSetBuilder builder;
  for (const auto& p : prefixes) {
    auto entry = m::parse_ip_entry(p);
    if (!entry) fail("bad prefix " + p + ": " + entry.error().message);
    builder.add(*entry);
  }
  return std::move(builder).build();
}

st::SnapshotInput snapshot_input(std::string source, std::int64_t fetched_at, m::IpSet ips) {
  st::SnapshotInput in;
  in.source = std::move(source);
  in.fetched_at = fetched_at;
  in.sections.push_back({"", std::move(ips), {}});
  return in;
}

// .prefixes[].ip_prefix and .ipv6_prefixes[].ipv6_prefix of an AWS ip-ranges.json, as one normalized set.
m::IpSet read_aws(const fs::path& path, std::size_t& listed) {
  const boost::json::value doc = boost::json::parse(read_file(path));
  std::vector<std::string> prefixes;
  for (const auto& [array, key] : {std::pair{"prefixes", "ip_prefix"}, std::pair{"ipv6_prefixes", "ipv6_prefix"}})
    for (const auto& item : doc.as_object().at(array).as_array())
      prefixes.emplace_back(std::string_view(item.as_object().at(key).as_string()));
  listed = prefixes.size();
  return to_ip_set(prefixes);
}

m::IpSet one_block(const std::string& cidr) { return to_ip_set({cidr}); }

// The next day of a list: kRemove of its minimal CIDR blocks dropped (uniformly chosen), kAdd4 IPv4 /24 and kAdd6
// IPv6 /48 blocks added where the list has nothing yet (an added block may touch a neighbour and merge with it).
m::IpSet next_day(const m::IpSet& today, ab::Rng& rng) {
  constexpr int kRemove = 2;
  constexpr int kAdd4 = 2;
  constexpr int kAdd6 = 1;
  m::IpSet out = today;
  for (int i = 0; i < kRemove; ++i) {
    const auto blocks = out.to_cidr_strings();
    out = out.difference(one_block(blocks[ab::uniform(rng, blocks.size())]));
  }
  for (int i = 0; i < kAdd4 + kAdd6; ++i) {
    while (true) {
      const std::string cidr =
          i < kAdd4
              ? m::format_cidr(m::Family::kV4, m::U128{0x010000 + ab::uniform(rng, 223ULL * 65536)} << 8, 24)
              : m::format_cidr(m::Family::kV6, (m::U128{1} << 125) | (m::U128{ab::uniform(rng, 1ULL << 45)} << 80), 48);
      if (today.intersects(*m::parse_ip_entry(cidr))) continue;
      out = out.unite(one_block(cidr));
      break;
    }
  }
  return out;
}

// --- files --------------------------------------------------------------------------------------------------------

class TempDir {
 public:
  explicit TempDir(const fs::path& parent) {
    std::string pattern = (parent / "allowdrift-bench-store.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail("cannot create a directory under " + parent.string());
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path with_suffix(const fs::path& db, const char* suffix) { return fs::path(db.string() + suffix); }

void remove_db(const fs::path& db) {
  fs::remove(db);
  fs::remove(with_suffix(db, "-wal"));
  fs::remove(with_suffix(db, "-shm"));
}

// Main file + WAL after a full checkpoint (PRAGMA wal_checkpoint(TRUNCATE) empties the WAL).
std::uintmax_t db_bytes(st::Database& db) {
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const fs::path path = db.path();
  std::error_code ec;
  const std::uintmax_t wal = fs::file_size(with_suffix(path, "-wal"), ec);
  return fs::file_size(path) + (ec ? 0 : wal);
}

std::int64_t query_int(st::Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt.step()) fail("no row: " + sql);
  return stmt.column_int64(0);
}

// --- measurements -----------------------------------------------------------------------------------------------

struct Samples {
  std::vector<double> ms;
  double median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  double best() const { return *std::min_element(ms.begin(), ms.end()); }
};

// One untimed warm-up, then `runs` timed runs; `once` returns the milliseconds it measured.
template <class Fn>
Samples measure(int runs, Fn once) {
  (void)once();
  Samples s;
  for (int i = 0; i < runs; ++i) s.ms.push_back(once());
  return s;
}

void print_row(const std::string& what, const Samples& s, const std::string& note = "") {
  std::printf("  %-58s %9.1f %9.1f  %s\n", what.c_str(), s.median(), s.best(), note.c_str());
}

struct Options {
  int runs = 5;
  fs::path tmp_parent = fs::temp_directory_path();
  fs::path aws_file = fs::path(ALLOWDRIFT_BENCH_DATA_DIR) / "aws-ip-ranges-2026-08-22-1157.json";
  std::string only = "abcd";
  std::uint64_t seed = 1;
};

void bench_record(const Options& o, const fs::path& dir) {
  SyntheticSource gen(o.seed);
  const auto day1_list = gen.make(kBigCount);
  const auto day2_list = gen.replace(day1_list, kBigCount / 100);
  const m::IpSet day1 = to_ip_set(day1_list);
  const m::IpSet day2 = to_ip_set(day2_list);
  const fs::path path = dir / "a.db";

  // New database each run; the timer covers record() only (one transaction, committed and fsynced).
  const Samples fresh = measure(o.runs, [&] {
    remove_db(path);
    st::Database db = st::open_state_db(path);
    st::SnapshotStore store(db);
    const st::SnapshotInput in = snapshot_input("bench", kT0, day1);
    const auto t0 = Clock::now();
    const auto r = store.record(in);
    const double ms = ms_since(t0);
    if (!r.created || store.snapshot(r.snapshot_id)->ip_count != static_cast<std::int64_t>(kBigCount))
      fail("(a) the first snapshot was not stored whole");
    return ms;
  });
  std::int64_t added = 0;
  std::int64_t removed = 0;
  const Samples second = measure(o.runs, [&] {
    remove_db(path);
    st::Database db = st::open_state_db(path);
    st::SnapshotStore store(db);
    store.record(snapshot_input("bench", kT0, day1));
    const st::SnapshotInput in = snapshot_input("bench", kT0 + kDayMs, day2);
    const auto t0 = Clock::now();
    const auto r = store.record(in);
    const double ms = ms_since(t0);
    const auto info = store.snapshot(r.snapshot_id);
    added = info->added;
    removed = info->removed;
    return ms;
  });
  const Samples same = measure(o.runs, [&] {
    remove_db(path);
    st::Database db = st::open_state_db(path);
    st::SnapshotStore store(db);
    store.record(snapshot_input("bench", kT0, day1));
    const st::SnapshotInput in = snapshot_input("bench", kT0 + kDayMs, day1);
    const auto t0 = Clock::now();
    const auto r = store.record(in);
    const double ms = ms_since(t0);
    if (r.created) fail("(a) identical content created a snapshot");
    return ms;
  });
  remove_db(path);
  print_row("(a) record 100k prefixes into a new database", fresh, "100000 entry rows");
  print_row("(a) record the 2nd snapshot, 1% replaced", second,
            "+" + std::to_string(added) + " -" + std::to_string(removed) + " entry rows");
  print_row("(a) record the same 100k content again", same, "0 rows; confirmed_at moves");
}

void bench_load(const Options& o, const fs::path& dir) {
  const fs::path path = dir / "b.db";
  st::Database db = st::open_state_db(path);
  st::SnapshotStore store(db);
  for (std::size_t i = 0; i < kSourceCount; ++i) {
    SyntheticSource gen(o.seed + 100 + i);
    const auto list = gen.make(kSmallCount);
    const std::string name = "source-" + std::to_string(i);
    store.record(snapshot_input(name, kT0, to_ip_set(list)));
    store.record(snapshot_input(name, kT0 + kDayMs, to_ip_set(gen.replace(list, kSmallCount / 100))));
  }
  const Samples load = measure(o.runs, [&] {
    const auto t0 = Clock::now();
    std::size_t intervals = 0;
    for (std::size_t i = 0; i < kSourceCount; ++i) {
      const auto info = store.last_accepted("source-" + std::to_string(i));
      for (const auto& section : store.content(info->id))
        intervals += section.ips.v4().interval_count() + section.ips.v6().interval_count();
    }
    const double ms = ms_since(t0);
    if (intervals != kSourceCount * kSmallCount) fail("(b) wrong content size " + std::to_string(intervals));
    return ms;
  });
  print_row("(b) last_accepted + content, 20 sources x 5k prefixes", load,
            std::to_string(query_int(db, "SELECT count(*) FROM entry")) + " entry rows in the database");
}

void bench_changes(const Options& o, const fs::path& dir) {
  const fs::path path = dir / "c.db";
  st::Database db = st::open_state_db(path);
  st::SnapshotStore store(db);
  SyntheticSource gen(o.seed);
  const auto list = gen.make(kBigCount);
  const auto from = store.record(snapshot_input("bench", kT0, to_ip_set(list))).snapshot_id;
  const auto to =
      store.record(snapshot_input("bench", kT0 + kDayMs, to_ip_set(gen.replace(list, kBigCount / 100)))).snapshot_id;
  std::size_t added = 0;
  std::size_t removed = 0;
  const Samples changes = measure(o.runs, [&] {
    const auto t0 = Clock::now();
    const auto ch = store.changes(from, to);
    const double ms = ms_since(t0);
    added = ch.empty() ? 0 : ch.front().added.size();
    removed = ch.empty() ? 0 : ch.front().removed.size();
    return ms;
  });
  print_row("(c) changes between two 100k snapshots", changes,
            "+" + std::to_string(added) + " -" + std::to_string(removed) + " blocks");
}

void bench_aws(const Options& o, const fs::path& dir) {
  std::size_t listed = 0;
  std::vector<m::IpSet> days{read_aws(o.aws_file, listed)};
  ab::Rng rng(kAwsSeed);
  while (days.size() < kAwsDays) days.push_back(next_day(days.back(), rng));

  struct Day {
    std::size_t blocks = 0;
    std::int64_t added = 0;
    std::int64_t removed = 0;
    std::int64_t rows = 0;
    std::uintmax_t bytes = 0;
  };
  std::vector<Day> table(kAwsDays);
  std::uintmax_t empty_bytes = 0;
  const fs::path path = dir / "d.db";
  // Each day: the day's content, then an identical re-fetch 12 hours later (only confirmed_at moves). The timer
  // covers the record() calls; the checkpoint and size reading after each day are outside it.
  const Samples run = measure(o.runs, [&] {
    remove_db(path);
    st::Database db = st::open_state_db(path);
    st::SnapshotStore store(db);
    empty_bytes = db_bytes(db);
    double ms = 0;
    for (std::size_t d = 0; d < kAwsDays; ++d) {
      const std::int64_t at = kT0 + static_cast<std::int64_t>(d) * kDayMs;
      const st::SnapshotInput in = snapshot_input("aws", at, days[d]);
      const st::SnapshotInput again = snapshot_input("aws", at + kDayMs / 2, days[d]);
      const auto t0 = Clock::now();
      const auto r = store.record(in);
      const auto r2 = store.record(again);
      ms += ms_since(t0);
      if (!r.created || r2.created || r2.snapshot_id != r.snapshot_id) fail("(d) unexpected dedupe result");
      const auto info = store.snapshot(r.snapshot_id);
      table[d] = {static_cast<std::size_t>(info->ip_count), info->added, info->removed,
                  query_int(db, "SELECT count(*) FROM entry"), db_bytes(db)};
    }
    if (query_int(db, "SELECT count(*) FROM snapshot") != static_cast<std::int64_t>(kAwsDays))
      fail("(d) expected one snapshot row per day");
    return ms;
  });
  remove_db(path);

  char per_day[32];
  std::snprintf(per_day, sizeof per_day, "%.2f ms a day", run.median() / kAwsDays);
  print_row("(d) AWS: 30 days, 2 record() calls a day (total)", run, per_day);
  std::printf("\n(d) AWS ip-ranges.json (%s): %zu prefixes listed, %zu minimal CIDR blocks on day 1\n",
              o.aws_file.filename().c_str(), listed, table[0].blocks);
  std::printf("    each day after the first: 2 blocks removed, two /24 and one /48 added (seed %llu)\n",
              static_cast<unsigned long long>(kAwsSeed));
  std::printf("  %4s %8s %7s %7s %10s %12s %10s\n", "day", "blocks", "added", "removed", "entry rows", "DB bytes",
              "growth");
  for (std::size_t d = 0; d < kAwsDays; ++d) {
    const auto& t = table[d];
    const std::intmax_t growth =
        static_cast<std::intmax_t>(t.bytes) - static_cast<std::intmax_t>(d == 0 ? empty_bytes : table[d - 1].bytes);
    std::printf("  %4zu %8zu %7lld %7lld %10lld %12ju %+10jd\n", d + 1, t.blocks, static_cast<long long>(t.added),
                static_cast<long long>(t.removed), static_cast<long long>(t.rows), t.bytes, growth);
  }
  const auto& first = table.front();
  const auto& last = table.back();
  const double per_row = static_cast<double>(first.bytes - empty_bytes) / static_cast<double>(first.rows);
  const double growth_per_day = static_cast<double>(last.bytes - first.bytes) / (kAwsDays - 1);
  double changed = 0;
  for (std::size_t d = 1; d < kAwsDays; ++d) changed += static_cast<double>(table[d].added + table[d].removed);
  changed /= kAwsDays - 1;
  std::printf("  empty database %ju bytes; day 1 %ju bytes (%.0f bytes per entry row, indexes included)\n", empty_bytes,
              first.bytes, per_row);
  std::printf("  day 30 %ju bytes: growth %.0f bytes/day for %.1f changed entries/day (%.0f bytes of rows)\n",
              last.bytes, growth_per_day, changed, changed * per_row);
  std::printf("  30 full copies would take about %.0f bytes; stored: %ju (%.2fx day 1)\n",
              static_cast<double>(empty_bytes) + kAwsDays * static_cast<double>(first.bytes - empty_bytes), last.bytes,
              static_cast<double>(last.bytes) / static_cast<double>(first.bytes));
}

int run_benchmarks(const Options& o) {
  const TempDir dir(o.tmp_parent);
  std::printf("allowdrift_bench_store: SQLite %s, databases in %s, %d timed runs each after one warm-up\n",
              sqlite3_libversion(), dir.path().c_str(), o.runs);
  std::printf("  %-58s %9s %9s\n", "measurement", "median ms", "best ms");
  if (o.only.find('a') != std::string::npos) bench_record(o, dir.path());
  if (o.only.find('b') != std::string::npos) bench_load(o, dir.path());
  if (o.only.find('c') != std::string::npos) bench_changes(o, dir.path());
  if (o.only.find('d') != std::string::npos) bench_aws(o, dir.path());
  return 0;
}

// --- subcommands for compare_sqlite3.sh ---------------------------------------------------------------------------

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) fail("cannot write " + path.string());
}

// The generated prefixes, one a line, in generation (random) order.
int write_list(const fs::path& path, std::size_t count, std::uint64_t seed) {
  std::string text;
  for (const auto& p : SyntheticSource(seed).make(count)) text += p + "\n";
  write_text(path, text);
  return 0;
}

std::string sql_quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The rows record() writes into a fresh database (init-db) for the same list: the source, the snapshot and one
// entry row per minimal CIDR block, in record()'s order (sorted (section, value)), one INSERT statement each. No
// BEGIN/COMMIT and no pragmas: compare_sqlite3.sh adds them, so the settings are visible there.
int write_sql(const fs::path& path, std::size_t count, std::uint64_t seed, std::int64_t fetched_at) {
  const m::IpSet set = to_ip_set(SyntheticSource(seed).make(count));
  std::vector<std::string> values = set.to_cidr_strings();
  std::sort(values.begin(), values.end());
  std::vector<st::SectionContent> sections;
  sections.push_back({"", set, {}});
  const std::string hash = st::sha256_hex(st::canonical_content(sections));
  std::string sql;
  sql.reserve(values.size() * 80);
  sql += "INSERT INTO source(name) VALUES ('bench');\n";
  sql +=
      "INSERT INTO snapshot(source_id, fetched_at, confirmed_at, status, reason, etag, last_modified, final_url, "
      "change_token, body_sha256, content_sha256, ip_count, domain_count) VALUES (1, " +
      std::to_string(fetched_at) + ", " + std::to_string(fetched_at) + ", 'accepted', '', NULL, NULL, NULL, NULL, " +
      "NULL, " + sql_quote(hash) + ", " + std::to_string(values.size()) + ", 0);\n";
  for (const auto& v : values)
    sql += "INSERT INTO entry(source_id, section, value, added_in) VALUES (1, '', " + sql_quote(v) + ", 1);\n";
  write_text(path, sql);
  return 0;
}

// Creates and migrates an empty state database, checkpointed: the starting point of both sides of the comparison.
int init_db(const fs::path& path) {
  st::Database db = st::open_state_db(path);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return 0;
}

// Reads a list file, opens the database as the daemon does and stores the list as one snapshot of source "bench".
// Prints the three phases in milliseconds: "read_parse_ms=.. open_ms=.. record_ms=.. entries=..".
int record(const fs::path& db_path, const fs::path& list_path, std::int64_t fetched_at) {
  auto t0 = Clock::now();
  const auto list = allowdrift::feeds::parse_plain_list(read_file(list_path));
  const double parse_ms = ms_since(t0);
  t0 = Clock::now();
  st::Database db = st::open_state_db(db_path);
  st::SnapshotStore store(db);
  const double open_ms = ms_since(t0);
  const st::SnapshotInput in = snapshot_input("bench", fetched_at, list.ips);
  t0 = Clock::now();
  const auto r = store.record(in);
  const double record_ms = ms_since(t0);
  std::printf("read_parse_ms=%.1f open_ms=%.1f record_ms=%.1f entries=%lld\n", parse_ms, open_ms, record_ms,
              static_cast<long long>(store.snapshot(r.snapshot_id)->ip_count));
  return 0;
}

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: allowdrift_bench_store [--runs N] [--tmpdir DIR] [--only abcd] [--aws FILE] [--seed S]\n"
               "         the benchmarks (a)-(d); see bench/README.md\n"
               "       allowdrift_bench_store init-db DB\n"
               "       allowdrift_bench_store write-list FILE [--count N] [--seed S]\n"
               "       allowdrift_bench_store write-sql FILE [--count N] [--seed S] [--fetched-at MS]\n"
               "       allowdrift_bench_store record DB LIST [--fetched-at MS]\n");
}

template <class T>
T number(std::string_view text, std::string_view flag) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    fail(std::string(flag) + ": not a number: " + std::string(text));
  return v;
}

int run(int argc, char** argv) {
  std::vector<std::string_view> positional;
  Options o;
  std::size_t count = kBigCount;
  std::int64_t fetched_at = kT0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) fail(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else if (arg == "--runs") {
      o.runs = number<int>(value(), arg);
      if (o.runs < 1) fail("--runs must be at least 1");
    } else if (arg == "--tmpdir") {
      o.tmp_parent = value();
    } else if (arg == "--only") {
      o.only = value();
    } else if (arg == "--aws") {
      o.aws_file = value();
    } else if (arg == "--seed") {
      o.seed = number<std::uint64_t>(value(), arg);
    } else if (arg == "--count") {
      count = number<std::size_t>(value(), arg);
    } else if (arg == "--fetched-at") {
      fetched_at = number<std::int64_t>(value(), arg);
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "allowdrift_bench_store: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    } else {
      positional.push_back(arg);
    }
  }
  auto expect = [&](std::size_t n) {
    if (positional.size() != n) {
      usage(stderr);
      fail("wrong number of arguments");
    }
  };
  if (positional.empty()) return run_benchmarks(o);
  const std::string_view cmd = positional[0];
  if (cmd == "init-db") {
    expect(2);
    return init_db(positional[1]);
  }
  if (cmd == "write-list") {
    expect(2);
    return write_list(positional[1], count, o.seed);
  }
  if (cmd == "write-sql") {
    expect(2);
    return write_sql(positional[1], count, o.seed, fetched_at);
  }
  if (cmd == "record") {
    expect(3);
    return record(positional[1], positional[2], fetched_at);
  }
  usage(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const st::StoreFailure& e) {
    std::fprintf(stderr, "allowdrift_bench_store: storage error (%s): %s\n",
                 std::string(st::to_string(e.error().kind)).c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "allowdrift_bench_store: %s\n", e.what());
  }
  return 1;
}
