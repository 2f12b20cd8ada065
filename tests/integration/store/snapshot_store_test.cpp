// Snapshot history on a real SQLite file: dedupe, spans, changes, first/last seen, retention.
#include "store/snapshot_store.h"
#include "store/state_db.h"
#include "store_test_util.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allowdrift::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::snapshot_of;
using testing::TempDir;

std::int64_t count_rows(Database& db, const std::string& table) {
  auto st = db.prepare("SELECT count(*) FROM " + table);
  EXPECT_TRUE(st.step());
  return st.column_int64(0);
}

class SnapshotStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  Database db_ = open_state_db(dir_.path() / "state.db");
  SnapshotStore store_{db_};
};

TEST_F(SnapshotStoreTest, SameContentOnlyMovesConfirmedAt) {
  const auto first = store_.record(snapshot_of("cf", 1000, "192.0.2.0/24\n198.51.100.0/24\n"));
  EXPECT_TRUE(first.created);
  // Same set, written differently (split, reordered): same normalized content.
  auto again_in = snapshot_of("cf", 2000, "198.51.100.0/25\n198.51.100.128/25\n192.0.2.0/24\n");
  again_in.etag = "\"v2\"";
  const auto again = store_.record(again_in);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.snapshot_id, first.snapshot_id);
  const auto info = store_.snapshot(first.snapshot_id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->fetched_at, 1000);
  EXPECT_EQ(info->confirmed_at, 2000);
  EXPECT_EQ(info->etag, "\"v2\"");
  EXPECT_EQ(info->ip_count, 2);
  EXPECT_EQ(count_rows(db_, "snapshot"), 1);
  EXPECT_EQ(count_rows(db_, "entry"), 2);
}

TEST_F(SnapshotStoreTest, ChangesAreCidrAwareAndHistoryCountsThem) {
  const auto a = store_.record(snapshot_of("cf", 1000, "104.16.0.0/12\n2400:cb00::/32\nexample.com\n"));
  const auto b =
      store_.record(snapshot_of("cf", 2000, "104.16.0.0/13\n104.24.0.0/14\n2400:cb00::/32\n*.example.com\n"));
  ASSERT_TRUE(b.created);
  const auto changes = store_.changes(a.snapshot_id, b.snapshot_id);
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_THAT(changes[0].added, ElementsAre("*.example.com"));
  EXPECT_THAT(changes[0].removed, ElementsAre("104.28.0.0/14", "example.com"));

  const auto history = store_.history("cf");
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].id, b.snapshot_id);  // newest first
  EXPECT_EQ(history[0].added, 3);           // 104.16.0.0/13, 104.24.0.0/14, *.example.com
  EXPECT_EQ(history[0].removed, 2);         // 104.16.0.0/12, example.com
  EXPECT_EQ(history[1].added, 3);
}

TEST_F(SnapshotStoreTest, ContentRoundTripsWithSections) {
  SnapshotInput in;
  in.source = "sdp";
  in.fetched_at = 5;
  auto us = feeds::parse_plain_list("136.143.190.0/23\n");
  auto eu = feeds::parse_plain_list("185.20.209.0/24\nmail.example.eu\n");
  in.sections.push_back({"sdpondemand.manageengine.com", us.ips, us.domains.patterns()});
  in.sections.push_back({"sdpondemand.manageengine.eu", eu.ips, eu.domains.patterns()});
  const auto r = store_.record(in);
  const auto content = store_.content(r.snapshot_id);
  ASSERT_EQ(content.size(), 2U);
  EXPECT_EQ(content[0].name, "sdpondemand.manageengine.com");
  EXPECT_EQ(content[0].ips, us.ips);
  EXPECT_EQ(content[1].name, "sdpondemand.manageengine.eu");
  EXPECT_EQ(content[1].ips, eu.ips);
  ASSERT_EQ(content[1].domains.size(), 1U);
  EXPECT_EQ(content[1].domains[0].to_string(), "mail.example.eu");
}

