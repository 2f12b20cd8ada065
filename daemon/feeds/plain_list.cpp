#include "feeds/plain_list.h"

#include "feeds/entry_token.h"

#include "feeds/text_scan.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace {

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
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
  auto parsed = parse_entry_token(token);
  if (auto* entry = std::get_if<model::IpEntry>(&parsed)) {
    if (entry->host_bits_cleared || entry->v4_mapped) add_warning(model::describe_normalization(*entry, token));
    ips_.add(*entry);
    ++out_.ip_entries;
    if (options_.keep_origins) out_.ip_origins.push_back({*entry, line_no_});
    return;
  }
  if (auto* pattern = std::get_if<model::DomainPattern>(&parsed)) {
    out_.domains.add(*pattern);
    ++out_.domain_entries;
    if (options_.keep_origins) out_.domain_origins.push_back({std::move(*pattern), line_no_});
    return;
  }
  add_error(std::get<model::ParseError>(parsed).message);
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
