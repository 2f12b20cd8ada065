// Target readings in local_reading and nested transactions, on a real SQLite file: a reading with the content of
// the target's latest row only moves confirmed_at; prune() keeps each target's latest row and unlinks the drift
// results that named a deleted one; a savepoint inside a transaction rolls back alone or with its parent.
#include "store/reading_log.h"
#include "store/drift_log.h"
#include "store/state_db.h"
#include "store_test_util.h"

#include <gtest/gtest.h>

namespace allowdrift::store {
namespace {

using testing::TempDir;

std::int64_t count(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  EXPECT_TRUE(st.step());
  return st.column_int64(0);
}

ReadingInput reading(const std::string& target, std::int64_t at, const std::string& sha) {
  return {target, at, sha, 10, 1};
}

TEST(ReadingLog, SameContentMovesConfirmedAtAndNewContentAddsARow) {
  TempDir dir;
  Database db = open_state_db(dir.path() / "state.db");
  ReadingLog log(db);
  const auto a = log.record(reading("web", 1000, "aa"));
  EXPECT_EQ(log.record(reading("web", 2000, "aa")), a);
  EXPECT_EQ(log.record(reading("mail", 2500, "aa")), a + 1);  // another target: its own row
  const auto b = log.record(reading("web", 3000, "bb"));
  EXPECT_NE(b, a);
  EXPECT_EQ(log.record(reading("web", 4000, "aa")), b + 1);  // back to the first content: a new row, in order
  const auto latest = log.latest("web");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->content_sha256, "aa");
  EXPECT_EQ(latest->read_at, 4000);
  EXPECT_EQ(latest->confirmed_at, 4000);
  EXPECT_EQ(count(db, "SELECT confirmed_at FROM local_reading WHERE id = " + std::to_string(a)), 2000);
  EXPECT_EQ(count(db, "SELECT read_at FROM local_reading WHERE id = " + std::to_string(a)), 1000);
  EXPECT_FALSE(log.latest("none"));
}

TEST(ReadingLog, PruneKeepsEachTargetsLatestAndUnlinksDriftResults) {
  TempDir dir;
  Database db = open_state_db(dir.path() / "state.db");
  ReadingLog log(db);
  DriftLog drift(db);
  const auto old_web = log.record(reading("web", 1000, "aa"));
  const auto new_web = log.record(reading("web", 2000, "bb"));
  const auto only_mail = log.record(reading("mail", 1000, "cc"));  // old, but the latest of its target
  DriftRecord r;
  r.check = "c";
  r.at = 1000;
  r.detail = "{}";
  r.reading_id = old_web;
  drift.record(r);

  EXPECT_EQ(log.prune(1500), 1);
  EXPECT_EQ(count(db, "SELECT count(*) FROM local_reading WHERE id = " + std::to_string(old_web)), 0);
  EXPECT_EQ(count(db, "SELECT count(*) FROM local_reading WHERE id IN (" + std::to_string(new_web) + ", " +
                          std::to_string(only_mail) + ")"),
            2);
  const auto kept = drift.latest("c");
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->reading_id.has_value());  // ON DELETE SET NULL: the result stays, unlinked
}

TEST(NestedTransaction, ASavepointRollsBackAloneAndTheParentCommits) {
  TempDir dir;
  Database db = open_state_db(dir.path() / "state.db");
  ReadingLog log(db);
  {
    Transaction outer(db);
    log.record(reading("kept", 1, "aa"));
    {
      Transaction inner(db);
      EXPECT_TRUE(db.in_transaction());
      log.record(reading("undone", 2, "bb"));
    }  // no commit: rolled back to the savepoint
    EXPECT_TRUE(db.in_transaction());
    outer.commit();
  }
  EXPECT_FALSE(db.in_transaction());
  EXPECT_TRUE(log.latest("kept"));
  EXPECT_FALSE(log.latest("undone"));
}

TEST(NestedTransaction, ARollbackOfTheParentUndoesACommittedSavepoint) {
  TempDir dir;
  Database db = open_state_db(dir.path() / "state.db");
  ReadingLog log(db);
  {
    Transaction outer(db);
    {
      Transaction inner(db);
      log.record(reading("inner", 1, "aa"));
      inner.commit();
    }
    log.record(reading("outer", 2, "bb"));
  }  // no commit
  EXPECT_FALSE(db.in_transaction());
  EXPECT_FALSE(log.latest("inner"));
  EXPECT_FALSE(log.latest("outer"));
}

}  // namespace
}  // namespace allowdrift::store
