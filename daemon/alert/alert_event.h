// One thing worth telling an admin, produced by the alert state machine (diff/alert_state.h) and delivered by every
// configured channel (syslog, webhook, exec). Rendering is pure (alert_render.h); channels only move bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allowdrift::alert {

enum class EventKind : std::uint8_t {
  kDriftNew,          // a check went from in sync (or unknown) to drifting
  kDriftChanged,      // still drifting, but the missing/stale sets changed
  kDriftResolved,     // back in sync
  kDriftReminder,     // unchanged drift, re-sent after the reminder interval
  kUpstreamChanged,   // a source accepted a new list (added/removed entries)
  kFetchFailing,      // a source failed N fetches in a row
  kFetchRecovered,    // a failing source fetched again
  kDataStale,         // a source's last accepted list is older than its max age
  kDataFresh,         // it is within its max age again (said by fetch_recovered when the fetches had failed)
  kSuspectHeld,       // a new list was held back as suspect (shrank, grew, token went backwards)
  kTargetUnreadable,  // a local allowlist could not be read
  kTargetRecovered,   // it can be read again
};

// "drift", "drift_changed", "resolved", "reminder", "upstream_changed", "fetch_failing", "fetch_recovered",
// "data_stale", "data_fresh", "suspect_held", "target_unreadable", "target_recovered".
std::string_view to_string(EventKind kind);

// Syslog severities (RFC 5424 numbering), so the channel can map them directly.
enum class Severity : std::uint8_t { kCritical = 2, kError = 3, kWarning = 4, kNotice = 5, kInfo = 6 };
std::string_view to_string(Severity severity);

struct AlertEvent {
  EventKind kind = EventKind::kDriftNew;
  Severity severity = Severity::kWarning;
  std::string check;    // the [[check]] name, or "" for source/target events
  std::string source;   // the [[source]] name, when the event is about one
  std::string target;   // the [[target]] name, when the event is about one
  std::string summary;  // one human sentence: "2 published prefixes missing from mail-allow"
  // Ordered key=value facts: missing=2 stale=0 age=3h ... (values from vendor data are sanitized by the renderer).
  std::vector<std::pair<std::string, std::string>> fields;
  // A bounded sample of the entries concerned, by role: {"missing", "203.0.113.0/24"}, {"added", ...}.
  std::vector<std::pair<std::string, std::string>> sample;
  std::int64_t at_ms = 0;  // Unix ms of the observation that produced it
};

}  // namespace allowdrift::alert
