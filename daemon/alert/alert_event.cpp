#include "alert/alert_event.h"

namespace allowdrift::alert {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kDriftNew:
      return "drift";
    case EventKind::kDriftChanged:
      return "drift_changed";
    case EventKind::kDriftResolved:
      return "resolved";
    case EventKind::kDriftReminder:
      return "reminder";
    case EventKind::kUpstreamChanged:
      return "upstream_changed";
    case EventKind::kFetchFailing:
      return "fetch_failing";
    case EventKind::kFetchRecovered:
      return "fetch_recovered";
    case EventKind::kDataStale:
      return "data_stale";
    case EventKind::kDataFresh:
      return "data_fresh";
    case EventKind::kSuspectHeld:
      return "suspect_held";
    case EventKind::kTargetUnreadable:
      return "target_unreadable";
    case EventKind::kTargetRecovered:
      return "target_recovered";
  }
  return "drift";
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return "crit";
    case Severity::kError:
      return "err";
    case Severity::kWarning:
      return "warning";
    case Severity::kNotice:
      return "notice";
    case Severity::kInfo:
      return "info";
  }
  return "warning";
}

}  // namespace allowdrift::alert
