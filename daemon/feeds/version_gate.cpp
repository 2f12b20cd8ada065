#include "feeds/version_gate.h"

#include "feeds/json_list.h"
#include "feeds/list_guards.h"

namespace allowdrift::feeds {

model::ParseResult<std::string> parse_version(std::string_view bytes, const JsonSelector& selector) {
  // The same strict document handling and token rules as a list's change token: a version endpoint is a tiny
  // list with no entries.
  JsonListSpec spec;
  spec.change_token = selector;
  auto parsed = extract_json(bytes, spec);
  if (!parsed) return parsed.error();
  if (!parsed->change_token) return model::ParseError{"the version document has no version"};
  return {boost::system::in_place_value, *parsed->change_token};
}

std::string_view to_string(VersionCheck check) {
  switch (check) {
    case VersionCheck::kFirst:
      return "first";
    case VersionCheck::kUnchanged:
      return "unchanged";
    case VersionCheck::kMoved:
      return "moved";
    case VersionCheck::kWentBackwards:
      return "went backwards";
  }
  return "moved";
}

VersionCheck check_version(const std::optional<std::string>& previous, const std::string& latest) {
  if (!previous) return VersionCheck::kFirst;
  if (*previous == latest) return VersionCheck::kUnchanged;
  const auto order = compare_change_tokens(latest, *previous);
  if (order && *order < 0) return VersionCheck::kWentBackwards;
  return VersionCheck::kMoved;
}

}  // namespace allowdrift::feeds
