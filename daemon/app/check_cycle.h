// One pass over the configuration: refresh the sources, read the targets, evaluate every check and alert on what
// changed. `allowdrift --once` runs it once; the daemon runs its parts on their own timers.
#pragma once

#include "app/alerter.h"
#include "app/source_refresh.h"
#include "config/config.h"
#include "diff/check_evaluation.h"
#include "firewall/allowlist_reader.h"
#include "store/drift_log.h"
#include "store/reading_log.h"
#include "store/snapshot_store.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::app {

struct TargetState {
  std::string name;
  std::string spec;
  std::optional<diff::LocalTarget> allowlist;  // nullopt: unreadable
  std::string error_kind;                      // "permission", "not-found", ...
  std::string error;
  std::optional<std::int64_t> reading_id;  // its row in local_reading, once recorded
  std::int64_t read_at_ms = 0;             // when it was read
  // What the reading log keeps of a readable target's content, computed where it was read (off the io thread in
  // --once): the canonical content's SHA-256 and its size.
  std::string content_sha256;
  std::int64_t ip_count = 0;
  std::int64_t domain_count = 0;
};

struct CycleReport {
  std::vector<RefreshOutcome> refreshes;
  std::vector<std::string> skipped;  // sources not refreshed: the run's deadline passed
  std::vector<TargetState> targets;
  std::vector<diff::CheckResult> checks;
  diff::CheckStatus status = diff::CheckStatus::kUnknown;  // worst of the checks; unknown if any input failed
  std::int64_t at_ms = 0;
};

// The reader of a target, with its configured tool timeout.
std::unique_ptr<firewall::AllowlistReader> reader_for(const config::TargetConfig& target);

// Reads one target now (blocking: tools run with a timeout, netlink dumps are bounded by the set's size), with
// its reader (the daemon has already asked it for the change signal) or a new one. Touches no shared state: --once
// reads its targets on threads of their own while the sources are fetched.
TargetState read_target(const config::TargetConfig& target, firewall::AllowlistReader& reader);
TargetState read_target(const config::TargetConfig& target);

// Keeps a readable target's content fingerprint in the reading log and sets state.reading_id.
void record_reading(store::ReadingLog& readings, TargetState& state, std::int64_t at_ms);

// What follows a source refresh, in the caller's transaction: the alert observations (fetch failing or
// recovered, suspect held, the last accepted list's age).
void observe_refresh(Alerter& alerter, store::SnapshotStore& store, const config::SourceConfig& source,
                     const RefreshOutcome& outcome, std::int64_t now_ms);

// What follows a target read, in the caller's transaction: the reading logged, readable or not observed.
void observe_reading(Alerter& alerter, store::ReadingLog& readings, const config::TargetConfig& target,
                     TargetState& state, std::int64_t now_ms);

// Evaluates one check from the store's last accepted lists and the target states read in this pass.
diff::CheckResult evaluate(const config::Config& config, const config::CheckConfig& check, store::SnapshotStore& store,
                           const std::map<std::string, TargetState>& targets,
                           const std::map<std::string, RefreshOutcome>& refreshes, std::int64_t now_ms);

// Consecutive failed attempts at the head of the source's fetch history.
int consecutive_failures(store::SnapshotStore& store, const std::string& source);

// Evaluates one check and what follows it, in the caller's transaction: the alert observation and the drift
// result, which names the target reading compared.
diff::CheckResult observe_check(const config::Config& config, const config::CheckConfig& check,
                                store::SnapshotStore& store, const std::map<std::string, TargetState>& targets,
                                const std::map<std::string, RefreshOutcome>& refreshes, Alerter& alerter,
                                store::DriftLog& drift_log, std::int64_t now_ms);

// Keeps the result in the drift log (for `allowdrift status`), with the snapshot and reading it was computed from.
void record_result(store::DriftLog& log, const diff::CheckResult& result, std::int64_t at_ms,
                   std::optional<std::int64_t> reading_id);

// The logs a cycle writes besides the snapshots (all in the snapshot store's database).
struct CycleLogs {
  store::DriftLog& drift_log;
  store::ReadingLog& readings;
};

// Up to this many sources fetch at a time, so that their network waits overlap; a source's parsing and storing,
// on the store's thread, do not hold its slot. Alerts and the report keep the configuration's order.
inline constexpr std::size_t kParallelFetches = 4;

boost::asio::awaitable<CycleReport> run_cycle(const config::Config& config, RefreshContext context, Alerter& alerter,
                                              CycleLogs logs, std::chrono::steady_clock::time_point deadline);

std::int64_t unix_ms_now();

}  // namespace allowdrift::app
