// Small scanning helpers for the feed parsers.
#pragma once

#include <cstddef>
#include <string_view>

namespace allowdrift::feeds {

// Position of the first `a` or `b` in `s`, or npos. A plain loop: libstdc++ 12's string_view::find_first_of calls
// memchr once per character of the text, which was a third of the time of reading a million-line list
// (bench/README.md).
inline std::size_t find_either(std::string_view s, char a, char b) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == a || s[i] == b) return i;
  return std::string_view::npos;
}

}  // namespace allowdrift::feeds
