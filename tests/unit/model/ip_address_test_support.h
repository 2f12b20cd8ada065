// Helpers of the ip_address tests: a rejected parse's message and the successful parses as comparable values.
#pragma once

#include "model/ip_address.h"
#include "u128_test_util.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::model::testing {

// The message of a rejected parse; a marker that no reason matcher accepts when the parse succeeded.
template <class R>
std::string ErrorOf(const R& r) {
  if (r.has_value()) return "<accepted>";
  return r.error().message;
}

inline std::optional<std::uint32_t> Ok4(std::string_view text) {
  auto r = parse_ipv4(text);
  if (!r) return std::nullopt;
  return *r;
}

inline std::optional<std::string> Ok6(std::string_view text) {
  auto r = parse_ipv6(text);
  if (!r) return std::nullopt;
  return Hex(*r);
}

}  // namespace allowdrift::model::testing
