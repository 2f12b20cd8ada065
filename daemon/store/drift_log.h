// The result of every check evaluation, kept in the drift_result table, so that `allowdrift status` can say what
// each check found last without fetching anything.
#pragma once

#include "store/sqlite_db.h"

#include <cstdint>
#include <optional>
#include <string>

namespace allowdrift::store {

struct DriftRecord {
  std::string check;
  std::int64_t at = 0;  // Unix ms
  std::int64_t missing_count = 0;
  std::int64_t stale_count = 0;
  std::string detail;                       // JSON: {"status": ..., "missing": [...], "stale": [...], ...}
  std::optional<std::int64_t> snapshot_id;  // the snapshot compared, when the check has one source
  std::optional<std::int64_t> reading_id;   // the target reading compared (local_reading)
};

class DriftLog {
 public:
  explicit DriftLog(Database& db) : db_(db) {}
  void record(const DriftRecord& record);
  std::optional<DriftRecord> latest(const std::string& check);
  // Keeps the latest `keep` results per check.
  std::int64_t prune(std::int64_t keep);

 private:
  Database& db_;
};

}  // namespace allowdrift::store
