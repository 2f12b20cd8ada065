// Opening, migrating and refusing state databases, on real SQLite files.
#include "store/state_db.h"
#include "counting_vfs.h"
#include "store_test_util.h"
#include "wal_commits.h"

#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <utility>
#include <vector>

namespace allowdrift::store {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;

std::int64_t pragma(Database& db, const std::string& name) {
  auto st = db.prepare("PRAGMA " + name);
  EXPECT_TRUE(st.step());
  return st.column_int64(0);
}

StoreError open_error(const std::filesystem::path& path,
                      std::span<const Migration> migrations = embedded_migrations()) {
  try {
    open_state_db(path, {}, migrations);
  } catch (const StoreFailure& e) {
    return e.error();
  }
  ADD_FAILURE() << "opening " << path << " succeeded";
  return {};
}

// Raw SQLite access, as another program (or an operator) would have.
void raw_exec(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(StateDb, CreatesMigratesAndReopens) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  {
    Database db = open_state_db(path);
    EXPECT_EQ(pragma(db, "user_version"), embedded_migrations().back().version);
    EXPECT_EQ(pragma(db, "application_id"), kApplicationId);
    EXPECT_EQ(pragma(db, "foreign_keys"), 1);
    EXPECT_EQ(pragma(db, "synchronous"), 2);  // FULL
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.column_text(0), "wal");
    auto applied = db.prepare("SELECT count(*) FROM schema_migration");
    ASSERT_TRUE(applied.step());
    EXPECT_EQ(applied.column_int64(0), static_cast<std::int64_t>(embedded_migrations().size()));
  }
  Database again = open_state_db(path);  // idempotent
  EXPECT_EQ(pragma(again, "user_version"), embedded_migrations().back().version);
}

TEST(StateDb, EmbeddedMigrationsAreConsecutiveAndNamed) {
  int expected = 1;
  for (const auto& m : embedded_migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.name.empty());
    EXPECT_THAT(std::string(m.sql), AnyOf(HasSubstr("CREATE "), HasSubstr("ALTER TABLE"), HasSubstr("DROP ")));
  }
}

TEST(StateDb, RefusesADatabaseNewerThanTheBinary) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  { open_state_db(path); }
  raw_exec(path, "PRAGMA user_version = 99");
  const auto before = read_bytes(path);
  const auto e = open_error(path);
  EXPECT_EQ(e.kind, StoreErrorKind::kSchemaTooNew);
  EXPECT_THAT(e.message, HasSubstr(path.string()));
  EXPECT_THAT(e.message, HasSubstr("99"));
  EXPECT_EQ(read_bytes(path), before);
}

TEST(StateDb, DetectsAnEditedMigration) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  { open_state_db(path); }
  std::vector<Migration> edited(embedded_migrations().begin(), embedded_migrations().end());
  const std::string changed = std::string(edited[0].sql) + "\n-- edited\n";
  edited[0].sql = changed;
  const auto e = open_error(path, edited);
  EXPECT_EQ(e.kind, StoreErrorKind::kMigrationEdited);
  EXPECT_THAT(e.message, HasSubstr("migration 1_initial"));
}

// A new state database is set up and migrated in one commit (an fsync each under synchronous = FULL), not one per
// migration.
TEST(StateDb, ANewDatabaseIsMigratedInOneCommit) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  ASSERT_GE(embedded_migrations().size(), 2u);
  Database db = open_state_db(path);
  EXPECT_EQ(pragma(db, "user_version"), embedded_migrations().back().version);
  EXPECT_EQ(allowdrift::testing::wal_commits(dir.path() / "state.db-wal"), 1);
}

TEST(StateDb, FailedMigrationRollsBackAndLeavesTheDatabaseAsItWas) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  std::vector<Migration> migrations(embedded_migrations().begin(), embedded_migrations().end());
  { open_state_db(path, {}, migrations); }
  const int good = migrations.back().version;
  migrations.push_back(
      {good + 1, "broken", "CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);"});
  const auto e = open_error(path, migrations);
  EXPECT_EQ(e.kind, StoreErrorKind::kMigrationFailed);
  EXPECT_THAT(e.message, HasSubstr("_broken"));
  EXPECT_THAT(e.message, HasSubstr("no_such_table"));

  migrations.pop_back();
  Database db = open_state_db(path, {}, migrations);
  EXPECT_EQ(pragma(db, "user_version"), good);
  auto t = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'");
  ASSERT_TRUE(t.step());
  EXPECT_EQ(t.column_int64(0), 0);
}

