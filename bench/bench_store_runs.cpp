// allowdrift_bench_store's benchmarks (a)-(d) (see bench_store.cpp): database files in a temporary directory,
// the timing loop, and the printed rows and the 30-day table.
#include "bench_store.h"

#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace allowdrift::bench_store {
namespace {

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

}  // namespace

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

}  // namespace allowdrift::bench_store
