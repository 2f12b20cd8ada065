#include "app/retention.h"

namespace allowdrift::app {

RetentionReport apply_retention(const config::Config& config, store::SnapshotStore& snapshots,
                                store::ReadingLog& readings, store::DriftLog& drift_log, std::int64_t now_ms) {
  RetentionReport report;
  const auto ms = [](std::chrono::seconds s) { return static_cast<std::int64_t>(s.count()) * 1000; };
  {
    // Readings and drift results first, in one transaction: drift_result rows point at readings (SET NULL).
    store::Transaction tx(snapshots.database());
    report.readings_deleted = readings.prune(now_ms - ms(config.keep_history));
    report.drift_results_deleted = drift_log.prune(kDriftResultsKept);
    tx.commit();
  }
  store::RetentionPolicy policy;
  policy.max_age_ms = ms(config.keep_history);
  policy.min_count = config.keep_snapshots;
  policy.fetch_log_max_age_ms = ms(config.keep_fetch_log);
  report.snapshots = snapshots.prune(policy, now_ms);  // its own transaction, then a WAL checkpoint
  return report;
}

}  // namespace allowdrift::app