// Three migrations where each needs the one before: applied in one open, in version order, each recorded.
const std::array<Migration, 3> kChain = {{
    {1, "create", "CREATE TABLE chain (step INTEGER NOT NULL) STRICT; INSERT INTO chain VALUES (1);"},
    {2, "extend", "ALTER TABLE chain ADD COLUMN note TEXT; INSERT INTO chain VALUES (2, 'after 1');"},
    {3, "index", "CREATE UNIQUE INDEX chain_step ON chain(step); INSERT INTO chain VALUES (3, 'after 2');"},
}};

// A list out of order or with a gap is refused before anything is applied (it would skip a migration).
TEST(StateDb, AMigrationListOutOfOrderIsRefused) {
  TempDir dir;
  const std::array<Migration, 2> swapped = {{kChain[1], kChain[0]}};
  const std::array<Migration, 2> gap = {{kChain[0], kChain[2]}};
  for (const auto& list : {std::span<const Migration>(swapped), std::span<const Migration>(gap)}) {
    const auto path = dir.path() / "state.db";
    try {
      open_state_db(path, {}, list);
      ADD_FAILURE() << "an out-of-order list was applied";
    } catch (const StoreFailure& e) {
      EXPECT_THAT(e.what(), HasSubstr("migration list is not 1, 2, 3"));
    }
    Database db = Database::open(path, Database::Mode::kReadWrite);
    auto t = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'chain'");
    ASSERT_TRUE(t.step());
    EXPECT_EQ(t.column_int64(0), 0);
  }
}

std::vector<std::pair<std::int64_t, std::string>> recorded_migrations(Database& db) {
  auto st = db.prepare("SELECT version, name FROM schema_migration ORDER BY version");
  std::vector<std::pair<std::int64_t, std::string>> out;
  while (st.step()) out.emplace_back(st.column_int64(0), st.column_text(1));
  return out;
}

TEST(StateDb, AFreshDatabaseTakesSeveralPendingMigrationsInOrderInOneOpen) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  {
    Database db = open_state_db(path, {}, kChain);
    EXPECT_EQ(pragma(db, "user_version"), 3);
    EXPECT_EQ(pragma(db, "application_id"), kApplicationId);
    EXPECT_EQ(recorded_migrations(db),
              (std::vector<std::pair<std::int64_t, std::string>>{{1, "create"}, {2, "extend"}, {3, "index"}}));
    auto steps = db.prepare("SELECT group_concat(step || ':' || coalesce(note, '-'), ' ') FROM chain");
    ASSERT_TRUE(steps.step());
    EXPECT_EQ(steps.column_text(0), "1:- 2:after 1 3:after 2");
    // Nothing left to do: migrate() on the migrated database applies nothing.
    const auto again = migrate(db, kChain);
    EXPECT_EQ(again.from_version, 3);
    EXPECT_EQ(again.to_version, 3);
    EXPECT_TRUE(again.applied.empty());
  }

  // The same through migrate() on a new file, for its report: from 0 to 3, applied 1, 2, 3 in that order.
  Database fresh = Database::open(dir.path() / "fresh.db", Database::Mode::kReadWrite);
  const auto report = migrate(fresh, kChain);
  EXPECT_EQ(report.from_version, 0);
  EXPECT_EQ(report.to_version, 3);
  EXPECT_EQ(report.applied, (std::vector<int>{1, 2, 3}));
}

TEST(StateDb, AFailureInTheSecondMigrationKeepsTheFirstAppliedAndTheVersionAtOne) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  std::vector<Migration> migrations(kChain.begin(), kChain.end());
  migrations[1].sql = "ALTER TABLE chain ADD COLUMN note TEXT; INSERT INTO no_such_table VALUES (2);";
  const auto e = open_error(path, migrations);
  EXPECT_EQ(e.kind, StoreErrorKind::kMigrationFailed);
  EXPECT_THAT(e.message, HasSubstr("migration 2_extend failed and was rolled back"));
  EXPECT_THAT(e.message, HasSubstr("no_such_table"));
  EXPECT_THAT(e.message, HasSubstr(path.string()));

  {
    // Migration 1 stays applied and recorded; 2 is rolled back whole (its ALTER too); 3 was never tried.
    Database db = Database::open(path, Database::Mode::kReadOnly);
    EXPECT_EQ(pragma(db, "user_version"), 1);
    EXPECT_EQ(pragma(db, "application_id"), kApplicationId);
    EXPECT_EQ(recorded_migrations(db), (std::vector<std::pair<std::int64_t, std::string>>{{1, "create"}}));
    auto columns = db.prepare("SELECT count(*) FROM pragma_table_info('chain')");
    ASSERT_TRUE(columns.step());
    EXPECT_EQ(columns.column_int64(0), 1);  // no "note" column
    auto rows = db.prepare("SELECT group_concat(step, ' ') FROM chain");
    ASSERT_TRUE(rows.step());
    EXPECT_EQ(rows.column_text(0), "1");
    auto index = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'chain_step'");
    ASSERT_TRUE(index.step());
    EXPECT_EQ(index.column_int64(0), 0);
  }

  // A fixed binary carries on from version 1: migration 1 is not run again (its INSERT would add a second row).
  Database db = open_state_db(path, {}, kChain);
  EXPECT_EQ(pragma(db, "user_version"), 3);
  EXPECT_EQ(recorded_migrations(db),
            (std::vector<std::pair<std::int64_t, std::string>>{{1, "create"}, {2, "extend"}, {3, "index"}}));
  auto steps = db.prepare("SELECT group_concat(step, ' ') FROM chain");
  ASSERT_TRUE(steps.step());
  EXPECT_EQ(steps.column_text(0), "1 2 3");
}

