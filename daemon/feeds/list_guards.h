// Validation guards: whether a freshly extracted list may become the new truth for its source.
//
// A vendor's glitch (an empty file, half a list, an error page, a rollback) must never be taken as "the vendor
// removed these addresses": that is how published-list consumers have wiped firewalls (reliability.md §2.6).
//   reject   the list is unusable: empty (unless the source may be empty), or too many invalid tokens
//   suspect  plausible but alarming: shrank by more than max_shrink, grew by max_growth or more, or the vendor's
//            change token went backwards; kept as a candidate, not accepted until confirmed (the daemon decides how)
//   accept   everything else
// Flags are warnings that do not change the verdict: very broad prefixes (shorter than /8 or /16, including
// 0.0.0.0/0 and ::/0) and private or special-purpose ranges (RFC 1918, loopback, link-local, CGNAT, ULA,
// documentation) in a published list.
#pragma once

#include "feeds/extracted_list.h"

#include <optional>
#include <string>
#include <vector>

namespace allowdrift::feeds {

struct GuardPolicy {
  bool may_be_empty = false;
  double max_shrink = 0.5;              // share of the previous entries that may disappear at once
  double max_growth = 10.0;             // growth factor from which a list is suspect
  std::size_t max_rejected_tokens = 0;  // text/html sources may tolerate a few bad tokens; JSON none
};

enum class Verdict { kAccept, kSuspect, kReject };
std::string_view to_string(Verdict v);

struct GuardReport {
  Verdict verdict = Verdict::kAccept;
  std::vector<std::string> reasons;  // why suspect or rejected
  std::vector<std::string> flags;    // warnings
};

// The size a list is measured by: minimal CIDR blocks plus domain patterns, over all sections.
std::size_t entry_count(const ExtractedList& list);

// `previous` is the last accepted list of the same source, if any.
GuardReport judge(const ExtractedList& current, const ExtractedList* previous, const GuardPolicy& policy);

// -1, 0 or 1 when two change tokens are comparable (both decimal numbers, or same-length timestamps such as AWS's
// createDate "2026-08-22-15-17-05"); nullopt otherwise.
std::optional<int> compare_change_tokens(const std::string& a, const std::string& b);

}  // namespace allowdrift::feeds