TEST_F(SnapshotStoreTest, OldSnapshotContentStaysReadable) {
  const auto a = store_.record(snapshot_of("s", 1, "10.0.0.0/24\n"));
  store_.record(snapshot_of("s", 2, "10.0.1.0/24\n"));
  store_.record(snapshot_of("s", 3, "10.0.0.0/24\n10.0.2.0/24\n"));
  const auto old = store_.content(a.snapshot_id);
  ASSERT_EQ(old.size(), 1U);
  EXPECT_THAT(old[0].ips.to_cidr_strings(), ElementsAre("10.0.0.0/24"));
}

TEST_F(SnapshotStoreTest, LastAcceptedSkipsSuspectAndRejected) {
  const auto good = store_.record(snapshot_of("aws", 1, "10.0.0.0/8\n"));
  store_.record(snapshot_of("aws", 2, "10.0.0.0/24\n", SnapshotStatus::kSuspect));
  SnapshotInput rejected;
  rejected.source = "aws";
  rejected.fetched_at = 3;
  rejected.status = SnapshotStatus::kRejected;
  rejected.reason = "html error page where JSON was expected";
  rejected.body_sha256 = "ab";
  const auto r1 = store_.record(rejected);
  rejected.fetched_at = 4;
  const auto r2 = store_.record(rejected);  // the same rejection again is not a new row
  EXPECT_EQ(r1.snapshot_id, r2.snapshot_id);
  EXPECT_FALSE(r2.created);
  const auto last = store_.last_accepted("aws");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->id, good.snapshot_id);
  EXPECT_EQ(store_.history("aws").size(), 3U);
  EXPECT_FALSE(store_.last_accepted("nobody"));
}

TEST_F(SnapshotStoreTest, FirstAndLastSeenAndPublishedBefore) {
  store_.record(snapshot_of("gh", 100, "192.30.252.0/22\n185.199.108.0/22\n"));
  store_.record(snapshot_of("gh", 200, "192.30.252.0/22\n"));
  store_.record(snapshot_of("gh", 300, "192.30.252.0/22\n203.0.113.0/24\n", SnapshotStatus::kSuspect));
  store_.record(snapshot_of("gh", 400, "192.30.252.0/22\n"));

  const auto removed = store_.seen("gh", "185.199.108.0/22");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->first_seen, 100);
  EXPECT_EQ(removed->last_seen, 100);
  EXPECT_FALSE(removed->present);

  const auto kept = store_.seen("gh", "192.30.252.0/22");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->first_seen, 100);
  EXPECT_EQ(kept->last_seen, 400);
  EXPECT_TRUE(kept->present);
  EXPECT_FALSE(store_.seen("gh", "198.51.100.0/24"));

  // Beyond the last accepted list: 185.199.108.0/22 was published and dropped; 203.0.113.0/24 was only in a
  // suspect snapshot, never published as far as the allowlist is concerned; 192.30.252.0/22 is still published.
  const auto last = store_.last_accepted("gh");
  ASSERT_TRUE(last);
  EXPECT_THAT(store_.published_before("gh", last->id), ElementsAre("185.199.108.0/22"));
  EXPECT_THAT(store_.published_before("nobody", last->id), IsEmpty());
}

TEST_F(SnapshotStoreTest, DailySnapshotsWithFewChangesGrowByTheChanges) {
  std::string list;
  for (int i = 0; i < 2000; ++i) list += "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/25\n";
  for (int day = 0; day < 30; ++day) {
    // Each day two new prefixes appear in 172.16/16 (nothing adjacent, so no merging).
    list += "172.16." + std::to_string(day * 2) + ".0/25\n172.16." + std::to_string(day * 2 + 1) + ".128/25\n";
    EXPECT_TRUE(store_.record(snapshot_of("aws", day * 86'400'000LL, list)).created);
  }
  EXPECT_EQ(count_rows(db_, "snapshot"), 30);
  EXPECT_EQ(count_rows(db_, "entry"), 2000 + 60);  // not 30 copies
}