TEST(StateDb, RefusesAFileThatIsNotADatabaseAndNeverOverwritesIt) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  std::ofstream(path, std::ios::binary) << "this is a text file, not SQLite; it must survive untouched\n";
  const auto before = read_bytes(path);
  const auto e = open_error(path);
  EXPECT_EQ(e.kind, StoreErrorKind::kNotADatabase);
  EXPECT_THAT(e.message, HasSubstr(path.string()));
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_FALSE(std::filesystem::exists(path.string() + "-wal"));
}

TEST(StateDb, RefusesAnotherProgramsDatabase) {
  TempDir dir;
  const auto path = dir.path() / "other.db";
  raw_exec(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
  const auto before = read_bytes(path);
  const auto e = open_error(path);
  EXPECT_EQ(e.kind, StoreErrorKind::kNotADatabase);
  EXPECT_THAT(e.message, HasSubstr("not an allowdrift database"));
  EXPECT_EQ(read_bytes(path), before);  // not even switched to WAL
}

TEST(StateDb, RefusesACorruptDatabase) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  {
    Database db = open_state_db(path);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  // Overwrite pages 2 and 3 (b-tree pages of the schema's first tables) with a repeating garbage pattern.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    const std::array<char, 4> junk{'\xde', '\xad', '\xbe', '\xef'};
    for (int i = 0; i < 2048; ++i) f.write(junk.data(), junk.size());
  }
  const auto e = open_error(path);
  EXPECT_TRUE(e.kind == StoreErrorKind::kCorrupt || e.kind == StoreErrorKind::kNotADatabase) << e.message;
  EXPECT_THAT(e.message, HasSubstr(path.string()));
}

TEST(StateDb, MissingStateDirectoryIsAClearError) {
  TempDir dir;
  const auto e = open_error(dir.path() / "no-such-dir" / "state.db");
  EXPECT_EQ(e.kind, StoreErrorKind::kCannotOpen);
  EXPECT_THAT(e.message, HasSubstr("does not exist"));
}

TEST(StateDb, ReadOnlyOpenNeverCreates) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  try {
    open_state_db_read_only(path);
    ADD_FAILURE() << "opened a missing database";
  } catch (const StoreFailure& e) {
    EXPECT_EQ(e.error().kind, StoreErrorKind::kCannotOpen);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

// Commits made under synchronous = NORMAL reach the disk at sync_wal(), all at once: SQLite syncs the WAL at each
// commit under FULL, at none under NORMAL, and sync_wal() syncs it once (counted by a VFS that wraps the real one).
TEST(StateDb, SyncWalMakesTheCommitsOfSynchronousNormalDurableInOneSync) {
  TempDir dir;
  allowdrift::testing::CountingVfs vfs;
  auto db = open_state_db(dir.path() / "state.db");
  ASSERT_EQ(pragma(db, "synchronous"), 2) << "FULL by default";
  const auto commit = [&](int i) {
    Transaction tx(db);
    db.exec("INSERT INTO source(name) VALUES ('s" + std::to_string(i) + "')");
    tx.commit();
  };
  const int at_open = vfs.wal_syncs();
  commit(0);
  EXPECT_EQ(vfs.wal_syncs(), at_open + 1) << "a commit under FULL syncs the WAL";

  db.exec("PRAGMA synchronous = NORMAL");
  const int commits_before = allowdrift::testing::wal_commits(dir.path() / "state.db-wal");
  for (int i = 1; i <= 3; ++i) commit(i);
  EXPECT_EQ(allowdrift::testing::wal_commits(dir.path() / "state.db-wal"), commits_before + 3);
  EXPECT_EQ(vfs.wal_syncs(), at_open + 1) << "commits under NORMAL do not";

  db.sync_wal();
  EXPECT_EQ(vfs.wal_syncs(), at_open + 2) << "sync_wal syncs the WAL once, for all of them";
}

}  // namespace
}  // namespace allowdrift::store
