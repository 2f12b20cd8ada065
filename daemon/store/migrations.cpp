#include "store/migrations.h"

#include "store/sha256.h"

#include <chrono>

namespace allowdrift::store {
namespace {

[[noreturn]] void refuse(const Database& db, StoreErrorKind kind, const std::string& why) {
  throw StoreFailure(StoreError{kind, "database " + db.path() + ": " + why});
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_empty(Database& db) {
  // Reading the schema is the first real access: a file that is not SQLite fails here with kNotADatabase.
  auto count_objects = db.prepare("SELECT count(*) FROM sqlite_schema");
  count_objects.step();
  return count_objects.column_int64(0) == 0;
}

void refuse_if_newer(const Database& db, int version, int latest) {
  if (version > latest)
    refuse(db, StoreErrorKind::kSchemaTooNew,
           "schema version " + std::to_string(version) + " is newer than this allowdrift supports (" +
               std::to_string(latest) + "); use a newer allowdrift");
}

// Applied migrations must be byte-for-byte the ones this binary carries.
void verify_applied(Database& db, std::span<const Migration> migrations, int from_version) {
  auto applied = db.prepare("SELECT sha256, name FROM schema_migration WHERE version = ?");
  for (const Migration& m : migrations) {
    if (m.version > from_version) break;
    applied.bind(1, std::int64_t{m.version});
    if (!applied.step())
      refuse(db, StoreErrorKind::kMigrationEdited,
             "migration " + std::to_string(m.version) + " is recorded in user_version but not in schema_migration");
    const std::string recorded = applied.column_text(0);
    applied.reset();
    if (recorded != sha256_hex(m.sql))
      refuse(db, StoreErrorKind::kMigrationEdited,
             "migration " + std::to_string(m.version) + "_" + std::string(m.name) +
                 " differs from the one applied to this database (edited after release?)");
  }
}

}  // namespace

void check_application(Database& db) {
  const bool empty = is_empty(db);
  const std::int64_t app_id = db.pragma_int("application_id");
  if (app_id != kApplicationId && !(empty && app_id == 0))
    refuse(db, StoreErrorKind::kNotADatabase,
           "not an allowdrift database (application_id " + std::to_string(app_id) + "); refusing to touch it");
}

MigrationReport migrate(Database& db, std::span<const Migration> migrations) {
  MigrationReport report;
  // Versions 1, 2, 3... in order: a gap or a swap would skip a migration silently (the loop below trusts it).
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1)
      throw StoreFailure({StoreErrorKind::kInternal, "migration list is not 1, 2, 3...: entry " + std::to_string(i) +
                                                         " has version " + std::to_string(migrations[i].version)});
  }
  check_application(db);
  const bool empty = is_empty(db);

  const int latest = migrations.empty() ? 0 : migrations.back().version;
  report.from_version = static_cast<int>(db.pragma_int("user_version"));
  refuse_if_newer(db, report.from_version, latest);

  if (!empty && report.from_version == latest) {
    verify_applied(db, migrations, report.from_version);
    report.to_version = report.from_version;
    return report;  // up to date: no write lock taken (the daemon starts while a CLI command writes)
  }
  // The set-up and every pending migration in one transaction, one commit (each commit is an fsync: a new state
  // database took four), each migration in a savepoint of its own (a nested Transaction): a failing one is rolled
  // back whole and the ones before it are committed, as if each had had its own transaction.
  Transaction all(db);
  // Again under the write lock: another process may have set up or migrated the file while this one waited.
  report.from_version = static_cast<int>(db.pragma_int("user_version"));
  refuse_if_newer(db, report.from_version, latest);
  if (empty) {
    // Two processes may open a new file at once: do the set-up under the write lock, idempotently.
    if (is_empty(db)) db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
  }

  verify_applied(db, migrations, report.from_version);

  for (const Migration& m : migrations) {
    if (m.version <= report.from_version) continue;
    try {
      Transaction tx(db);
      // Re-read under the write lock: another process may have applied this migration since we looked.
      if (db.pragma_int("user_version") >= m.version) {
        tx.commit();
        continue;
      }
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migration(version, name, sha256, applied_at) VALUES (?, ?, ?, ?)")
          .bind(1, std::int64_t{m.version})
          .bind(2, m.name)
          .bind(3, sha256_hex(m.sql))
          .bind(4, now_ms())
          .run();
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    } catch (const StoreFailure& e) {
      // A busy lock or a full disk is not a broken migration: keep its kind so the caller retries or alerts
      // (nothing of this run's set-up and migrations stays: the next open does them again).
      const auto kind = e.error().kind;
      if (kind == StoreErrorKind::kBusy || kind == StoreErrorKind::kFull || kind == StoreErrorKind::kIo ||
          kind == StoreErrorKind::kReadOnly)
        throw;
      try {
        all.commit();  // the set-up and the migrations before this one
      } catch (const StoreFailure&) {
        // SQLite ended the whole transaction itself (out of memory, interrupted): nothing of it stays, and the
        // migration's own error is the one to report.
      }
      refuse(db, StoreErrorKind::kMigrationFailed,
             "migration " + std::to_string(m.version) + "_" + std::string(m.name) +
                 " failed and was rolled back: " + e.error().message);
    }
    report.applied.push_back(m.version);
  }
  all.commit();
  report.to_version = static_cast<int>(db.pragma_int("user_version"));
  return report;
}

}  // namespace allowdrift::store
