#include "feeds/json_selector_steps.h"

#include "feeds/json_document.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace json = boost::json;

const char* json_kind_name(json::kind kind) {
  switch (kind) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

JsonScalar json_scalar_of(const json::value& v) {
  JsonScalar s;
  s.kind = v.kind();
  if (const auto* str = v.if_string()) {
    s.text = std::string_view(*str);
  } else if (const auto* b = v.if_bool()) {
    s.boolean = *b;
  } else if (const auto* i = v.if_int64()) {
    s.int64 = *i;
  } else if (const auto* u = v.if_uint64()) {
    s.uint64 = *u;
  } else if (const auto* d = v.if_double()) {
    s.float64 = *d;
  }
  return s;
}

bool json_filter_matches(const JsonScalar& value, const JsonFilter& filter) {
  return std::any_of(filter.any_of.begin(), filter.any_of.end(), [&](const JsonLiteral& lit) {
    if (value.kind == json::kind::string) return value.text == lit.text;
    if (lit.quoted) return false;
    switch (value.kind) {
      case json::kind::bool_:
        return lit.text == (value.boolean ? "true" : "false");
      case json::kind::int64:
        return lit.text == std::to_string(value.int64);
      case json::kind::uint64:
        return lit.text == std::to_string(value.uint64);
      default:
        return false;
    }
  });
}

namespace json_select_message {
namespace {
std::string filter_text(const JsonFilter& f) {
  std::string out;
  for (const auto& k : f.field) append_json_path_key(out, k);
  return out + (f.optional ? "?=" : "=") + "...";
}
}  // namespace

std::string not_object_for_key(json::kind found) {
  return std::string("expected an object holding this key, found ") + json_kind_name(found);
}
std::string not_object_for_all_members(json::kind found) {
  return std::string("expected an object for '*', found ") + json_kind_name(found);
}
std::string not_array_for_elements(json::kind found) {
  return std::string("expected an array for '[...]', found ") + json_kind_name(found);
}
std::string no_such_key() { return "no such key in the document (write 'key?' where the key may be absent)"; }
std::string not_object_to_filter(json::kind found) {
  return std::string("expected an object to filter on, found ") + json_kind_name(found);
}
std::string not_object_for_filter(const JsonFilter& filter, json::kind found) {
  return "expected an object for filter [" + filter_text(filter) + "], found " + json_kind_name(found);
}
std::string no_such_filter_key(const JsonFilter& filter) {
  return "no such key (filter [" + filter_text(filter) + "]; write '?=' if it may be absent)";
}
std::string not_string_or_array(json::kind found) {
  return std::string("expected a string or an array of strings, found ") + json_kind_name(found);
}
std::string not_string(json::kind found) { return std::string("expected a string, found ") + json_kind_name(found); }
}  // namespace json_select_message

model::ParseError json_error_at(std::string_view path, std::string_view what) {
  return model::ParseError{json_path_or_root(path) + ": " + std::string(what)};
}

}  // namespace allowdrift::feeds
