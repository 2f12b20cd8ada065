// 128-bit unsigned arithmetic for IPv6 interval sets, and the bit helpers CIDR conversion needs.
#pragma once

#include <bit>
#include <cstdint>

namespace allowdrift::model {

// GCC and Clang provide unsigned __int128 on every 64-bit target Debian builds for; __extension__ keeps
// -Wpedantic quiet about the non-ISO type.
__extension__ using U128 = unsigned __int128;

template <class T>
inline constexpr int kBits = static_cast<int>(sizeof(T) * 8);

// Count of trailing zero bits; kBits<T> for zero.
constexpr int countr_zero(std::uint32_t v) { return std::countr_zero(v); }
constexpr int countr_zero(U128 v) {
  const auto lo = static_cast<std::uint64_t>(v);
  if (lo != 0) return std::countr_zero(lo);
  return 64 + std::countr_zero(static_cast<std::uint64_t>(v >> 64));
}

// Number of bits needed to represent v (0 for zero).
constexpr int bit_width(std::uint32_t v) { return static_cast<int>(std::bit_width(v)); }
constexpr int bit_width(U128 v) {
  const auto hi = static_cast<std::uint64_t>(v >> 64);
  if (hi != 0) return 64 + static_cast<int>(std::bit_width(hi));
  return static_cast<int>(std::bit_width(static_cast<std::uint64_t>(v)));
}

// Mask with the low `bits` bits set (bits in [0, kBits<T>]).
template <class T>
constexpr T low_mask(int bits) {
  if (bits >= kBits<T>) return static_cast<T>(~T{0});
  return static_cast<T>((T{1} << bits) - 1);
}

}  // namespace allowdrift::model

namespace allowdrift::model {
// std::numeric_limits is not specialized for __int128 in strict ISO mode (-std=c++20), so spell the maximum out.
template <class T>
inline constexpr T kMaxValue = static_cast<T>(~T{0});
}  // namespace allowdrift::model
