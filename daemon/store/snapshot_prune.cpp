// SnapshotStore::prune, the retention of snapshot history (snapshot_store.h): what a source's snapshots and
// entry spans may lose without losing its last accepted list, and the fetch log's age limit.
#include "store/snapshot_store.h"

#include <algorithm>
#include <vector>

namespace allowdrift::store {

PruneReport SnapshotStore::prune(const RetentionPolicy& policy, std::int64_t now) {
  PruneReport report;
  Transaction tx(db_);
  const std::int64_t cutoff = now - policy.max_age_ms;
  auto sources = db_.prepare("SELECT id FROM source");
  std::vector<std::int64_t> ids;
  while (sources.step()) ids.push_back(sources.column_int64(0));
  for (const std::int64_t src : ids) {
    // The oldest snapshot to keep: the newest of (the min_count-th newest, the first one younger than the cutoff,
    // the last accepted one) bounded so that the last accepted snapshot always stays.
    auto keep_from = db_.prepare(
        "SELECT min(id) FROM (SELECT id FROM snapshot WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2) "
        "UNION ALL SELECT min(id) FROM snapshot WHERE source_id = ?1 AND confirmed_at >= ?3 "
        "UNION ALL SELECT max(id) FROM snapshot WHERE source_id = ?1 AND status = 'accepted' "
        // The newest content snapshot too: entries need a content snapshot to start at, and record() dedupes
        // against it.
        "UNION ALL SELECT max(id) FROM snapshot WHERE source_id = ?1 AND status != 'rejected'");
    keep_from.bind(1, src).bind(2, policy.min_count).bind(3, cutoff);
    std::vector<std::int64_t> bounds;
    while (keep_from.step())
      if (!keep_from.column_is_null(0)) bounds.push_back(keep_from.column_int64(0));
    if (bounds.empty()) continue;
    // Keep everything from the oldest of: the count bound, the age bound, the last accepted snapshot.
    const std::int64_t k = *std::min_element(bounds.begin(), bounds.end());
    // Entries whose span ended at or before the first kept content snapshot are in no kept snapshot; spans that
    // started earlier now start there (history before it is forgotten, by policy). Spans only end at content
    // snapshots, so none ends between k and that first one.
    auto first_content =
        db_.prepare("SELECT min(id) FROM snapshot WHERE source_id = ? AND id >= ? AND status != 'rejected'");
    first_content.bind(1, src).bind(2, k);
    if (first_content.step() && !first_content.column_is_null(0)) {
      const std::int64_t f = first_content.column_int64(0);
      db_.prepare("DELETE FROM entry WHERE source_id = ? AND removed_in IS NOT NULL AND removed_in <= ?")
          .bind(1, src)
          .bind(2, f)
          .run();
      report.entries_deleted += db_.changes();
      db_.prepare("UPDATE entry SET added_in = ? WHERE source_id = ? AND added_in < ?")
          .bind(1, f)
          .bind(2, src)
          .bind(3, f)
          .run();
    }
    db_.prepare(
           "UPDATE drift_result SET snapshot_id = NULL WHERE snapshot_id IN "
           "(SELECT id FROM snapshot WHERE source_id = ? AND id < ?)")
        .bind(1, src)
        .bind(2, k)
        .run();
    db_.prepare("DELETE FROM snapshot WHERE source_id = ? AND id < ?").bind(1, src).bind(2, k).run();
    report.snapshots_deleted += db_.changes();
  }
  db_.prepare("DELETE FROM fetch_attempt WHERE at < ?").bind(1, now - policy.fetch_log_max_age_ms).run();
  report.fetch_attempts_deleted = db_.changes();
  tx.commit();
  // Hand freed WAL space back: without this a daemon that never restarts keeps its largest WAL forever.
  // PASSIVE: never waits for readers (a CLI reader would otherwise stall the daemon for the busy timeout);
  // journal_size_limit trims the WAL at a later checkpoint.
  db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
  return report;
}

}  // namespace allowdrift::store
