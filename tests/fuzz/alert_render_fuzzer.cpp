// libFuzzer target: alert rendering (daemon/alert/alert_render.h), which turns vendor-controlled text (entries,
// error messages quoting a server) into a syslog line, a JSON event and a chat message.
//
// Input: byte 0 picks limits (max_sample, max_line_bytes, max_value_bytes); then length-prefixed pieces (one length
// byte, then that many bytes) fill summary, check, source, target, then alternating field keys and values, then
// sample roles and entries. Checked on every run:
//   - the syslog line fits max_line_bytes, is valid UTF-8 and holds no control character (C0, DEL, C1), no line
//     or paragraph separator, no bidirectional override and no BOM: nothing can forge or hide a log line;
//   - the JSON event parses (Boost.JSON rejects invalid UTF-8), is an object with the documented keys, and its
//     strings hold no control character but the newlines of "text";
//   - the chat text has no raw '<' or '>' (a Slack ping or link) and no control character but '\n';
//   - sanitize_text() stays within its limit, valid UTF-8, with the same character rules.
#include "alert/alert_render.h"
#include "fuzz_check.h"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using allowdrift::fuzz::escape_all;
using namespace allowdrift::alert;
namespace json = boost::json;

// Decodes strictly; false on any invalid sequence. Reports the first forbidden character in `bad`.
bool clean_utf8(std::string_view s, bool allow_newline, std::string& bad) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 1;
    char32_t cp = b0;
    if (b0 >= 0x80) {
      if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2, cp = b0 & 0x1Fu;
      } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3, cp = b0 & 0x0Fu;
      } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4, cp = b0 & 0x07u;
      } else {
        bad = "invalid lead byte at " + std::to_string(i);
        return false;
      }
      if (i + len > s.size()) {
        bad = "truncated sequence at " + std::to_string(i);
        return false;
      }
      for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0u) != 0x80u) {
          bad = "bad continuation at " + std::to_string(i + k);
          return false;
        }
        cp = (cp << 6) | (b & 0x3Fu);
      }
      const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        bad = "overlong or out-of-range sequence at " + std::to_string(i);
        return false;
      }
    }
    const bool forbidden = (cp < 0x20 && !(allow_newline && cp == '\n')) || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
                           cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
                           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
    if (forbidden) {
      bad = "forbidden U+" + std::to_string(static_cast<unsigned long>(cp)) + " at " + std::to_string(i);
      return false;
    }
    i += len;
  }
  return true;
}

void check_strings(const json::value& v, const std::string& path) {
  std::string bad;
  if (v.is_string()) {
    const json::string& s = v.as_string();
    FUZZ_CHECK(clean_utf8(std::string_view(s.data(), s.size()), path == "/text", bad), path + ": " + bad);
  } else if (v.is_object()) {
    for (const auto& [key, value] : v.as_object()) {
      FUZZ_CHECK(clean_utf8(std::string_view(key.data(), key.size()), false, bad), path + " key: " + bad);
      check_strings(value, path + "/" + std::string(key));
    }
  } else if (v.is_array()) {
    for (const auto& value : v.as_array()) check_strings(value, path + "[]");
  }
}

struct Reader {
  std::string_view rest;
  bool next(std::string& out) {
    if (rest.empty()) return false;
    const std::size_t len = std::min<std::size_t>(static_cast<unsigned char>(rest.front()), rest.size() - 1);
    out.assign(rest.substr(1, len));
    rest.remove_prefix(1 + len);
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = input;

  const unsigned knobs = data[0];
  RenderOptions options;
  options.max_sample = knobs & 7u;
  options.max_json_sample = (knobs >> 3) & 7u;
  options.max_line_bytes = (knobs & 0x40u) ? 120 : 960;
  options.max_value_bytes = (knobs & 0x80u) ? 5 : 256;
  options.max_summary_bytes = (knobs & 0x80u) ? 7 : 400;

  AlertEvent event;
  event.kind = static_cast<EventKind>(knobs % 11);
  event.severity = Severity::kWarning;
  // Any instant, including ones no clock gives (the calendar conversion must not overflow).
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i) at = (at << 8) | data[size - 1 - i];
  event.at_ms = static_cast<std::int64_t>(at);
  Reader reader{input.substr(1)};
  std::string key;
  std::string value;
  reader.next(event.summary);
  reader.next(event.check);
  reader.next(event.source);
  reader.next(event.target);
  reader.next(options.host);
  while (reader.next(key) && reader.next(value)) {
    if (event.fields.size() < 8) {
      event.fields.emplace_back(key, value);
    } else {
      event.sample.emplace_back(key, value);
    }
  }

  std::string bad;
  const std::string line = syslog_message(event, options);
  FUZZ_CHECK(line.size() <= options.max_line_bytes,
             "syslog line of " + std::to_string(line.size()) + " bytes: \"" + escape_all(line) + "\"");
  FUZZ_CHECK(clean_utf8(line, false, bad), "syslog line: " + bad + ": \"" + escape_all(line) + "\"");
  FUZZ_CHECK(line.starts_with("event="), "syslog line: \"" + escape_all(line) + "\"");

  const std::string text = chat_text(event, options);
  FUZZ_CHECK(clean_utf8(text, true, bad), "chat text: " + bad + ": \"" + escape_all(text) + "\"");
  FUZZ_CHECK(text.find_first_of("<>") == std::string::npos, "chat text with < or >: \"" + escape_all(text) + "\"");

  const std::string body = event_json(event, options);
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  FUZZ_CHECK(!ec, "event JSON does not parse (" + ec.message() + "): \"" + escape_all(body) + "\"");
  FUZZ_CHECK(v.is_object(), std::string("event JSON is not an object"));
  for (const char* k : {"version", "event", "severity", "check", "source", "target", "summary", "at", "at_ms", "host",
                        "fields", "sample", "more", "text"}) {
    FUZZ_CHECK(v.as_object().contains(k), std::string("event JSON lacks ") + k);
  }
  FUZZ_CHECK(v.at("text").as_string() == text, std::string("event JSON text differs from chat_text()"));
  check_strings(v, "");

  for (const std::size_t limit : {std::size_t{0}, std::size_t{2}, std::size_t{3}, std::size_t{9}, value.size()}) {
    const std::string s = sanitize_text(value, limit);
    FUZZ_CHECK(s.size() <= limit,
               "sanitize_text over its limit " + std::to_string(limit) + ": \"" + escape_all(s) + "\"");
    FUZZ_CHECK(clean_utf8(s, false, bad), "sanitize_text: " + bad + ": \"" + escape_all(s) + "\"");
  }
  return 0;
}
