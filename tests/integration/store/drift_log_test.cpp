// Check results in the drift_result table, on a real SQLite file: latest() is the newest result of one check with
// every field (the snapshot and reading it was computed from included), prune() keeps the newest N results of
// each check and leaves the other checks alone, and results survive closing and reopening the database.
#include "store/drift_log.h"
#include "store/reading_log.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"
#include "store_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace allowdrift::store {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using testing::TempDir;

DriftRecord result(const std::string& check, std::int64_t at, std::int64_t missing = 0, std::int64_t stale = 0) {
  DriftRecord r;
  r.check = check;
  r.at = at;
  r.missing_count = missing;
  r.stale_count = stale;
  r.detail = R"({"status":")" + std::string(missing > 0 ? "critical" : "ok") + R"(","at":)" + std::to_string(at) + "}";
  return r;
}

void expect_same(const std::optional<DriftRecord>& got, const DriftRecord& want) {
  ASSERT_TRUE(got) << "no result for " << want.check;
  EXPECT_EQ(got->check, want.check);
  EXPECT_EQ(got->at, want.at);
  EXPECT_EQ(got->missing_count, want.missing_count);
  EXPECT_EQ(got->stale_count, want.stale_count);
  EXPECT_EQ(got->detail, want.detail);
  EXPECT_EQ(got->snapshot_id, want.snapshot_id);
  EXPECT_EQ(got->reading_id, want.reading_id);
}

// Every stored result as (check, at), oldest first within a check.
std::vector<std::pair<std::string, std::int64_t>> rows(Database& db) {
  auto st = db.prepare("SELECT check_name, at FROM drift_result ORDER BY check_name, at, id");
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (st.step()) out.emplace_back(st.column_text(0), st.column_int64(1));
  return out;
}

class DriftLogTest : public ::testing::Test {
 protected:
  TempDir dir_;
  Database db_ = open_state_db(dir_.path() / "state.db");
  DriftLog log_{db_};
};

TEST_F(DriftLogTest, LatestIsTheNewestResultOfThatCheckWithEveryField) {
  EXPECT_FALSE(log_.latest("cf-web"));
  DriftRecord newest = result("cf-web", 1'730'160'300'000, 1, 2);
  newest.detail = R"({"status":"critical","missing":["104.24.0.0/14"],"stale":["198.51.100.0/24","x"]})";
  // Recorded out of time order: latest() goes by the evaluation time, not by insertion.
  log_.record(result("cf-web", 1'730'160'100'000));
  log_.record(newest);
  log_.record(result("cf-web", 1'730'160'200'000, 7, 0));
  log_.record(result("other", 1'730'160'900'000, 3, 3));
  expect_same(log_.latest("cf-web"), newest);
  expect_same(log_.latest("other"), result("other", 1'730'160'900'000, 3, 3));
  EXPECT_FALSE(log_.latest("cf"));  // exact names only
}

TEST_F(DriftLogTest, TheComparedSnapshotAndReadingRoundTripAndMayBeAbsent) {
  SnapshotStore snapshots(db_);
  const auto snapshot = snapshots.record(testing::snapshot_of("cf", 1000, "192.0.2.0/24\n"));
  const auto reading = ReadingLog(db_).record(
      {.target = "web", .at = 1500, .content_sha256 = std::string(64, 'a'), .ip_count = 1, .domain_count = 0});
  DriftRecord with_both = result("cf-web", 2000, 0, 0);
  with_both.snapshot_id = snapshot.snapshot_id;
  with_both.reading_id = reading;
  log_.record(with_both);
  expect_same(log_.latest("cf-web"), with_both);

  // A check over several sources names no single snapshot; a result may name neither.
  DriftRecord reading_only = result("multi", 2000, 1, 0);
  reading_only.reading_id = reading;
  log_.record(reading_only);
  expect_same(log_.latest("multi"), reading_only);
  log_.record(result("cf-web", 3000, 2, 0));
  const auto latest = log_.latest("cf-web");
  ASSERT_TRUE(latest);
  EXPECT_FALSE(latest->snapshot_id);
  EXPECT_FALSE(latest->reading_id);
}

TEST_F(DriftLogTest, OfTwoResultsAtTheSameTimeTheLaterRecordedIsLatest) {
  log_.record(result("cf-web", 5000, 1));
  log_.record(result("cf-web", 5000, 0, 4));
  expect_same(log_.latest("cf-web"), result("cf-web", 5000, 0, 4));
}

TEST_F(DriftLogTest, PruneKeepsTheNewestNPerCheckAndLeavesOtherChecksAlone) {
  // "a": six results, recorded out of order; "b": exactly the limit; "c": fewer than the limit.
  for (const std::int64_t at : {300, 100, 600, 200, 500, 400}) log_.record(result("a", at));
  log_.record(result("b", 10, 1));
  log_.record(result("b", 20, 2));
  log_.record(result("b", 30, 3));
  log_.record(result("c", 7, 0, 1));

  EXPECT_EQ(log_.prune(3), 3);  // a's 100, 200, 300
  EXPECT_THAT(rows(db_), ElementsAre(Pair("a", 400), Pair("a", 500), Pair("a", 600), Pair("b", 10), Pair("b", 20),
                                     Pair("b", 30), Pair("c", 7)));
  expect_same(log_.latest("a"), result("a", 600));
  expect_same(log_.latest("b"), result("b", 30, 3));
  expect_same(log_.latest("c"), result("c", 7, 0, 1));

  EXPECT_EQ(log_.prune(3), 0);  // idempotent
  EXPECT_EQ(rows(db_).size(), 7U);

  EXPECT_EQ(log_.prune(1), 4);  // two of a's, two of b's; c's only result stays
  EXPECT_THAT(rows(db_), ElementsAre(Pair("a", 600), Pair("b", 30), Pair("c", 7)));
}

TEST_F(DriftLogTest, PruneBreaksTiesByRecordingOrder) {
  log_.record(result("a", 100, 1));
  log_.record(result("a", 100, 2));
  log_.record(result("a", 100, 3));
  EXPECT_EQ(log_.prune(1), 2);
  expect_same(log_.latest("a"), result("a", 100, 3));  // the last recorded of equal times is the one kept
}

TEST(DriftLogReopen, ResultsSurviveClosingAndReopeningTheFile) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  {
    Database db = open_state_db(path);
    DriftLog log(db);
    log.record(result("cf-web", 1000, 1));
    log.record(result("cf-web", 2000, 0, 2));
    log.record(result("mail", 1500));
  }
  Database db = open_state_db(path);
  DriftLog log(db);
  expect_same(log.latest("cf-web"), result("cf-web", 2000, 0, 2));
  expect_same(log.latest("mail"), result("mail", 1500));
  EXPECT_EQ(rows(db).size(), 3U);
}

}  // namespace
}  // namespace allowdrift::store
