#include "alert/alert_render.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

namespace allowdrift::alert {
namespace {

namespace json = boost::json;

constexpr std::string_view kEllipsis = "...";

// Decodes one strictly valid UTF-8 character at text[i] (no overlongs, surrogates or values past U+10FFFF).
// Returns its length, or 0 when the byte at i does not start one.
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Characters that could end a line, reorder or hide text, or that a terminal interprets.
bool must_escape(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0xFEFF;
}

enum class Quoting {
  kPlain,   // backslashes and quotes kept: JSON strings and chat text
  kLogfmt,  // `"` and `\` escaped, and the caller is told when the value must be quoted
};

struct Escaped {
  std::string text;
  bool needs_quotes = false;
};

Escaped escape(std::string_view in, Quoting quoting, std::size_t max_bytes) {
  Escaped out;
  out.needs_quotes = quoting == Quoting::kLogfmt && in.empty();
  const std::size_t dots = std::min(max_bytes, kEllipsis.size());
  const std::size_t keep_limit = max_bytes - dots;  // what may precede "..." when the text is cut
  std::size_t last_fit = 0;                         // a unit boundary at or below keep_limit
  char hex[16];
  for (std::size_t i = 0; i < in.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(in, i, cp);
    const std::size_t before = out.text.size();
    if (len == 0) {
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(in[i])));
      out.text += hex;
      out.needs_quotes = true;
      i += 1;
    } else {
      if (must_escape(cp)) {
        if (cp < 0x80) {
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(cp));
        } else {
          std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned>(cp));
        }
        out.text += hex;
        out.needs_quotes = true;
      } else if (quoting == Quoting::kLogfmt && (cp == '"' || cp == '\\')) {
        out.text += '\\';
        out.text += static_cast<char>(cp);
        out.needs_quotes = true;
      } else {
        if (quoting == Quoting::kLogfmt && (cp == ' ' || cp == '=')) out.needs_quotes = true;
        out.text.append(in.substr(i, len));
      }
      i += len;
    }
    if (before <= keep_limit) last_fit = before;
    if (out.text.size() > max_bytes) {
      out.text.resize(std::min(last_fit, keep_limit));
      out.text.append(kEllipsis.substr(0, dots));
      return out;
    }
  }
  return out;
}

std::string clean_key(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 64)) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "_";
  return out;
}

std::string logfmt_pair(std::string_view key, std::string_view value, std::size_t max_value) {
  std::string out = clean_key(key);
  out += '=';
  const Escaped esc = escape(value, Quoting::kLogfmt, max_value);
  if (esc.needs_quotes) {
    out += '"';
    out += esc.text;
    out += '"';
  } else {
    out += esc.text;
  }
  return out;
}

std::optional<std::size_t> parse_count(std::string_view text) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct RoleSample {
  std::string_view role;
  std::vector<std::string_view> entries;
  std::size_t total = 0;  // entries concerned, shown or not

  std::size_t more(std::size_t shown) const { return total - std::min(shown, total); }
};

std::vector<RoleSample> group_sample(const AlertEvent& event) {
  std::vector<RoleSample> roles;
  for (const auto& item : event.sample) {
    const std::string_view role = item.first;  // not a structured binding: clang 14 cannot capture those
    auto it = std::find_if(roles.begin(), roles.end(), [role](const RoleSample& r) { return r.role == role; });
    if (it == roles.end()) it = roles.insert(roles.end(), RoleSample{role, {}, 0});
    it->entries.push_back(item.second);
  }
  for (RoleSample& r : roles) {
    r.total = r.entries.size();
    for (const auto& [key, value] : event.fields) {
      if (key != r.role) continue;
      if (const auto count = parse_count(value)) r.total = std::max(r.total, *count);
      break;
    }
  }
  return roles;
}

