// Persistence of the alert state machine's records (diff/alert_state.h) in the alert_state table, one row per
// subject key, so that a restart neither re-sends nor forgets an open alert.
#pragma once

#include "diff/alert_state.h"
#include "store/sqlite_db.h"

#include <optional>
#include <string>
#include <vector>

namespace allowdrift::store {

class AlertStore {
 public:
  explicit AlertStore(Database& db) : db_(db) {}
  std::optional<diff::AlertRecord> load(const std::string& key);
  void save(const diff::AlertRecord& record);
  // Every record in one transaction (one commit): all saved, or none (the exception says why).
  void save_all(const std::vector<diff::AlertRecord>& records);
  std::vector<diff::AlertRecord> all();

 private:
  Database& db_;
};

}  // namespace allowdrift::store
