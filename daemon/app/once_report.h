// The report of `allowdrift --once`: readable text, or the documented JSON (README "--once JSON report"):
//   { "status": "ok|warning|critical|unknown", "checked_at": "...Z",
//     "checks": [ { "name", "status", "target", "missing": [CIDR...], "stale": [...], "missing_domains": [...],
//                   "stale_domains": [...], "broad": [...], "notes": [...],
//                   "sources": [ { "name", "snapshot_id", "age_seconds", "data_stale", "problem" } ] } ],
//     "sources": [ { "name", "outcome", "error_kind", "message", "snapshot_id", "added", "removed" } ],
//     "targets": [ { "name", "spec", "readable", "error_kind", "error", "ips", "domains" } ] }
// CIDR lists are minimal and sorted, IPv4 before IPv6. Pure.
#pragma once

#include "app/check_cycle.h"

#include <string>

namespace allowdrift::app {

std::string text_report(const CycleReport& report);
std::string json_report(const CycleReport& report);

// One check's result as the JSON object of the report's "checks" array (also kept in the store's drift log).
std::string check_json(const diff::CheckResult& check);

// The monitoring-plugin exit status: 0 ok, 1 warning, 2 critical, 3 unknown.
int exit_status(diff::CheckStatus status);

}  // namespace allowdrift::app
