// Helpers for the local allowlist parser tests: what a reading allows, as strings, and its warnings.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"
#include "model/ip_entry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::testing {

// The allowed set as its minimal CIDR list, IPv4 first.
inline std::vector<std::string> cidrs(const firewall::Allowlist& list) { return list.ip_set().to_cidr_strings(); }

// True when every address of `entry` (an address, CIDR or range) is allowed.
inline bool allows(const firewall::Allowlist& list, std::string_view entry) {
  const auto e = model::parse_ip_entry(entry);
  EXPECT_TRUE(e) << entry;
  return e && list.ip_set().covers(*e);
}

// True when some address of `entry` is allowed.
inline bool allows_any(const firewall::Allowlist& list, std::string_view entry) {
  const auto e = model::parse_ip_entry(entry);
  EXPECT_TRUE(e) << entry;
  return e && list.ip_set().intersects(*e);
}

inline std::vector<std::string> domains(const firewall::Allowlist& list) {
  std::vector<std::string> out;
  for (const auto& d : list.domain_set().patterns()) out.push_back(d.to_string());
  return out;
}

inline std::vector<std::string> origins(const firewall::Allowlist& list) {
  std::vector<std::string> out;
  for (const auto& ip : list.ips) out.push_back(ip.origin);
  return out;
}

inline std::size_t warnings_with(const firewall::Allowlist& list, std::string_view text) {
  return static_cast<std::size_t>(std::count_if(list.warnings.begin(), list.warnings.end(), [&](const std::string& w) {
    return w.find(text) != std::string::npos;
  }));
}

inline std::string all_warnings(const firewall::Allowlist& list) {
  std::string out;
  for (const auto& w : list.warnings) out += "\n  " + w;
  return out;
}

// The error of a failed reading ("" when it did not fail).
inline std::string error_of(const firewall::ReadResult<firewall::Allowlist>& r) {
  return r ? std::string() : r.error().message;
}

}  // namespace allowdrift::testing
