// Database::prepare's statement cache, on a real SQLite file: a statement of the same text used inside another's
// loop is a statement of its own, one given back mid-query holds no read transaction, bindings do not carry over.
#include "store/sqlite_db.h"
#include "store_test_util.h"

#include <gtest/gtest.h>

#include <vector>

namespace allowdrift::store {
namespace {

using testing::TempDir;

Database table_of_three(const TempDir& dir) {
  Database db = Database::open(dir.path() / "cache.db", Database::Mode::kReadWrite);
  db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3);");
  return db;
}

TEST(StatementCache, TheSameTextInsideItsOwnLoopIsAStatementOfItsOwn) {
  TempDir dir;
  Database db = table_of_three(dir);
  constexpr const char* kSql = "SELECT x FROM t ORDER BY x";
  std::vector<std::int64_t> outer_rows;
  std::vector<std::int64_t> inner_rows;
  auto outer = db.prepare(kSql);
  while (outer.step()) {
    outer_rows.push_back(outer.column_int64(0));
    auto inner = db.prepare(kSql);  // taken while `outer` is out: compiled anew, not `outer` reset
    while (inner.step()) inner_rows.push_back(inner.column_int64(0));
  }
  EXPECT_EQ(outer_rows, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(inner_rows, (std::vector<std::int64_t>{1, 2, 3, 1, 2, 3, 1, 2, 3}));
  // Both are back in the cache now; the next one of that text starts from the first row.
  auto again = db.prepare(kSql);
  ASSERT_TRUE(again.step());
  EXPECT_EQ(again.column_int64(0), 1);
}

TEST(StatementCache, AStatementGivenBackMidQueryHoldsNoReadTransaction) {
  TempDir dir;
  Database reader = table_of_three(dir);
  {
    auto half_read = reader.prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(half_read.step());  // a read transaction is open here...
  }                                 // ...and ends when the statement goes back to the cache

  // Another connection writes and then checkpoints the whole WAL away: a reader still holding its snapshot would
  // make TRUNCATE report busy (1) and leave frames behind.
  Database writer = Database::open(dir.path() / "cache.db", Database::Mode::kReadWrite);
  writer.exec("INSERT INTO t VALUES (4)");
  auto checkpoint = writer.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(checkpoint.step());
  EXPECT_EQ(checkpoint.column_int64(0), 0) << "busy: a cached statement kept its read transaction";

  // The cached statement, taken again, sees the new row.
  auto count = reader.prepare("SELECT x FROM t ORDER BY x");
  std::int64_t rows = 0;
  while (count.step()) ++rows;
  EXPECT_EQ(rows, 4);
}

TEST(StatementCache, BindingsDoNotCarryOverToTheNextUse) {
  TempDir dir;
  Database db = table_of_three(dir);
  constexpr const char* kSql = "SELECT ?1 IS NULL";
  {
    auto bound = db.prepare(kSql);
    bound.bind(1, std::int64_t{5});
    ASSERT_TRUE(bound.step());
    EXPECT_EQ(bound.column_int64(0), 0);
  }
  auto unbound = db.prepare(kSql);  // the same compiled statement, its bindings cleared
  ASSERT_TRUE(unbound.step());
  EXPECT_EQ(unbound.column_int64(0), 1);
}

TEST(StatementCache, ReleasingMemoryLeavesTheConnectionUsable) {
  TempDir dir;
  Database db = table_of_three(dir);
  { auto idle = db.prepare("SELECT count(*) FROM t"); }
  db.release_memory();  // finalizes the idle statement
  db.exec("DROP TABLE t; CREATE TABLE t(y TEXT); INSERT INTO t VALUES ('a');");
  auto st = db.prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int64(0), 1);
}

}  // namespace
}  // namespace allowdrift::store
