// Turns an AlertEvent into the bytes each channel sends. Pure: no clock, no host lookup, no I/O.
//
// Everything that can come from outside (vendor entries, error messages quoting a server, names from the config)
// goes through one escaper: C0 controls, DEL, C1 controls, line/paragraph separators, bidirectional overrides, the
// BOM and bytes that are not valid UTF-8 are written as visible escapes (`\x1b`, `\u202e`), so a published list
// cannot forge a second log line, hide text or break a chat message. Every value, sample and line is bounded.
//
// Syslog message (the MSG part; the channel adds `<PRI>Mmm dd hh:mm:ss allowdrift[pid]: `), one line:
//
//   event=drift severity=crit check=sdp-mail target=mail-allow missing=2 stale=0
//   missing_sample=203.0.113.0/24,198.51.100.7 summary="2 published prefixes missing from mail-allow"
//
//   - `event`, `severity`, then `check`, `source`, `target` when set, then AlertEvent::fields in order, then one
//     `<role>_sample` per sample role (in order of first appearance), then `summary`.
//   - A value is written bare when it is non-empty and has no space, `"`, `=`, `\` or escaped character; otherwise
//     it is double-quoted with `"` and `\` backslash-escaped (logfmt). Keys are reduced to [A-Za-z0-9_.-].
//   - A sample shows at most RenderOptions::max_sample entries, comma-separated; when there are more, the value
//     ends in ` ... and K more`. K counts the entries beyond those shown: the sample's own surplus, or, when
//     `fields` carries a count under the role's name (`missing=12` for role `missing`), that count minus those
//     shown. So the state machine may pass a bounded sample and the total as a field.
//   - The line never exceeds max_line_bytes: samples shrink first (down to none), then the summary is shortened,
//     then trailing fields are dropped and `truncated=1` is added.
//
// JSON event (webhook body, exec stdin), one object, UTF-8, keys always present:
//
//   {
//     "version": 1,                          // bumped only on an incompatible change
//     "event": "drift",                      // to_string(EventKind)
//     "severity": "crit",                    // crit | err | warning | notice | info (syslog names)
//     "check": "sdp-mail",                   // null when the event is not about a check
//     "source": null,                        // likewise for a source
//     "target": "mail-allow",                // and a target
//     "summary": "2 published prefixes missing from mail-allow",
//     "at": "2024-10-29T06:00:00.000Z",      // when the observation was made, UTC
//     "at_ms": 1730181600000,                // the same, Unix milliseconds
//     "host": "mx1.example.org",             // RenderOptions::host; null when not given
//     "fields": {"missing": 2, "stale": 0, "age": "3h"},   // canonical integers as numbers, the rest as strings;
//                                                          // a repeated key keeps its first value
//     "sample": {"missing": ["203.0.113.0/24", "198.51.100.7"]},  // at most max_json_sample per role
//     "more": {"missing": 10},               // per role, entries not in "sample" (0 when all are shown)
//     "text": "..."                          // chat_text(): read by Slack incoming webhooks and Teams connectors
//   }
//
// "text" is what Slack incoming webhooks (https://api.slack.com/messaging/webhooks) and Teams Office 365
// connectors (MessageCard, whose minimal payload is {"text": ...}) display; both ignore the other keys. It is
// plain lines with `&`, `<` and `>` written as HTML entities (Slack's required escaping: vendor text can never
// become an `<!channel>` ping or a link) and entries in backticks (so `*.example.com` is not read as emphasis).
// Teams "Workflows" webhooks want an Adaptive Card instead: point an exec channel at a converter for those.
#pragma once

#include "alert/alert_event.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace allowdrift::alert {

struct RenderOptions {
  std::size_t max_sample = 10;        // sample entries per role in the syslog line and the chat text
  std::size_t max_json_sample = 100;  // sample entries per role in the JSON event
  std::size_t max_value_bytes = 256;  // one field value or sample entry, after escaping
  std::size_t max_summary_bytes = 400;
  // The syslog MSG part. RFC 3164 §4.1 caps a packet at 1024 bytes; the header takes about 40 of them.
  std::size_t max_line_bytes = 960;
  std::string host;  // JSON and chat text only: the machine that saw it; empty leaves it out
};

// The escaper described above, in its plain form (backslashes and quotes kept as they are). At most max_bytes
// bytes; a cut never splits a character or an escape, and ends in "...".
std::string sanitize_text(std::string_view text, std::size_t max_bytes = std::string_view::npos);

std::string syslog_message(const AlertEvent& event, const RenderOptions& options = {});
std::string event_json(const AlertEvent& event, const RenderOptions& options = {});
std::string chat_text(const AlertEvent& event, const RenderOptions& options = {});

// "2024-10-29T06:00:00.000Z"; values outside years 0000-9999 are clamped to them.
std::string format_utc_ms(std::int64_t unix_ms);

}  // namespace allowdrift::alert
