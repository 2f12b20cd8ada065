#include "config/quantity.h"

#include <array>
#include <charconv>
#include <limits>

namespace allowdrift::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

model::ParseError error(std::string_view text, std::string_view expected) {
  return {"'" + std::string(text) + "' is not " + std::string(expected)};
}

}  // namespace

model::ParseResult<std::chrono::seconds> parse_duration(std::string_view text) {
  static constexpr std::array<Unit, 5> kUnits = {{{"w", 7 * 86400}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}};
  constexpr std::string_view kExpected = "a duration such as 90s, 15m, 6h, 1d, 2w or 1h30m";
  if (text.empty()) return error(text, kExpected);
  std::uint64_t total = 0;
  std::size_t next_unit = 0;  // units go from larger to smaller, each at most once: "1h30m", not "30m1h"
  std::string_view rest = text;
  while (!rest.empty()) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || end == rest.data()) return error(text, kExpected);
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    std::size_t i = 0;
    while (i < kUnits.size() && (rest.empty() || rest.front() != kUnits[i].name.front())) ++i;
    if (i == kUnits.size()) return error(text, kExpected);
    if (i < next_unit) return error(text, kExpected);
    next_unit = i + 1;
    rest.remove_prefix(1);
    if (value > std::numeric_limits<std::uint32_t>::max()) return error(text, "a duration under 136 years");
    total += value * kUnits[i].factor;
    if (total > std::numeric_limits<std::uint32_t>::max()) return error(text, "a duration under 136 years");
  }
  return std::chrono::seconds{static_cast<std::int64_t>(total)};
}

model::ParseResult<std::uint64_t> parse_size(std::string_view text) {
  static constexpr std::array<Unit, 7> kUnits = {{{"KiB", 1ULL << 10},
                                                  {"MiB", 1ULL << 20},
                                                  {"GiB", 1ULL << 30},
                                                  {"KB", 1000},
                                                  {"MB", 1000 * 1000},
                                                  {"GB", 1000 * 1000 * 1000},
                                                  {"B", 1}}};
  constexpr std::string_view kExpected = "a size such as 4MB, 32MiB or 65536";
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return error(text, kExpected);
  const std::string_view unit = text.substr(static_cast<std::size_t>(end - text.data()));
  if (unit.empty()) return value;
  for (const auto& u : kUnits) {
    if (u.name == unit) {
      if (value > std::numeric_limits<std::uint64_t>::max() / u.factor)
        return error(text, "a size that fits in 64 bits");
      return value * u.factor;
    }
  }
  return error(text, kExpected);
}

std::string format_duration(std::chrono::seconds value) {
  static constexpr std::array<Unit, 5> kUnits = {{{"w", 7 * 86400}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}};
  auto left = static_cast<std::uint64_t>(value.count() < 0 ? 0 : value.count());
  if (left == 0) return "0s";
  std::string out;
  for (const auto& u : kUnits) {
    if (left >= u.factor) {
      out += std::to_string(left / u.factor) + std::string(u.name);
      left %= u.factor;
    }
  }
  return out;
}

}  // namespace allowdrift::config
