// Sources with a cheap version endpoint (Microsoft 365's /version) are polled there first; the full list is
// fetched only when the version moved, and the version is kept as the snapshot's change token.
#pragma once

#include "feeds/json_selector.h"
#include "model/parse_error.h"

#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::feeds {

// The version a version endpoint reports: the single string or integer `selector` picks from the JSON document
// (Microsoft 365: {"instance": "Worldwide", "latest": "2026070100"} with selector "latest").
model::ParseResult<std::string> parse_version(std::string_view bytes, const JsonSelector& selector);

enum class VersionCheck {
  kFirst,          // no previous version: fetch the list
  kUnchanged,      // same version: do not fetch the list
  kMoved,          // newer (or not comparable but different): fetch the list
  kWentBackwards,  // older than the last one seen: suspicious (a stale mirror or a rollback); fetch and judge
};
std::string_view to_string(VersionCheck check);

VersionCheck check_version(const std::optional<std::string>& previous, const std::string& latest);

}  // namespace allowdrift::feeds
