// The history of what each source published, on top of the state database.
//
// Each call is one transaction. Identical normalized content is stored once: re-recording it only moves
// confirmed_at. Entries are stored as spans of presence (migrations/0001_initial.sql), so history costs the size
// of the changes, and "when did this appear / disappear" is a lookup.
#pragma once

#include "model/domain_set.h"
#include "model/ip_set.h"
#include "store/sqlite_db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::store {

enum class SnapshotStatus { kAccepted, kSuspect, kRejected };
std::string_view to_string(SnapshotStatus status);

// The normalized content of one section of a source ("" for sources without sections).
struct SectionContent {
  std::string name;
  model::IpSet ips;
  std::vector<model::DomainPattern> domains;
};

struct SnapshotInput {
  std::string source;
  std::int64_t fetched_at = 0;  // Unix ms
  SnapshotStatus status = SnapshotStatus::kAccepted;
  std::string reason;  // why suspect or rejected
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> final_url;
  std::optional<std::string> change_token;  // vendor's syncToken, changeNumber, ...
  std::optional<std::string> body_sha256;   // hex, of the raw body
  std::vector<SectionContent> sections;     // empty for a rejected snapshot
};

struct SnapshotInfo {
  std::int64_t id = 0;
  std::string source;
  std::int64_t fetched_at = 0;
  std::int64_t confirmed_at = 0;
  SnapshotStatus status = SnapshotStatus::kAccepted;
  std::string reason;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> final_url;
  std::optional<std::string> change_token;
  std::optional<std::string> body_sha256;
  std::string content_sha256;
  std::int64_t ip_count = 0;
  std::int64_t domain_count = 0;
  std::int64_t added = 0;    // entries that appeared with this snapshot
  std::int64_t removed = 0;  // entries that disappeared with it
};

struct RecordResult {
  std::int64_t snapshot_id = 0;
  bool created = false;  // false: same content as the latest snapshot, only confirmed_at moved
};

struct SectionChanges {
  std::string section;
  std::vector<std::string> added;  // minimal CIDR blocks, then domain patterns
  std::vector<std::string> removed;
};

struct EntrySeen {
  std::int64_t first_seen = 0;  // fetched_at of the first snapshot holding it
  std::int64_t last_seen = 0;   // confirmed_at of the last snapshot holding it
  bool present = false;         // in the latest content snapshot
};

struct FetchAttempt {
  std::int64_t at = 0;
  std::string outcome;     // changed | unchanged | failed
  std::string error_kind;  // "" unless failed: dns, connect, tls, timeout, http_status, ...
  std::string message;
  std::int64_t duration_ms = 0;
  std::int64_t bytes = 0;
};

struct RetentionPolicy {
  std::int64_t max_age_ms = 180LL * 24 * 3600 * 1000;  // snapshots older than this may go...
  std::int64_t min_count = 30;                         // ...but each source keeps at least this many
  std::int64_t fetch_log_max_age_ms = 30LL * 24 * 3600 * 1000;
};

struct PruneReport {
  std::int64_t snapshots_deleted = 0;
  std::int64_t entries_deleted = 0;
  std::int64_t fetch_attempts_deleted = 0;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(Database& db) : db_(db) {}

  RecordResult record(const SnapshotInput& input);
  // The source still publishes this snapshot's content (a 304, an unchanged version, the same list in a new body):
  // moves its confirmed_at, and takes the new body's validators, URL, token and body hash when given them.
  void confirm(std::int64_t snapshot_id, std::int64_t at, const SnapshotInput* fetched = nullptr);
  // A suspect snapshot becomes the accepted one (its content is already stored), with `reason` recorded.
  void accept_suspect(std::int64_t snapshot_id, const std::string& reason);

  std::optional<SnapshotInfo> last_accepted(const std::string& source);
  std::optional<SnapshotInfo> snapshot(std::int64_t id);
  // Newest first; added/removed counted per entry.
  std::vector<SnapshotInfo> history(const std::string& source, std::int64_t limit = 100);
  std::vector<std::string> sources();

  // The content of a snapshot that carries content (accepted or suspect).
  std::vector<SectionContent> content(std::int64_t snapshot_id);
  // What changed from `from` to `to` (both of one source), CIDR-aware.
  std::vector<SectionChanges> changes(std::int64_t from_id, std::int64_t to_id);
  // By the exact stored value (a minimal CIDR block or a domain pattern). When a neighbouring prefix arrives and
  // merges with it, the stored block changes and the old value's span closes: an address-aware lookup is a
  // known gap.
  std::optional<EntrySeen> seen(const std::string& source, const std::string& value);
  // The entries that an earlier accepted snapshot of the source held and `last_accepted_id` (the source's last
  // accepted snapshot) no longer holds, sorted. With that snapshot's content, they are everything the source ever
  // published; the common case, a list that never dropped anything, reads no rows.
  std::vector<std::string> published_before(const std::string& source, std::int64_t last_accepted_id);

  void record_fetch_attempt(const std::string& source, std::int64_t at, std::string_view outcome,
                            std::string_view error_kind, std::string_view message, std::int64_t duration_ms,
                            std::int64_t bytes);

  // Newest first.
  // Newest recorded first (a source's attempts are recorded one after another), not by `at`: after the wall clock
  // is stepped back, new failures must not sort below old successes (consecutive failures count from the top).
  std::vector<FetchAttempt> fetch_history(const std::string& source, std::int64_t limit = 100);

  // Never deletes the last accepted snapshot of a source, nor anything it needs.
  PruneReport prune(const RetentionPolicy& policy, std::int64_t now);

  // For grouping writes of several stores into one transaction (store::Transaction nests).
  Database& database() { return db_; }

 private:
  std::int64_t source_id(const std::string& name, bool create);
  void insert_entries(std::int64_t source, std::int64_t snapshot,
                      const std::vector<const std::pair<std::string, std::string>*>& rows);

  Database& db_;
};

// The canonical text of normalized content, hashed into content_sha256: sections by name, then each section's
// minimal CIDR blocks and domain patterns, one per line.
std::string canonical_content(const std::vector<SectionContent>& sections);
// SHA-256 (hex) of canonical_content(sections), without building the text: SnapshotInfo::content_sha256.
std::string content_sha256(const std::vector<SectionContent>& sections);

}  // namespace allowdrift::store
