// Helpers for tests that handle 128-bit values: gtest has no printer for unsigned __int128.
#pragma once

#include "model/uint128.h"

#include <array>
#include <string>

namespace allowdrift::model::testing {

// "0x" and 32 hex digits, so failures print and compare as text.
inline std::string Hex(U128 v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(32, '0');
  for (std::size_t i = 32; i-- > 0;) {
    s[i] = kDigits[static_cast<unsigned>(v & 0xf)];
    v >>= 4;
  }
  return "0x" + s;
}

// An IPv6 address from its eight 16-bit groups, most significant first.
inline U128 Groups(std::array<unsigned, 8> g) {
  U128 v = 0;
  for (unsigned x : g) v = (v << 16) | (x & 0xffff);
  return v;
}

}  // namespace allowdrift::model::testing
