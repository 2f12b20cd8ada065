// The plain list format: one entry per line, read all-or-nothing.
//
//   # a comment; ';' starts one too (Spamhaus style "192.0.2.0/24 ; SBL1"), anywhere on a line
//   192.0.2.0/24
//   198.51.100.7
//   203.0.113.0/255.255.255.0
//   203.0.113.10-203.0.113.20
//   2001:db8::/32
//   mail.example.com
//   *.example.net
//
// Blank lines, a UTF-8 byte order mark, CRLF line ends and a missing final newline are accepted. Each non-blank
// line holds exactly one entry (ip_entry.h or domain_pattern.h grammar). A token is read as an IP entry when it
// contains ':' or '/' or its last dot-separated label is all digits, and as a domain otherwise, so "010.0.0.1"
// is rejected as a bad address rather than accepted as a name.
//
// Every problem is collected with its line number; the caller must treat a list with any error as unreadable
// (invariant: "could not read" never becomes "empty" or "partial").
#pragma once

#include "model/domain_set.h"
#include "model/ip_set.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

struct ListDiagnostic {
  std::size_t line = 0;
  std::string message;
};

// Where an IP entry came from, for reports that say which line a missing or stale block belongs to.
struct IpOrigin {
  model::IpEntry entry;
  std::size_t line = 0;
};

struct DomainOrigin {
  model::DomainPattern pattern;
  std::size_t line = 0;
};

struct PlainListOptions {
  bool keep_origins = false;           // fill PlainList::ip_origins / domain_origins
  std::size_t max_diagnostics = 50;    // errors and warnings kept (each); the rest are only counted
  std::size_t max_line_length = 4096;  // longer lines are an error, so one bad line cannot grow memory
};

struct PlainList {
  model::IpSet ips;
  model::DomainSet domains;
  std::size_t ip_entries = 0;
  std::size_t domain_entries = 0;
  std::vector<IpOrigin> ip_origins;  // in line order, when keep_origins
  std::vector<DomainOrigin> domain_origins;
  std::vector<ListDiagnostic> errors;  // first max_diagnostics, in line order
  std::vector<ListDiagnostic> warnings;
  std::size_t error_count = 0;
  std::size_t warning_count = 0;

  bool ok() const { return error_count == 0; }
};

class PlainListParser {
 public:
  explicit PlainListParser(PlainListOptions options = {}) : options_(options) {}

  // Bytes in any chunking; lines may span chunks.
  void feed(std::string_view bytes);
  PlainList finish() &&;

 private:
  void feed_lines(std::string_view bytes);
  void parse_line(std::string_view line);
  void add_error(std::string message);
  void add_warning(std::string message);

  PlainListOptions options_;
  std::string partial_;  // an incomplete last line carried to the next chunk
  bool partial_too_long_ = false;
  bool at_start_ = true;  // still looking for a byte order mark in head_
  std::string head_;
  std::size_t line_no_ = 0;
  model::IpSetBuilder ips_;
  PlainList out_;
};

// Convenience for whole buffers (tests, small files).
PlainList parse_plain_list(std::string_view bytes, PlainListOptions options = {});

}  // namespace allowdrift::feeds
