// The alert state machine: one persistent record per subject (a check's drift, a source's fetches or data age, a
// target's readability), so that each transition alerts once, an unchanged open problem re-alerts only after the
// reminder interval, and a restart neither re-sends nor forgets an open alert (records live in the store's
// alert_state table). Pure: the caller loads the previous record, steps, delivers, and saves the new record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace allowdrift::diff {

struct AlertRecord {
  std::string key;            // "check:sdp-mail", "fetch:cloudflare", "age:cloudflare", "target:mail-allow"
  bool open = false;          // a problem is currently reported
  std::int64_t since_ms = 0;  // when it opened (or cleared)
  std::string fingerprint;    // what was alerted on; a different one while open is a change
  std::int64_t last_sent_ms = 0;
  friend bool operator==(const AlertRecord&, const AlertRecord&) = default;
};

enum class Change : std::uint8_t {
  kNone,      // nothing to say
  kOpened,    // a problem appeared (or appeared again after clearing)
  kChanged,   // still open, but what it is about changed
  kReminder,  // still open and unchanged, and the reminder interval passed
  kResolved,  // it cleared
};

struct Step {
  AlertRecord record;  // to save once the alert (if any) was delivered
  Change change = Change::kNone;
};

// `active`: the problem exists now; `fingerprint`: what it is about (ignored when inactive). A first observation
// that finds nothing wrong is a silent baseline.
Step step(const std::optional<AlertRecord>& previous, const std::string& key, bool active,
          const std::string& fingerprint, std::int64_t now_ms, std::int64_t reminder_ms);

// A stable 64-bit FNV-1a digest in hex, for fingerprints that survive restarts and rebuilds (std::hash does not).
std::string fingerprint_of(std::string_view text);

}  // namespace allowdrift::diff
