#include "store/state_db.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace allowdrift::store {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const fs::path& path, StoreErrorKind kind, const std::string& why) {
  throw StoreFailure(StoreError{kind, "database " + path.string() + ": " + why});
}

// A clear message before SQLite's generic "unable to open database file".
void check_location(const fs::path& path, bool writable) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    refuse(path, StoreErrorKind::kCannotOpen, "state directory " + dir.string() + " does not exist");
  if (writable && ::access(dir.c_str(), W_OK) != 0)
    refuse(path, StoreErrorKind::kReadOnly,
           "state directory " + dir.string() + " is not writable (" + std::strerror(errno) + ")");
  if (fs::exists(path, ec)) {
    if (!fs::is_regular_file(path, ec)) refuse(path, StoreErrorKind::kNotADatabase, "not a regular file");
    if (writable && ::access(path.c_str(), W_OK) != 0)
      refuse(path, StoreErrorKind::kReadOnly, std::string("file is not writable (") + std::strerror(errno) + ")");
  } else if (!writable) {
    refuse(path, StoreErrorKind::kCannotOpen, "no such database (has the daemon run yet?)");
  }
}

void quick_check(Database& db) {
  auto stmt = db.prepare("PRAGMA quick_check");
  std::string problems;
  while (stmt.step()) {
    const std::string row = stmt.column_text(0);
    if (row == "ok") return;
    if (problems.size() < 500) problems += (problems.empty() ? "" : "; ") + row;
  }
  refuse(db.path(), StoreErrorKind::kCorrupt, "integrity check failed: " + problems);
}

void set_pragmas(Database& db, const StateDbOptions& options, bool writable) {
  db.exec("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count()));
  db.exec("PRAGMA foreign_keys = ON");
  if (!writable) return;
  auto mode = db.prepare("PRAGMA journal_mode = WAL");
  if (!mode.step() || mode.column_text(0) != "wal")
    refuse(db.path(), StoreErrorKind::kIo, "cannot switch to WAL mode (network file system?)");
  // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and a lost snapshot or alert
  // state means repeated or missed alerts. allowdrift writes a few transactions an hour, so the extra fsync per
  // commit costs nothing that matters.
  db.exec("PRAGMA synchronous = FULL");
  // A snapshot's batched INSERTs run inside a savepoint of the source's transaction, which journals the original
  // of every existing page they change; past 64 KiB that journal spilled to a file in /var/tmp (created, written,
  // unlinked: five times in a fresh `--once` of the bench, 3 ms of 62). In memory it holds at most the pages one
  // snapshot's writes change, and is freed when the savepoint ends.
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA journal_size_limit = " + std::to_string(options.journal_size_limit));
}

}  // namespace

Database open_state_db(const fs::path& path, const StateDbOptions& options, std::span<const Migration> migrations) {
  check_location(path, true);
  Database db = Database::open(path, Database::Mode::kReadWrite);
  db.exec("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count()));
  // Read-only checks first: a damaged file or another program's database is refused before anything is written.
  if (options.quick_check) quick_check(db);
  check_application(db);
  set_pragmas(db, options, true);
  migrate(db, migrations);
  return db;
}

Database open_state_db_read_only(const fs::path& path, const StateDbOptions& options,
                                 std::span<const Migration> migrations) {
  check_location(path, false);
  Database db = Database::open(path, Database::Mode::kReadOnly);
  try {
    set_pragmas(db, options, false);
    if (options.quick_check) quick_check(db);
    check_application(db);
  } catch (const StoreFailure& e) {
    // A WAL database needs its -shm file even to read; without write access to the directory SQLite cannot
    // create it while the daemon is stopped.
    // SQLite says SQLITE_READONLY for EACCES but SQLITE_CANTOPEN for a read-only file system (EROFS).
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const bool dir_writable = ::access(dir.c_str(), W_OK) == 0;
    if (e.error().kind != StoreErrorKind::kReadOnly &&
        !(e.error().kind == StoreErrorKind::kCannotOpen && !dir_writable))
      throw;
    refuse(path, StoreErrorKind::kReadOnly,
           "cannot read without write access to " + dir.string() +
               " (SQLite's WAL index needs it while the daemon is stopped); run as the daemon's user or root");
  }
  auto version = db.prepare("PRAGMA user_version");
  version.step();
  const auto v = version.column_int64(0);
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (v > latest)
    refuse(path, StoreErrorKind::kSchemaTooNew,
           "schema version " + std::to_string(v) + " is newer than this allowdrift");
  if (v < latest)
    refuse(path, StoreErrorKind::kCannotOpen,
           "schema version " + std::to_string(v) + " is older than this allowdrift; run the daemon once to migrate it");
  return db;
}

}  // namespace allowdrift::store
