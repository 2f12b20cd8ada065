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
// This file holds the command line and the subcommands; the input lists are in bench_store_input.cpp, the
// benchmarks (a)-(d) in bench_store_runs.cpp, and what they share in bench_store.h.
#include "bench_store.h"

#include "feeds/plain_list.h"
#include "model/ip_set.h"
#include "store/sha256.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace allowdrift::bench_store {
namespace {

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
}  // namespace allowdrift::bench_store

int main(int argc, char** argv) {
  try {
    return allowdrift::bench_store::run(argc, argv);
  } catch (const allowdrift::store::StoreFailure& e) {
    std::fprintf(stderr, "allowdrift_bench_store: storage error (%s): %s\n",
                 std::string(allowdrift::store::to_string(e.error().kind)).c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "allowdrift_bench_store: %s\n", e.what());
  }
  return 1;
}