TEST_F(SnapshotStoreTest, FetchHistoryKeepsEachAttemptsErrorKindNewestRecordedFirst) {
  EXPECT_TRUE(store_.fetch_history("cf").empty());
  // The wall clock stepped back between the second and the third attempt; another source's attempts in between.
  // The last recorded comes first whatever its time says.
  store_.record_fetch_attempt("cf", 1000, "failed", "dns", "cannot resolve www.cloudflare.com", 12, 0);
  store_.record_fetch_attempt("cf", 3000, "changed", "", "", 250, 4096);
  store_.record_fetch_attempt("other", 2500, "failed", "timeout", "read timed out", 5000, 17);
  store_.record_fetch_attempt("cf", 2000, "failed", "tls", "certificate verify failed", 80, 0);
  store_.record_fetch_attempt("cf", 4000, "unchanged", "", "", 30, 0);

  const auto h = store_.fetch_history("cf");
  ASSERT_EQ(h.size(), 4U);
  std::vector<std::int64_t> at;
  std::vector<std::string> kinds;
  for (const auto& a : h) {
    at.push_back(a.at);
    kinds.push_back(a.error_kind);
  }
  EXPECT_THAT(at, ElementsAre(4000, 2000, 3000, 1000));
  EXPECT_THAT(kinds, ElementsAre("", "tls", "", "dns"));
  EXPECT_EQ(h[0].outcome, "unchanged");
  EXPECT_EQ(h[2].outcome, "changed");
  EXPECT_EQ(h[2].message, "");
  EXPECT_EQ(h[2].duration_ms, 250);
  EXPECT_EQ(h[2].bytes, 4096);
  EXPECT_EQ(h[1].outcome, "failed");
  EXPECT_EQ(h[1].message, "certificate verify failed");
  EXPECT_EQ(h[1].duration_ms, 80);
  EXPECT_EQ(h[3].outcome, "failed");
  EXPECT_EQ(h[3].message, "cannot resolve www.cloudflare.com");
  EXPECT_EQ(h[3].duration_ms, 12);
  EXPECT_EQ(h[3].bytes, 0);

  const auto newest_two = store_.fetch_history("cf", 2);
  ASSERT_EQ(newest_two.size(), 2U);
  EXPECT_EQ(newest_two[0].at, 4000);
  EXPECT_EQ(newest_two[1].at, 2000);

  const auto other = store_.fetch_history("other");
  ASSERT_EQ(other.size(), 1U);
  EXPECT_EQ(other[0].error_kind, "timeout");
  EXPECT_EQ(other[0].message, "read timed out");
  EXPECT_EQ(other[0].bytes, 17);
  EXPECT_TRUE(store_.fetch_history("nobody").empty());
}

TEST_F(SnapshotStoreTest, PruneKeepsTheLastAcceptedSnapshot) {
  const std::int64_t day = 86'400'000;
  const auto accepted = store_.record(snapshot_of("s", 1 * day, "10.0.0.0/24\n"));
  for (int i = 2; i <= 10; ++i)
    store_.record(snapshot_of("s", i * day, "10.0." + std::to_string(i) + ".0/24\n", SnapshotStatus::kSuspect));
  store_.record_fetch_attempt("s", 1 * day, "failed", "timeout", "connect timed out", 5000, 0);
  store_.record_fetch_attempt("s", 100 * day, "changed", "", "", 40, 1234);

  const auto report =
      store_.prune({.max_age_ms = 5 * day, .min_count = 2, .fetch_log_max_age_ms = 10 * day}, 100 * day);
  EXPECT_EQ(report.snapshots_deleted, 0);  // everything after the last accepted one is kept
  EXPECT_EQ(report.fetch_attempts_deleted, 1);
  EXPECT_EQ(store_.fetch_history("s").size(), 1U);
  ASSERT_TRUE(store_.last_accepted("s"));
  EXPECT_EQ(store_.last_accepted("s")->id, accepted.snapshot_id);

  store_.record(snapshot_of("s", 101 * day, "10.0.99.0/24\n"));  // a newer accepted one
  const auto second =
      store_.prune({.max_age_ms = 5 * day, .min_count = 2, .fetch_log_max_age_ms = 10 * day}, 102 * day);
  EXPECT_EQ(second.snapshots_deleted, 9);  // min_count keeps the newest two: the last suspect and the new one
  const auto history = store_.history("s");
  ASSERT_EQ(history.size(), 2U);
  EXPECT_THAT(store_.content(history[0].id)[0].ips.to_cidr_strings(), ElementsAre("10.0.99.0/24"));
  EXPECT_THAT(store_.content(history[1].id)[0].ips.to_cidr_strings(), ElementsAre("10.0.10.0/24"));
  EXPECT_EQ(count_rows(db_, "entry"), 2);
}

}  // namespace
}  // namespace allowdrift::store

