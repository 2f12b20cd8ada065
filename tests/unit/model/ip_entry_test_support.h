// Helpers of the ip_entry tests: a parsed entry rendered field by field, entries built for comparison, and the
// rejection message of a token.
#pragma once

#include "model/ip_address.h"
#include "model/ip_entry.h"
#include "u128_test_util.h"

#include <string>
#include <string_view>

namespace allowdrift::model::testing {

inline std::string_view FormName(EntryForm f) {
  switch (f) {
    case EntryForm::kAddress:
      return "address";
    case EntryForm::kPrefix:
      return "prefix";
    case EntryForm::kNetmask:
      return "netmask";
    case EntryForm::kRange:
      return "range";
  }
  return "?";
}

// A readable rendering of every field, so that a mismatch shows which one differs.
inline std::string Describe(const IpEntry& e) {
  return std::string(family_name(e.family)) + " " + Hex(e.first) + "-" + Hex(e.last) + " " +
         std::string(FormName(e.form)) + (e.host_bits_cleared ? " host_bits_cleared" : "") +
         (e.v4_mapped ? " v4_mapped" : "");
}

inline IpEntry Entry(Family family, U128 first, U128 last, EntryForm form, bool host_bits_cleared = false,
                     bool v4_mapped = false) {
  IpEntry e;
  e.family = family;
  e.first = first;
  e.last = last;
  e.form = form;
  e.host_bits_cleared = host_bits_cleared;
  e.v4_mapped = v4_mapped;
  return e;
}

// The parsed entry rendered for comparison, or the error message.
inline std::string Parsed(std::string_view token) {
  auto r = parse_ip_entry(token);
  if (!r) return "error: " + r.error().message;
  return Describe(*r);
}

inline std::string ErrorOf(std::string_view token) {
  auto r = parse_ip_entry(token);
  if (r) return "<accepted: " + Describe(*r) + ">";
  return r.error().message;
}

}  // namespace allowdrift::model::testing
