// Helpers shared by the store_fault_*_test.cpp files: file bytes, SQL checks, small snapshots, open failures.
#pragma once

#include "child_checks.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"
#include "store_fault_content.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>

namespace allowdrift::store::fault_test {

namespace fs = std::filesystem;

using allowdrift::testing::errno_text;

inline void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The rows of PRAGMA integrity_check, joined: "ok" for a sound database.
inline std::string integrity(Database& db) {
  auto st = db.prepare("PRAGMA integrity_check");
  std::string out;
  while (st.step()) out += (out.empty() ? "" : "; ") + st.column_text(0);
  return out;
}

inline std::int64_t scalar(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  return st.step() ? st.column_int64(0) : -1;
}

// The directory's file names, to show that a refused open left nothing behind (no -wal, -shm or -journal).
inline std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// A small snapshot of generation `gen` with `count` prefixes (the content scheme of store_fault_content.h).
inline SnapshotInput small_input(std::int64_t gen, std::int64_t count) {
  SnapshotInput in;
  in.source = fault::kSource;
  in.fetched_at = 1'700'000'000'000 + gen * 1000;
  in.change_token = "gen=" + std::to_string(gen) + ";n=" + std::to_string(count);
  in.sections.push_back({"", fault::content_of(gen, count), {}});
  return in;
}

inline StoreError open_failure(const std::function<void()>& open) {
  try {
    open();
  } catch (const StoreFailure& e) {
    return e.error();
  }
  return {StoreErrorKind::kInternal, "<opened without error>"};
}

inline std::string describe(const StoreError& e) { return std::string(to_string(e.kind)) + ": " + e.message; }

// A real, checkpointed state database of a few hundred pages, closed (no -wal left).
inline void make_database(const fs::path& path) {
  Database db = open_state_db(path);
  SnapshotStore store(db);
  for (std::int64_t gen = 0; gen < 3; ++gen) store.record(small_input(gen, 3000));
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace allowdrift::store::fault_test
