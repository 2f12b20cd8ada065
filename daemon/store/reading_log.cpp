#include "store/reading_log.h"

namespace allowdrift::store {

std::int64_t ReadingLog::record(const ReadingInput& in) {
  Transaction tx(db_);
  std::int64_t id = 0;
  if (const auto last = latest(in.target); last && last->content_sha256 == in.content_sha256) {
    db_.prepare("UPDATE local_reading SET confirmed_at = max(confirmed_at, ?) WHERE id = ?")
        .bind(1, in.at)
        .bind(2, last->id)
        .run();
    id = last->id;
  } else {
    db_.prepare(
           "INSERT INTO local_reading (target, read_at, confirmed_at, content_sha256, ip_count, domain_count) "
           "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, in.target)
        .bind(2, in.at)
        .bind(3, in.at)
        .bind(4, in.content_sha256)
        .bind(5, in.ip_count)
        .bind(6, in.domain_count)
        .run();
    id = db_.last_insert_rowid();
  }
  tx.commit();
  return id;
}

std::optional<ReadingInfo> ReadingLog::latest(const std::string& target) {
  auto s = db_.prepare(
      "SELECT id, target, read_at, confirmed_at, content_sha256, ip_count, domain_count FROM local_reading "
      "WHERE target = ? ORDER BY id DESC LIMIT 1");
  s.bind(1, target);
  if (!s.step()) return std::nullopt;
  return ReadingInfo{s.column_int64(0), s.column_text(1),  s.column_int64(2), s.column_int64(3),
                     s.column_text(4),  s.column_int64(5), s.column_int64(6)};
}

std::int64_t ReadingLog::prune(std::int64_t before) {
  db_.prepare(
         "DELETE FROM local_reading WHERE confirmed_at < ? AND id NOT IN "
         "(SELECT max(id) FROM local_reading GROUP BY target)")
      .bind(1, before)
      .run();
  return db_.changes();
}

}  // namespace allowdrift::store
