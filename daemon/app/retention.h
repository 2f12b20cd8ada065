// The state database's retention (config keys keep_history, keep_snapshots, keep_fetch_log), applied after each
// --once run and daily by the daemon, so history neither grows without bound nor loses a source's last accepted
// list.
#pragma once

#include "config/config.h"
#include "store/drift_log.h"
#include "store/reading_log.h"
#include "store/snapshot_store.h"

#include <cstdint>

namespace allowdrift::app {

struct RetentionReport {
  store::PruneReport snapshots;
  std::int64_t readings_deleted = 0;
  std::int64_t drift_results_deleted = 0;
};

// Drift results: the latest 100 per check (`allowdrift status` reads only the latest).
inline constexpr std::int64_t kDriftResultsKept = 100;

RetentionReport apply_retention(const config::Config& config, store::SnapshotStore& snapshots,
                                store::ReadingLog& readings, store::DriftLog& drift_log, std::int64_t now_ms);

}  // namespace allowdrift::app
