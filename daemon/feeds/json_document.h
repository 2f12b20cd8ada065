// Strict reading of a published JSON document (RFC 8259), before any selector looks at it.
//
// Rejected, each with a reason that says what the bytes look like:
//   - a document larger than JsonLimits::max_bytes (the byte count is checked before anything else is said);
//   - an empty document, or one that is only whitespace;
//   - a UTF-8 byte order mark (RFC 8259 section 8.1: "MUST NOT add a byte order mark");
//   - an HTML page ("an HTML document where JSON was expected", with its <title> or first <h1>), or other markup:
//     what a proxy, a CDN challenge or a 5xx error page serves in place of the feed;
//   - any syntax error, with its line, column and byte offset: truncation, NaN / Infinity (not JSON; Boost.JSON
//     rejects them by default), comments, trailing commas, invalid UTF-8 (in strings or anywhere else);
//   - a number too large for a double (1e999): Boost 1.81 would read it as Infinity;
//   - nesting deeper than JsonLimits::max_depth (arrays and objects), so a hostile document cannot exhaust
//     the stack of a recursive walker;
//   - trailing data after the document (a second document, garbage, a concatenated error message);
//   - duplicate keys in one object. Boost.JSON 1.81 accepts them silently and keeps the last value
//     (boost/json/impl/object.ipp, "the last of any duplicate keys"), so a feed with two "prefixes" members would
//     lose one without a trace. The reader keeps the keys of every open object and names the first repeated one
//     by its path.
// The rules are applied in one place, json_stream.h, which also reads a document in pieces without keeping it
// (extract_json): the messages are the same whichever way a document is read.
#pragma once

#include "model/parse_error.h"

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace allowdrift::feeds {

inline constexpr std::size_t kDefaultJsonMaxBytes = 64 * 1024 * 1024;  // Azure Service Tags is about 4 MB
inline constexpr std::size_t kDefaultJsonMaxDepth = 64;                // the real feeds nest at most 4 deep

struct JsonLimits {
  std::size_t max_bytes = kDefaultJsonMaxBytes;
  std::size_t max_depth = kDefaultJsonMaxDepth;
};

model::ParseResult<boost::json::value> parse_json_document(std::string_view bytes, JsonLimits limits = {});

// JSON paths as messages show them: `prefixes[17].ip_prefix`, `"zscaler.net"."continent : EMEA"`, `[7].urls[1]`.
// A key that is not a plain name (one or more letters, digits, '_', '-', '$', '@') is
// quoted, with '"', '\\' and any byte outside printable ASCII escaped, so a hostile key cannot inject text into
// a log line; a key longer than 64 bytes is cut, ending in '..."'. The selector syntax (json_selector.h) reads
// keys written this way.
void append_json_path_key(std::string& path, std::string_view key);
void append_json_path_index(std::string& path, std::size_t index);
// `path`, or "the document root" when it is empty.
std::string json_path_or_root(std::string_view path);

// What a document that is not JSON looks like, e.g. `an HTML document where JSON was expected (title "504
// Gateway Time-out")`; empty when the bytes start like JSON. Printable ASCII only.
std::string describe_non_json(std::string_view bytes);

}  // namespace allowdrift::feeds
