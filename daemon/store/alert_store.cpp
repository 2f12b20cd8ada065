#include "store/alert_store.h"

namespace allowdrift::store {
namespace {

diff::AlertRecord row(const Statement& s) {
  diff::AlertRecord r;
  r.key = s.column_text(0);
  r.open = s.column_text(1) == "open";
  r.since_ms = s.column_int64(2);
  r.fingerprint = s.column_text(3);
  r.last_sent_ms = s.column_is_null(4) ? 0 : s.column_int64(4);
  return r;
}

}  // namespace

std::optional<diff::AlertRecord> AlertStore::load(const std::string& key) {
  auto s =
      db_.prepare("SELECT check_name, state, since, fingerprint, last_sent_at FROM alert_state WHERE check_name = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return row(s);
}

void AlertStore::save(const diff::AlertRecord& record) {
  auto s = db_.prepare(
      "INSERT INTO alert_state (check_name, state, since, fingerprint, last_sent_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(check_name) DO UPDATE SET state = excluded.state, since = excluded.since, "
      "fingerprint = excluded.fingerprint, last_sent_at = excluded.last_sent_at");
  s.bind(1, record.key).bind(2, record.open ? "open" : "clear").bind(3, record.since_ms).bind(4, record.fingerprint);
  if (record.last_sent_ms == 0) {
    s.bind(5, std::nullopt);
  } else {
    s.bind(5, record.last_sent_ms);
  }
  s.run();
}

void AlertStore::save_all(const std::vector<diff::AlertRecord>& records) {
  if (records.empty()) return;
  Transaction tx(db_);
  for (const auto& r : records) save(r);
  tx.commit();
}

std::vector<diff::AlertRecord> AlertStore::all() {
  auto s =
      db_.prepare("SELECT check_name, state, since, fingerprint, last_sent_at FROM alert_state ORDER BY check_name");
  std::vector<diff::AlertRecord> out;
  while (s.step()) out.push_back(row(s));
  return out;
}

}  // namespace allowdrift::store
