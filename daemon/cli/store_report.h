// Renders what the state database holds (snapshot history, changes between snapshots) for people (text) and for
// programs (JSON). Pure: the commands query the store, these functions only format, so they are tested without a
// database.
#pragma once

#include "store/snapshot_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::cli {

// A Unix time in milliseconds as UTC ISO-8601: "2024-10-29T06:00:00Z", with ".mmm" only when the milliseconds are
// not zero. Times outside years 0000-9999 (a hand-edited database) print as "<ms> ms since the epoch".
std::string format_utc(std::int64_t unix_ms);

// One line of `allowdrift history` without a source.
struct SourceSummary {
  std::string name;
  std::int64_t snapshots = 0;
  std::optional<store::SnapshotInfo> last_accepted;
  std::optional<store::SnapshotInfo> latest;  // the one confirmed last: what the latest fetch found
};

std::string text_source_overview(const std::vector<SourceSummary>& sources);
std::string json_source_overview(const std::vector<SourceSummary>& sources);

// `allowdrift history SOURCE`: `snapshots` newest first, possibly the first few of `total`.
struct SourceHistory {
  std::string source;
  std::int64_t total = 0;
  std::vector<store::SnapshotInfo> snapshots;
};

std::string text_history(const SourceHistory& history);
std::string json_history(const SourceHistory& history);

// `allowdrift changes SOURCE FROM TO`.
struct ChangesReport {
  std::string source;
  store::SnapshotInfo from;
  store::SnapshotInfo to;
  std::vector<store::SectionChanges> sections;  // only sections that changed; "" for a source without sections
};

std::string text_changes(const ChangesReport& report);
std::string json_changes(const ChangesReport& report);

// "unknown source 'x' (known: a, b)", for both commands.
std::string unknown_source_message(const std::string& source, const std::vector<std::string>& known);

}  // namespace allowdrift::cli
