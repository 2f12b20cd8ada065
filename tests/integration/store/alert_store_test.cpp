// The alert state machine's records (diff::AlertRecord) in the alert_state table, on a real SQLite file: every
// field round-trips, a save overwrites the subject's row, all() lists every subject, and the records survive
// closing and reopening the database, so that a restarted daemon neither re-sends nor forgets an open alert.
#include "store/alert_store.h"
#include "store/state_db.h"
#include "store_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace allowdrift::store {
namespace {

using ::testing::ElementsAre;
using testing::TempDir;

constexpr std::int64_t kReminderMs = 24LL * 3600 * 1000;

diff::AlertRecord open_record(const std::string& key, std::int64_t since, const std::string& fingerprint,
                              std::int64_t last_sent) {
  return {.key = key, .open = true, .since_ms = since, .fingerprint = fingerprint, .last_sent_ms = last_sent};
}

class AlertStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  Database db_ = open_state_db(dir_.path() / "state.db");
  AlertStore store_{db_};
};

TEST_F(AlertStoreTest, EveryFieldOfAnOpenRecordRoundTrips) {
  // Values that a narrowing or a text/int mix-up would damage: past 2^32, and text with quotes and UTF-8.
  const auto record =
      open_record("check:sdp-mail", 1'730'160'000'123, "9f3c'a\"1 d\xc3\xa9j\xc3\xa0", 1'730'160'005'007);
  store_.save(record);
  const auto loaded = store_.load("check:sdp-mail");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->key, "check:sdp-mail");
  EXPECT_TRUE(loaded->open);
  EXPECT_EQ(loaded->since_ms, 1'730'160'000'123);
  EXPECT_EQ(loaded->fingerprint, "9f3c'a\"1 d\xc3\xa9j\xc3\xa0");
  EXPECT_EQ(loaded->last_sent_ms, 1'730'160'005'007);
  EXPECT_EQ(*loaded, record);

  const diff::AlertRecord extreme =
      open_record("age:cf", std::numeric_limits<std::int64_t>::max(), "", std::numeric_limits<std::int64_t>::max() - 1);
  store_.save(extreme);
  EXPECT_EQ(store_.load("age:cf"), extreme);
}

TEST_F(AlertStoreTest, AClearRecordNeverSentRoundTripsWithLastSentNull) {
  const diff::AlertRecord clear{
      .key = "fetch:cloudflare", .open = false, .since_ms = 42, .fingerprint = "", .last_sent_ms = 0};
  store_.save(clear);
  EXPECT_EQ(store_.load("fetch:cloudflare"), clear);
  auto raw = db_.prepare("SELECT state, last_sent_at IS NULL FROM alert_state WHERE check_name = 'fetch:cloudflare'");
  ASSERT_TRUE(raw.step());
  EXPECT_EQ(raw.column_text(0), "clear");
  EXPECT_EQ(raw.column_int64(1), 1);  // "never sent" is NULL, not a time of 0
}

TEST_F(AlertStoreTest, AnUnknownKeyLoadsNothing) {
  EXPECT_FALSE(store_.load("check:nope"));
  store_.save(open_record("check:a", 1, "f", 2));
  EXPECT_FALSE(store_.load("check:nope"));
  EXPECT_FALSE(store_.load("check:A"));  // keys are exact
  EXPECT_FALSE(store_.load(""));
}

TEST_F(AlertStoreTest, SaveOverwritesTheSubjectsRowAndLeavesTheOthers) {
  const auto other = open_record("target:mail-allow", 5, "unreadable", 6);
  store_.save(other);
  store_.save(open_record("check:web", 100, "fp-1", 100));
  store_.save(open_record("check:web", 100, "fp-2", 250));  // changed while open
  EXPECT_EQ(store_.load("check:web"), open_record("check:web", 100, "fp-2", 250));

  // Resolved: open -> clear, the resolution's send time kept.
  const diff::AlertRecord resolved{
      .key = "check:web", .open = false, .since_ms = 900, .fingerprint = "", .last_sent_ms = 900};
  store_.save(resolved);
  EXPECT_EQ(store_.load("check:web"), resolved);
  EXPECT_EQ(store_.load("target:mail-allow"), other);
  EXPECT_EQ(store_.all().size(), 2U);
}

TEST_F(AlertStoreTest, AllListsEverySubjectOrderedByKey) {
  EXPECT_TRUE(store_.all().empty());
  const auto c = open_record("check:sdp-mail", 3, "c", 3);
  const auto a = open_record("age:cloudflare", 1, "a", 1);
  const diff::AlertRecord t{
      .key = "target:mail-allow", .open = false, .since_ms = 4, .fingerprint = "", .last_sent_ms = 0};
  const auto f = open_record("fetch:cloudflare", 2, "timeout", 2);
  for (const auto& r : {c, t, a, f}) store_.save(r);
  EXPECT_THAT(store_.all(), ElementsAre(a, c, f, t));
}

TEST(AlertStoreReopen, RecordsSurviveClosingAndReopeningTheFile) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  const auto drift =
      open_record("check:sdp-mail", 1'730'160'000'000, diff::fingerprint_of("104.24.0.0/14"), 1'730'160'000'000);
  // A silent baseline: clear, never sent.
  const diff::AlertRecord quiet{.key = "fetch:cf", .open = false, .since_ms = 7, .fingerprint = "", .last_sent_ms = 0};
  {
    Database db = open_state_db(path);
    AlertStore store(db);
    store.save(drift);
    store.save(quiet);
    // A second connection (another process) sees the committed records while the first is still open.
    Database other = open_state_db(path);
    EXPECT_THAT(AlertStore(other).all(), ElementsAre(drift, quiet));
  }  // every connection closed: the WAL is checkpointed into the file and removed

  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path.string() + "-wal"));
  Database db = open_state_db(path);
  AlertStore reopened(db);
  const auto loaded = reopened.load("check:sdp-mail");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, drift);
  EXPECT_EQ(reopened.load("fetch:cf"), quiet);
  EXPECT_THAT(reopened.all(), ElementsAre(drift, quiet));

  // What the restart means for the state machine: the same drift is not re-sent (no change before the reminder
  // interval), and its fixing is reported as resolved rather than taken as a silent baseline.
  const std::int64_t later = drift.since_ms + 60'000;
  EXPECT_EQ(diff::step(loaded, drift.key, true, drift.fingerprint, later, kReminderMs).change, diff::Change::kNone);
  EXPECT_EQ(diff::step(loaded, drift.key, false, "", later, kReminderMs).change, diff::Change::kResolved);
  // Without the record (a forgetful restart) the drift would be sent again and its fix would go unreported.
  EXPECT_EQ(diff::step(std::nullopt, drift.key, true, drift.fingerprint, later, kReminderMs).change,
            diff::Change::kOpened);
  EXPECT_EQ(diff::step(std::nullopt, drift.key, false, "", later, kReminderMs).change, diff::Change::kNone);
}

}  // namespace
}  // namespace allowdrift::store
