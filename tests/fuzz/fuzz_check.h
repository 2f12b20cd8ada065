// Shared helpers of the libFuzzer targets: an invariant check that reports the input and aborts (libFuzzer then
// saves the input as a crash artifact), and printing of values for those reports.
#pragma once

#include "model/uint128.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace allowdrift::fuzz {

// The input of the current run, for failure reports.
inline std::string_view g_input;

// Every byte visible: printable ASCII as is, the rest (and '\\', '"') as \xNN.
inline std::string escape_all(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

inline std::string hex128(model::U128 v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 124; shift >= 0; shift -= 4) out += kHex[static_cast<unsigned>(v >> shift) & 0xf];
  return out;
}

// True when every byte is printable ASCII: what may reach a log line or a terminal unescaped.
inline bool printable_ascii(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "\n%s:%d: invariant violated: %s\n  input (%zu bytes): \"%s\"\n  %s\n", file, line, condition,
               g_input.size(), escape_all(g_input).c_str(), detail.c_str());
  std::abort();
}

}  // namespace allowdrift::fuzz

// `detail` is a std::string expression, evaluated only when the check fails.
#define FUZZ_CHECK(condition, detail)                                                     \
  do {                                                                                    \
    if (!(condition)) ::allowdrift::fuzz::fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)