namespace allowdrift::store {
namespace {

// A source whose only content snapshot is suspect, followed by rejections, must not block pruning (the review's
// reproducer: the DELETE used to hit entry.added_in and fail the whole prune for every source).
TEST(SnapshotStorePrune, SourceWithoutAcceptedSnapshotsDoesNotBlockPruning) {
  testing::TempDir dir;
  Database db = open_state_db(dir.path() / "state.db");
  SnapshotStore store(db);
  const std::int64_t day = 86'400'000;
  store.record(testing::snapshot_of("a", 1 * day, "10.0.0.0/24\n"));
  store.record_fetch_attempt("a", 1 * day, "changed", "", "", 10, 100);
  const auto suspect = store.record(testing::snapshot_of("b", 1 * day, "10.1.0.0/24\n", SnapshotStatus::kSuspect));
  for (int i = 0; i < 3; ++i) {
    SnapshotInput rejected;
    rejected.source = "b";
    rejected.fetched_at = (2 + i) * day;
    rejected.status = SnapshotStatus::kRejected;
    rejected.reason = "error page " + std::to_string(i);
    store.record(rejected);
  }
  const auto report = store.prune({.max_age_ms = day, .min_count = 2, .fetch_log_max_age_ms = 10 * day}, 200 * day);
  EXPECT_EQ(report.fetch_attempts_deleted, 1);
  // b's suspect snapshot is its newest content: kept, with its content.
  const auto content = store.content(suspect.snapshot_id);
  ASSERT_EQ(content.size(), 1U);
  EXPECT_EQ(content[0].ips.to_cidr_strings(), std::vector<std::string>{"10.1.0.0/24"});
}

TEST(SnapshotStoreRecord, DuplicateSectionNamesAreRefused) {
  testing::TempDir dir;
  Database db = open_state_db(dir.path() / "state.db");
  SnapshotStore store(db);
  auto in = testing::snapshot_of("s", 1, "10.0.0.0/25\n", SnapshotStatus::kAccepted, "x");
  in.sections.push_back(in.sections.front());
  EXPECT_THROW(store.record(in), StoreFailure);
  EXPECT_TRUE(store.history("s").empty());
}

// The WAL stays bounded: large snapshots grow it, prune()'s checkpoint empties it, and the next write starts it
// over and trims the file to journal_size_limit (here 256 KiB, to keep the test small; the daemon uses 64 MiB).
TEST(SnapshotStoreWal, PruneCheckpointsAndTheWalIsTrimmedToTheLimit) {
  TempDir dir;
  const auto path = dir.path() / "state.db";
  const auto wal = std::filesystem::path(path.string() + "-wal");
  constexpr std::int64_t kLimit = 256 * 1024;
  StateDbOptions options;
  options.journal_size_limit = kLimit;
  Database db = open_state_db(path, options);
  SnapshotStore store(db);
  // Five lists of 8,192 distinct /32s each: every snapshot rewrites thousands of entry rows.
  for (int day = 0; day < 5; ++day) {
    std::string list;
    for (int i = 0; i < 8192; ++i)
      list += "10." + std::to_string(day) + "." + std::to_string(i / 128) + "." + std::to_string(2 * (i % 128)) + "\n";
    store.record(snapshot_of("s", 1000 + day, list));
  }
  const auto grown = std::filesystem::file_size(wal);
  EXPECT_GT(grown, static_cast<std::uintmax_t>(kLimit)) << "the writes should have grown the WAL past the limit";

  store.prune(RetentionPolicy{}, 2000);
  store.record_fetch_attempt("s", 2001, "unchanged", "", "", 1, 0);  // the next write restarts the WAL
  EXPECT_LE(std::filesystem::file_size(wal), static_cast<std::uintmax_t>(kLimit));
  auto check = db.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.column_text(0), "ok");
  ASSERT_TRUE(store.last_accepted("s"));
  EXPECT_EQ(store.last_accepted("s")->ip_count, 8192);  // even last octets: no two addresses merge
}

// A large snapshot is stored without temporary files: the batched INSERTs' statement journals stay in memory
// (temp_store = MEMORY, state_db.cpp). They used to spill to files in /var/tmp, created, written and unlinked
// during the biggest lists' baselines (five per fresh `--once` of the bench, bench/README.md).
TEST_F(SnapshotStoreTest, ALargeSnapshotIsStoredWithoutTemporaryFiles) {
  const auto tmp = dir_.path() / "sqlite-tmp";
  std::filesystem::create_directories(tmp);
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  ASSERT_GE(::inotify_add_watch(watch, tmp.c_str(), IN_CREATE), 0);
  db_.exec("PRAGMA temp_store_directory = '" + tmp.string() + "'");  // where a spilled journal would go
  std::string list;
  for (int i = 0; i < 20'000; ++i)  // /24s with gaps between them: 20,000 entry rows, as many as AWS publishes
    list += "10." + std::to_string(i / 128) + "." + std::to_string(i % 128 * 2) + ".0/24\n";
  // As a source's refresh writes it: inside the refresh's transaction (record() nests a savepoint), after
  // another source's list.
  ASSERT_TRUE(store_.record(snapshot_of("google", 1, list)).created);
  {
    Transaction tx(db_);
    ASSERT_TRUE(store_.record(snapshot_of("aws", 2, list)).created);
    tx.commit();
  }
  EXPECT_EQ(count_rows(db_, "entry"), 40'000);
  char events[4096];
  const auto n = ::read(watch, events, sizeof events);
  EXPECT_LT(n, 0) << "SQLite created a temporary file in " << tmp;
  ::close(watch);
  db_.exec("PRAGMA temp_store_directory = ''");
}

// Only closed spans (entries no longer published) are in entry_removed (migration 0004): a first list adds no row
// to it; and the lookups by removed_in (a snapshot's removed count, pruning, the foreign-key check when a snapshot
// is deleted) still search an index rather than scan the table.
TEST_F(SnapshotStoreTest, OnlyEntriesNoLongerPublishedAreIndexedByRemovedIn) {
  const auto indexed = [&] {
    auto st = db_.prepare("SELECT count(*) FROM entry INDEXED BY entry_removed WHERE removed_in IS NOT NULL");
    EXPECT_TRUE(st.step());
    return st.column_int64(0);
  };
  auto partial = db_.prepare("SELECT partial FROM pragma_index_list('entry') WHERE name = 'entry_removed'");
  ASSERT_TRUE(partial.step());
  EXPECT_EQ(partial.column_int64(0), 1) << "entry_removed leaves out the NULLs";
  const auto first = store_.record(snapshot_of("cf", 1000, "192.0.2.0/24\n198.51.100.0/24\n203.0.113.0/24\n"));
  EXPECT_EQ(count_rows(db_, "entry"), 3);
  EXPECT_EQ(indexed(), 0);
  const auto second = store_.record(snapshot_of("cf", 2000, "192.0.2.0/24\n"));
  EXPECT_EQ(indexed(), 2);
  EXPECT_EQ(store_.changes(first.snapshot_id, second.snapshot_id).front().removed.size(), 2U);

  const auto plan = [&](const std::string& sql) {
    auto st = db_.prepare("EXPLAIN QUERY PLAN " + sql);
    std::string out;
    while (st.step()) out += st.column_text(3) + "\n";
    return out;
  };
  EXPECT_THAT(plan("SELECT count(*) FROM entry WHERE removed_in = 2"), HasSubstr("INDEX entry_removed"));
  EXPECT_THAT(plan("SELECT id FROM entry WHERE removed_in = 2"), HasSubstr("INDEX entry_removed"));
  EXPECT_THAT(plan("DELETE FROM entry WHERE source_id = 1 AND removed_in IS NOT NULL AND removed_in <= 2"),
              Not(HasSubstr("SCAN")));
}

}  // namespace
}  // namespace allowdrift::store
