// One [[check]] evaluated: the union of its sources' last accepted lists against what its target allows.
//   missing = published - allowed                (an outage risk)
//   stale   = allowed - published                (an exposure risk), scoped to the whole target or only to
//             entries the sources once published (a shared allowlist also holds other things)
//   broad   = published entries allowed only through a very broad local rule (a /8): information
// A check whose inputs are incomplete (a source without any accepted list, an unreadable target) is unknown, never
// "in sync" and never "everything missing". Pure: the caller gathers the inputs from the store and the reader.
#pragma once

#include "alert/alert_event.h"
#include "firewall/allowlist.h"
#include "model/domain_set.h"
#include "model/ip_set.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::diff {

enum class CheckStatus : std::uint8_t { kOk, kWarning, kCritical, kUnknown };
std::string_view to_string(CheckStatus status);   // "ok", "warning", "critical", "unknown"
CheckStatus worst(CheckStatus a, CheckStatus b);  // unknown > critical > warning > ok

struct PublishedSource {
  std::string name;
  bool has_snapshot = false;  // false: no accepted list yet
  std::int64_t snapshot_id = 0;
  std::int64_t fetched_at_ms = 0;    // when that list was first fetched
  std::int64_t confirmed_at_ms = 0;  // when it was last confirmed by a fetch
  std::int64_t max_age_ms = 0;       // older (by confirmed_at) is stale data
  std::string last_fetch_problem;    // "" when the last fetch went fine; else why (failed, suspect held)
  // Its new list is held back as suspect: the check compares the old one and is at least a warning until the
  // hold ends (accepted, withdrawn or the old list published again). A failed fetch makes the run unknown instead.
  bool held_back = false;
  model::IpSet ips;
  model::DomainSet domains;
  model::IpSet ever_ips;  // every address it ever published (for stale_scope = published)
  model::DomainSet ever_domains;
};

// A readable target as the checks see it: its allowlist, with the sets built once for every check that compares
// against it (and for the reading log and the report).
struct LocalTarget {
  explicit LocalTarget(firewall::Allowlist allowlist);
  firewall::Allowlist list;  // as read (after drop_entries(), its warnings only)
  model::IpSet ips;          // list.ip_set()
  model::DomainSet domains;
  // The allowed entries (list.ips, exclusions not subtracted) by width: an entry spanning n addresses is in class
  // floor(log2(n)) of its family (a /24 in v4 class 8; ::/0 in v6 class 128). A check's broad rules are the
  // classes at or above its threshold, the narrow ones the union of those below.
  std::array<model::IpSet, 33> v4_by_width;
  std::array<model::IpSet, 129> v6_by_width;

  // Frees the per-entry lists (with their origins): everything the evaluation reads stays. For a process that keeps
  // a reading for hours: the entries are most of its size (about 80 bytes each, against 8 or 32 per merged block).
  void drop_entries();
};

struct CheckPolicy {
  std::string name;
  bool report_missing = true;
  bool report_stale = true;
  bool stale_only_published = false;  // stale_scope = "published"
  alert::Severity missing_severity = alert::Severity::kCritical;
  alert::Severity stale_severity = alert::Severity::kWarning;
  int broad_v4 = 8;
  int broad_v6 = 32;
};

struct SourceUse {
  std::string name;
  std::optional<std::int64_t> snapshot_id;
  std::int64_t age_ms = 0;  // now - confirmed_at
  bool data_stale = false;  // age over the source's max_age
  std::string problem;      // the last fetch's problem, if any
};

struct CheckResult {
  std::string name;
  std::string target;
  CheckStatus status = CheckStatus::kUnknown;
  model::IpSet missing_ips;
  model::IpSet stale_ips;
  model::IpSet broad_ips;  // published, allowed only through a rule at least as broad as broad_v4/broad_v6
  std::vector<model::DomainPattern> missing_domains;
  std::vector<model::DomainPattern> stale_domains;
  std::vector<SourceUse> sources;
  std::vector<std::string> notes;  // why unknown, which data is old, what the target reader warned about

  bool drifting() const {
    return !missing_ips.empty() || !stale_ips.empty() || !missing_domains.empty() || !stale_domains.empty();
  }
};

// `target` is null when it could not be read; `target_error` then says why.
CheckResult evaluate_check(const CheckPolicy& policy, const std::string& target_name,
                           const std::vector<PublishedSource>& sources, const LocalTarget* target,
                           const std::string& target_error, std::int64_t now_ms);

}  // namespace allowdrift::diff
