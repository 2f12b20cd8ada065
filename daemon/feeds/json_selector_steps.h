// The compiled form of a selector (json_selector.h) and the rules both of its evaluators share: the walk over a
// parsed document (json_selector.cpp) and the walk over the parser's events, without a document
// (json_select_stream.h). Everything a message says or a filter compares is decided here once, so that the two
// cannot drift apart; tests/fuzz/json_list_fuzzer.cpp checks that they agree on every input.
#pragma once

#include "feeds/json_selector.h"

#include <boost/json/kind.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

struct JsonLiteral {
  std::string text;
  bool quoted = false;
};

struct JsonFilter {
  std::vector<std::string> field;  // key path below the element
  bool optional = false;           // `field?=`: an absent field does not match
  std::vector<JsonLiteral> any_of;
};

struct JsonSelector::Step {
  enum class Kind { kMember, kAllMembers, kElements };
  Kind kind = Kind::kMember;
  std::string key;  // kMember
  bool optional = false;
  std::vector<JsonFilter> filters;  // kElements
};

// A value as the evaluators see it: its kind, and its content when it is not a container (`text` points into the
// document or the parser's buffer).
struct JsonScalar {
  boost::json::kind kind = boost::json::kind::null;
  std::string_view text;
  bool boolean = false;
  std::int64_t int64 = 0;
  std::uint64_t uint64 = 0;
  double float64 = 0;
};

JsonScalar json_scalar_of(const boost::json::value& v);

// "an object", "a number", ... as messages say it.
const char* json_kind_name(boost::json::kind kind);

// Whether a scalar equals one of the filter's literals (json_selector.h: a bare literal also equals the boolean or
// integer it reads as; a quoted one only a string). Containers never match.
bool json_filter_matches(const JsonScalar& value, const JsonFilter& filter);

// The messages of a walk, without the "PATH: " in front of them.
namespace json_select_message {
std::string not_object_for_key(boost::json::kind found);
std::string not_object_for_all_members(boost::json::kind found);
std::string not_array_for_elements(boost::json::kind found);
std::string no_such_key();
std::string not_object_to_filter(boost::json::kind found);
std::string not_object_for_filter(const JsonFilter& filter, boost::json::kind found);
std::string no_such_filter_key(const JsonFilter& filter);
std::string not_string_or_array(boost::json::kind found);
std::string not_string(boost::json::kind found);
}  // namespace json_select_message

// "PATH: what" (the path as json_path_or_root shows it).
model::ParseError json_error_at(std::string_view path, std::string_view what);

}  // namespace allowdrift::feeds
