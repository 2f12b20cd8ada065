// The JSON format of published lists: a document (json_document.h) read through selectors (json_selector.h)
// into an ExtractedList, all-or-nothing.
//
//   JsonListSpec aws_ec2;
//   aws_ec2.sections = {{"", {compile("prefixes[service=EC2].ip_prefix"),
//                             compile("ipv6_prefixes[service=EC2].ipv6_prefix")}}};
//   aws_ec2.change_token = compile("syncToken");
//   auto list = extract_json(bytes, aws_ec2);
//
// A JSON feed gets no tolerance: the first selected string that is not a valid entry (entry_token.h grammars)
// rejects the whole document, with its path: `prefixes[17].ip_prefix: '1.2.3.4/33': prefix length 33 is over
// 32`. So does any selector error (absent key, wrong type) and any document error (not JSON, an HTML page, too
// big, too deep, duplicate keys).
//
// The one way past an invalid string is an explicit skip rule of the source: `skip_tokens` lists exact strings
// the vendor is known to publish that are not entries here. Microsoft 365 lists `autodiscover.*.onmicrosoft.com`
// (a wildcard in the middle, a per-tenant name) and `*cdn.onenote.net` (a wildcard inside a label); neither is a
// domain pattern our firewalls can hold, so its preset names both. Every skip is counted and reported in
// `warnings` ("skipped 1 'autodiscover.*.onmicrosoft.com' by the source's skip rule, first at [7].urls[1]"); a
// new odd entry is not in the list and still rejects the document, so it surfaces instead of vanishing.
#pragma once

#include "feeds/extracted_list.h"
#include "feeds/json_document.h"
#include "feeds/json_selector.h"
#include "model/parse_error.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

struct JsonListSection {
  std::string name;                     // "" for a source without sections
  std::vector<JsonSelector> selectors;  // their strings together make the section (e.g. IPv4 + IPv6)
};

struct JsonListSpec {
  std::vector<JsonListSection> sections;
  // Must select exactly one string or integer (AWS syncToken, Azure changeNumber, Oracle last_updated_timestamp,
  // Datadog version, Google syncToken), kept as text in ExtractedList::change_token.
  std::optional<JsonSelector> change_token;
  std::vector<std::string> skip_tokens;  // exact strings that are not entries; counted, see above
  JsonLimits limits;
};

inline constexpr std::size_t kMaxChangeTokenLength = 256;

// Reads the document once, evaluating every selector while it streams past (json_select_stream.h): no document is
// built, so the memory is the entries (and any strings held back while an element's filters are undecided), not
// the size of the feed. Same result, error for error, as extract_json_value on the parsed document.
model::ParseResult<ExtractedList> extract_json(std::string_view bytes, const JsonListSpec& spec);

// The same, fed in pieces as they arrive (a large saved copy read from disk, a body from the network): any cut
// gives the same result as extract_json on the whole.
class JsonListReader {
 public:
  explicit JsonListReader(const JsonListSpec& spec);  // `spec` must outlive the reader
  ~JsonListReader();
  JsonListReader(const JsonListReader&) = delete;
  JsonListReader& operator=(const JsonListReader&) = delete;

  void write(std::string_view chunk);
  model::ParseResult<ExtractedList> finish();  // once, after the last write

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The same, on a document already parsed (tests, and the fuzz target as the reference for extract_json). A separate
// name, since boost::json::value converts from a string literal and one overload set would be ambiguous.
model::ParseResult<ExtractedList> extract_json_value(const boost::json::value& doc, const JsonListSpec& spec);

}  // namespace allowdrift::feeds
