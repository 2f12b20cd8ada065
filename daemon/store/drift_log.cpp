#include "store/drift_log.h"

#include <algorithm>

namespace allowdrift::store {

void DriftLog::record(const DriftRecord& r) {
  auto insert = db_.prepare(
      "INSERT INTO drift_result (check_name, at, missing_count, stale_count, detail, snapshot_id, reading_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, r.check).bind(2, r.at).bind(3, r.missing_count).bind(4, r.stale_count).bind(5, r.detail);
  if (r.snapshot_id) insert.bind(6, *r.snapshot_id);
  if (r.reading_id) insert.bind(7, *r.reading_id);
  insert.run();
}

std::optional<DriftRecord> DriftLog::latest(const std::string& check) {
  auto s = db_.prepare(
      "SELECT check_name, at, missing_count, stale_count, detail, snapshot_id, reading_id FROM drift_result "
      "WHERE check_name = ? ORDER BY at DESC, id DESC LIMIT 1");
  s.bind(1, check);
  if (!s.step()) return std::nullopt;
  DriftRecord r{s.column_text(0), s.column_int64(1), s.column_int64(2), s.column_int64(3), s.column_text(4), {}, {}};
  if (!s.column_is_null(5)) r.snapshot_id = s.column_int64(5);
  if (!s.column_is_null(6)) r.reading_id = s.column_int64(6);
  return r;
}

std::int64_t DriftLog::prune(std::int64_t keep) {
  keep = std::max<std::int64_t>(keep, 1);  // each check's latest result is what `status` shows: never deleted
  db_.prepare(
         "DELETE FROM drift_result WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
         "(PARTITION BY check_name ORDER BY at DESC, id DESC) AS n FROM drift_result) WHERE n > ?)")
      .bind(1, keep)
      .run();
  return db_.changes();
}

}  // namespace allowdrift::store
