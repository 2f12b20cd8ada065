// What each local allowlist target held when it was read, in the local_reading table: one row per distinct
// content, whose confirmed_at moves when a later reading finds the same content (migrations/0002), so an hourly
// poll costs a row per change, not per read. Drift results name the reading they were computed from.
#pragma once

#include "store/sqlite_db.h"

#include <cstdint>
#include <optional>
#include <string>

namespace allowdrift::store {

struct ReadingInput {
  std::string target;
  std::int64_t at = 0;         // Unix ms
  std::string content_sha256;  // hex, of the normalized content
  std::int64_t ip_count = 0;   // minimal CIDR blocks
  std::int64_t domain_count = 0;
};

struct ReadingInfo {
  std::int64_t id = 0;
  std::string target;
  std::int64_t read_at = 0;  // first read with this content
  std::int64_t confirmed_at = 0;
  std::string content_sha256;
  std::int64_t ip_count = 0;
  std::int64_t domain_count = 0;
};

class ReadingLog {
 public:
  explicit ReadingLog(Database& db) : db_(db) {}

  // The id of the row that holds this content: the target's latest when its content is the same, else a new one.
  std::int64_t record(const ReadingInput& input);
  std::optional<ReadingInfo> latest(const std::string& target);
  // Deletes readings last confirmed before `before` (Unix ms), except each target's latest.
  std::int64_t prune(std::int64_t before);

 private:
  Database& db_;
};

}  // namespace allowdrift::store
