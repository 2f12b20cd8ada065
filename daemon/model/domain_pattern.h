// A domain allowlist entry: an exact name or a "*." wildcard, normalized.
//
// Normalization: ASCII lowercase, one trailing dot removed. Labels are 1-63 characters of letters, digits,
// '-' and '_' (no '-' at either end), at most 253 characters in all, and the last label is not all digits (that
// is an IPv4 address, or a typo of one). Internationalized names are converted to their ASCII "xn--" form
// (IDNA2008 with UTS #46 mapping, libidn2).
//
// Meaning, used by DomainSet for coverage:
//   "example.com"    exactly that name;
//   "*.example.com"  every name strictly below example.com, at any depth (mail.example.com,
//                    a.b.example.com), but not example.com itself. This is what vendors mean by it
//                    (Microsoft 365, Atlassian) and what DNS wildcards and proxy domain ACLs match.
#pragma once

#include "model/parse_error.h"

#include <string>
#include <string_view>

namespace allowdrift::model {

struct DomainPattern {
  std::string name;  // normalized; for a wildcard, the part after "*."
  bool wildcard = false;

  std::string to_string() const { return wildcard ? "*." + name : name; }

  friend bool operator==(const DomainPattern&, const DomainPattern&) = default;
};

ParseResult<DomainPattern> parse_domain_pattern(std::string_view token);

// Orders names by their labels from the right (com < example.com < mail.example.com), so a sorted list keeps
// each domain beside its subdomains; an exact name sorts before the wildcard of the same name.
bool domain_order(const DomainPattern& a, const DomainPattern& b);

}  // namespace allowdrift::model