std::string sample_token(const RoleSample& r, std::size_t limit, std::size_t max_value) {
  const std::size_t shown = std::min(limit, r.entries.size());
  const std::size_t more = r.more(shown);
  bool quote = more > 0;
  std::string body;
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) body += ',';
    Escaped esc = escape(r.entries[i], Quoting::kLogfmt, max_value);
    quote = quote || esc.needs_quotes;
    body += esc.text;
  }
  if (more > 0) body += (shown > 0 ? " ... and " : "... and ") + std::to_string(more) + " more";
  std::string out = clean_key(std::string(r.role) + "_sample") + "=";
  if (quote) return out + '"' + body + '"';
  return out + body;
}

void append_tokens(std::string& line, const std::vector<std::string>& tokens) {
  for (const std::string& token : tokens) {
    if (!line.empty()) line += ' ';
    line += token;
  }
}

// Cuts at a character boundary (everything here is valid UTF-8 by now).
void cut_utf8(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return;
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0u) == 0x80u) --n;
  text.resize(n);
}

std::vector<std::string> head_tokens(const AlertEvent& event, std::size_t max_value) {
  std::vector<std::string> head{logfmt_pair("event", to_string(event.kind), max_value),
                                logfmt_pair("severity", to_string(event.severity), max_value)};
  if (!event.check.empty()) head.push_back(logfmt_pair("check", event.check, max_value));
  if (!event.source.empty()) head.push_back(logfmt_pair("source", event.source, max_value));
  if (!event.target.empty()) head.push_back(logfmt_pair("target", event.target, max_value));
  return head;
}

// A canonical decimal integer (no sign but '-', no leading zeros) that fits: written as a JSON number.
std::optional<std::int64_t> canonical_integer(std::string_view text) {
  const std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0') || (text.starts_with('-') && digits == "0")) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string plain(std::string_view text, std::size_t max_bytes) {
  return escape(text, Quoting::kPlain, max_bytes).text;
}

}  // namespace

std::string sanitize_text(std::string_view text, std::size_t max_bytes) { return plain(text, max_bytes); }

