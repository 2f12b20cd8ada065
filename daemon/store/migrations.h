// Schema migrations: migrations/NNNN_name.sql, embedded into the binary at build time (so the daemon never reads
// the source tree), applied in order, each in a savepoint of its own within one transaction. PRAGMA user_version holds
// the schema version; the schema_migration table holds each applied migration's SHA-256, so an edited migration is
// detected.
#pragma once

#include "store/sqlite_db.h"

#include <span>
#include <string_view>
#include <vector>

namespace allowdrift::store {

struct Migration {
  int version;
  std::string_view name;  // file name without the version and extension, e.g. "initial"
  std::string_view sql;
};

// The migrations built into this binary, in version order (generated from migrations/ by CMake).
std::span<const Migration> embedded_migrations();

// Marks the file as allowdrift's, so a database of another program is refused rather than migrated.
inline constexpr int kApplicationId = 0x416c4466;  // "AlDf"

// Refuses (kNotADatabase) a file that is not SQLite, or a SQLite database of another program. An empty database
// passes: it is new. Reads only.
void check_application(Database& db);

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

// Brings `db` up to the last of `migrations`. Refuses (StoreFailure) a database of another application, one
// newer than this binary (kSchemaTooNew), or one whose applied migrations differ from ours (kMigrationEdited).
// A failing migration is rolled back whole and reported as kMigrationFailed; the earlier ones stay applied. On a
// busy, full, read-only or failing disk, nothing of this call stays and the error keeps its kind.
MigrationReport migrate(Database& db, std::span<const Migration> migrations);

}  // namespace allowdrift::store
