#include "feeds/plain_list.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace {

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A plain loop: libstdc++ 12's string_view::find_first_of calls memchr once per character of the text, which
// was a third of the time of reading a million-line list (bench/README.md).
std::size_t find_either(std::string_view s, char a, char b) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == a || s[i] == b) return i;
  return std::string_view::npos;
}

constexpr bool is_decimal(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr bool is_dotted_digits(std::string_view s) {
  return s.find('.') != std::string_view::npos &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Decides which grammar a token is checked against. Anything that starts like an address goes to the strict IP
// parser, so "192.168.1.1a", "1.2.3.0x10" or "1.2.3.4-5" are rejected as bad addresses instead of being
// accepted as domain names; real names with numeric labels ("163.com", "1e100.net") stay domains.
bool looks_like_ip(std::string_view token) {
  if (find_either(token, ':', '/') != std::string_view::npos) return true;
  if (const auto dash = token.find('-'); dash != std::string_view::npos && is_dotted_digits(token.substr(0, dash)))
    return true;
  std::string_view last = token;
  if (const auto dot = token.rfind('.'); dot != std::string_view::npos) last = token.substr(dot + 1);
  if (is_decimal(last)) return true;
  // Four labels of which the first three are decimal: an IPv4 address with a typo in the last octet.
  std::size_t labels = 0;
  std::size_t decimal_prefix = 0;
  bool in_prefix = true;
  for (std::size_t start = 0; start <= token.size();) {
    const auto dot = std::min(token.find('.', start), token.size());
    ++labels;
    if (in_prefix && is_decimal(token.substr(start, dot - start))) {
      ++decimal_prefix;
    } else {
      in_prefix = false;
    }
    start = dot + 1;
  }
  return labels == 4 && decimal_prefix >= 3;
}

}  // namespace

void PlainListParser::feed(std::string_view bytes) {
  if (at_start_) {
    // Hold the first bytes until a UTF-8 byte order mark can be told apart from text, then drop it.
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    head_.append(bytes);
    if (head_.size() < kBom.size() && kBom.starts_with(head_)) return;
    at_start_ = false;
    std::string head = std::move(head_);
    head_.clear();
    std::string_view rest = head;
    if (rest.starts_with(kBom)) rest.remove_prefix(kBom.size());
    feed_lines(rest);
    return;
  }
  feed_lines(bytes);
}

void PlainListParser::feed_lines(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      if (!partial_too_long_) {
        if (partial_.size() + bytes.size() > options_.max_line_length) {
          partial_too_long_ = true;
          partial_.clear();
        } else {
          partial_.append(bytes);
        }
      }
      return;
    }
    const auto piece = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    ++line_no_;
    if (partial_too_long_ || partial_.size() + piece.size() > options_.max_line_length) {
      add_error("line longer than " + std::to_string(options_.max_line_length) + " bytes");
      partial_too_long_ = false;
      partial_.clear();
      continue;
    }
    if (partial_.empty()) {
      parse_line(piece);
    } else {
      partial_.append(piece);
      parse_line(partial_);
      partial_.clear();
    }
  }
}

PlainList PlainListParser::finish() && {
  if (at_start_) {
    at_start_ = false;  // a file shorter than a BOM: parse what there is as text
    std::string head = std::move(head_);
    feed_lines(head);
  }
  if (partial_too_long_) {
    ++line_no_;
    add_error("line longer than " + std::to_string(options_.max_line_length) + " bytes");
  } else if (!partial_.empty()) {
    ++line_no_;
    parse_line(partial_);  // the last line had no newline (Cloudflare's lists end that way)
  }
  partial_.clear();
  out_.ips = std::move(ips_).build();
  return std::move(out_);
}

void PlainListParser::parse_line(std::string_view line) {
  if (const auto comment = find_either(line, '#', ';'); comment != std::string_view::npos)
    line = line.substr(0, comment);
  const auto token = trim(line);
  if (token.empty()) return;
  if (std::any_of(token.begin(), token.end(), is_space)) {
    add_error(model::quote_token(token) + ": expected one entry per line");
    return;
  }
  if (token.find("://") != std::string_view::npos) {
    add_error(model::quote_token(token) + ": a URL is not an entry; write the host name or address");
    return;
  }
  if (looks_like_ip(token)) {
    auto entry = model::parse_ip_entry(token);
    if (!entry) {
      add_error(entry.error().message);
      return;
    }
    if (entry->host_bits_cleared || entry->v4_mapped) add_warning(model::describe_normalization(*entry, token));
    ips_.add(*entry);
    ++out_.ip_entries;
    if (options_.keep_origins) out_.ip_origins.push_back({*entry, line_no_});
    return;
  }
  auto pattern = model::parse_domain_pattern(token);
  if (!pattern) {
    add_error(pattern.error().message);
    return;
  }
  out_.domains.add(*pattern);
  ++out_.domain_entries;
  if (options_.keep_origins) out_.domain_origins.push_back({std::move(*pattern), line_no_});
}

void PlainListParser::add_error(std::string message) {
  if (out_.error_count++ < options_.max_diagnostics) out_.errors.push_back({line_no_, std::move(message)});
}

void PlainListParser::add_warning(std::string message) {
  if (out_.warning_count++ < options_.max_diagnostics) out_.warnings.push_back({line_no_, std::move(message)});
}

PlainList parse_plain_list(std::string_view bytes, PlainListOptions options) {
  PlainListParser parser(options);
  parser.feed(bytes);
  return std::move(parser).finish();
}

}  // namespace allowdrift::feeds
