#include "diff/alert_state.h"

#include <array>
#include <cstdio>

namespace allowdrift::diff {

Step step(const std::optional<AlertRecord>& previous, const std::string& key, bool active,
          const std::string& fingerprint, std::int64_t now_ms, std::int64_t reminder_ms) {
  Step out;
  const bool was_open = previous.has_value() && previous->open;
  if (!active) {
    out.record = AlertRecord{key, false, was_open ? now_ms : (previous ? previous->since_ms : now_ms), "",
                             previous ? previous->last_sent_ms : 0};
    if (was_open) {
      out.change = Change::kResolved;
      out.record.last_sent_ms = now_ms;
    }
    return out;
  }
  if (!was_open) {
    out.record = AlertRecord{key, true, now_ms, fingerprint, now_ms};
    out.change = Change::kOpened;
    return out;
  }
  out.record = *previous;
  if (previous->fingerprint != fingerprint) {
    out.record.fingerprint = fingerprint;
    out.record.last_sent_ms = now_ms;
    out.change = Change::kChanged;
  } else if (reminder_ms > 0 && now_ms - previous->last_sent_ms >= reminder_ms) {
    out.record.last_sent_ms = now_ms;
    out.change = Change::kReminder;
  }
  return out;
}

std::string fingerprint_of(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  std::array<char, 17> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(h));
  return buf.data();
}

}  // namespace allowdrift::diff
