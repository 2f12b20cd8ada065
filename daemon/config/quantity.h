// The config's durations ("90s", "15m", "6h", "1d", "2w", "1h30m") and sizes ("512KiB", "32MiB", "4MB", or a plain
// integer of bytes). Pure; errors say what was expected.
#pragma once

#include "model/parse_error.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace allowdrift::config {

model::ParseResult<std::chrono::seconds> parse_duration(std::string_view text);
model::ParseResult<std::uint64_t> parse_size(std::string_view text);

// "6h", "1h30m", "45s", "0s": the shortest text parse_duration reads back as the same value.
std::string format_duration(std::chrono::seconds value);

}  // namespace allowdrift::config