std::string format_utc_ms(std::int64_t unix_ms) {
  using namespace std::chrono;
  // Years 0000 to 9999: the calendar types' day counts are 32-bit, and a wild value must not overflow them.
  constexpr std::int64_t kMin = -62167219200000;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kMax = 253402300799999;  // 9999-12-31T23:59:59.999Z
  const sys_time<milliseconds> t{milliseconds{std::clamp(unix_ms, kMin, kMax)}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::string syslog_message(const AlertEvent& event, const RenderOptions& options) {
  const std::size_t max_line = options.max_line_bytes;
  const std::size_t max_value = options.max_value_bytes;
  const std::vector<std::string> head = head_tokens(event, max_value);
  std::vector<std::string> fields;
  for (const auto& [key, value] : event.fields) fields.push_back(logfmt_pair(key, value, max_value));
  const std::vector<RoleSample> roles = group_sample(event);
  const auto summary_token = [&](std::size_t cap) -> std::string {
    if (event.summary.empty()) return {};
    return logfmt_pair("summary", event.summary, cap);
  };
  const auto assemble = [&](std::size_t sample_limit, const std::string& summary, std::size_t field_count) {
    std::string line;
    append_tokens(line, head);
    append_tokens(line, std::vector<std::string>(fields.begin(), fields.begin() + static_cast<long>(field_count)));
    if (field_count < fields.size()) append_tokens(line, {"truncated=1"});
    if (sample_limit > 0) {
      for (const RoleSample& r : roles) append_tokens(line, {sample_token(r, sample_limit, max_value)});
    }
    if (!summary.empty()) append_tokens(line, {summary});
    return line;
  };

  // Samples shrink first, down to none.
  std::string summary = summary_token(options.max_summary_bytes);
  std::string line;
  for (std::size_t n = options.max_sample;; --n) {
    line = assemble(n, summary, fields.size());
    if (line.size() <= max_line || n == 0) break;
  }
  // Then the summary is shortened to what is left (or dropped when too little is).
  if (line.size() > max_line && !summary.empty()) {
    const std::size_t without = assemble(0, {}, fields.size()).size();
    constexpr std::size_t kOverhead = 1 + 10;  // ' ' + `summary=""`
    constexpr std::size_t kMinUseful = 24;
    summary = (without + kOverhead + kMinUseful <= max_line) ? summary_token(max_line - without - kOverhead) : "";
    line = assemble(0, summary, fields.size());
  }
  // Then trailing fields go, and the line says so.
  for (std::size_t keep = fields.size(); line.size() > max_line && keep > 0;) {
    --keep;
    line = assemble(0, summary, keep);
  }
  cut_utf8(line, max_line);
  return line;
}

std::string chat_text(const AlertEvent& event, const RenderOptions& options) {
  const std::size_t max_value = options.max_value_bytes;
  std::string text =
      "allowdrift [" + std::string(to_string(event.severity)) + "] " + std::string(to_string(event.kind));
  if (!event.summary.empty()) text += ": " + plain(event.summary, options.max_summary_bytes);

  std::vector<std::string> facts;
  if (!event.check.empty()) facts.push_back(logfmt_pair("check", event.check, max_value));
  if (!event.source.empty()) facts.push_back(logfmt_pair("source", event.source, max_value));
  if (!event.target.empty()) facts.push_back(logfmt_pair("target", event.target, max_value));
  if (!options.host.empty()) facts.push_back(logfmt_pair("host", options.host, max_value));
  for (const auto& [key, value] : event.fields) facts.push_back(logfmt_pair(key, value, max_value));
  if (!facts.empty()) {
    std::string line;
    append_tokens(line, facts);
    text += "\n" + line;
  }

  for (const RoleSample& r : group_sample(event)) {
    const std::size_t shown = std::min(options.max_sample, r.entries.size());
    std::string line = plain(r.role, max_value) + ":";
    for (std::size_t i = 0; i < shown; ++i) {
      std::string entry = plain(r.entries[i], max_value);
      std::replace(entry.begin(), entry.end(), '`', '\'');  // a backtick would end the code span
      line += (i > 0 ? ", `" : " `") + entry + "`";
    }
    if (const std::size_t more = r.more(shown); more > 0) {
      line += (shown > 0 ? " and " : " ") + std::to_string(more) + " more";
    }
    text += "\n" + line;
  }
  return html_escape(text);
}

std::string event_json(const AlertEvent& event, const RenderOptions& options) {
  const std::size_t max_value = options.max_value_bytes;
  const auto name_or_null = [&](const std::string& name) -> json::value {
    if (name.empty()) return nullptr;
    return json::value(plain(name, max_value));
  };
  json::object out;
  out["version"] = 1;
  out["event"] = to_string(event.kind);
  out["severity"] = to_string(event.severity);
  out["check"] = name_or_null(event.check);
  out["source"] = name_or_null(event.source);
  out["target"] = name_or_null(event.target);
  out["summary"] = plain(event.summary, options.max_summary_bytes);
  out["at"] = format_utc_ms(event.at_ms);
  out["at_ms"] = event.at_ms;
  out["host"] = name_or_null(options.host);

  json::object fields;
  for (const auto& [key, value] : event.fields) {
    const std::string k = plain(key, 64);
    if (fields.contains(k)) continue;
    if (const auto number = canonical_integer(value)) {
      fields[k] = *number;
    } else {
      fields[k] = plain(value, max_value);
    }
  }
  out["fields"] = std::move(fields);

  json::object sample;
  json::object more;
  for (const RoleSample& r : group_sample(event)) {
    const std::size_t shown = std::min(options.max_json_sample, r.entries.size());
    json::array entries;
    for (std::size_t i = 0; i < shown; ++i) entries.emplace_back(plain(r.entries[i], max_value));
    const std::string role = plain(r.role, 64);
    sample[role] = std::move(entries);
    more[role] = r.more(shown);
  }
  out["sample"] = std::move(sample);
  out["more"] = std::move(more);
  out["text"] = chat_text(event, options);
  return json::serialize(out);
}

}  // namespace allowdrift::alert
