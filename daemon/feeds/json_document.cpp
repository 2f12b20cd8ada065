#include "feeds/json_document.h"

#include "feeds/json_stream.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>

namespace allowdrift::feeds {
namespace json = boost::json;
namespace {

constexpr bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr bool is_plain_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '$' || c == '@';
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::size_t find_nocase(std::string_view haystack, std::string_view needle, std::size_t from = 0) {
  const auto it =
      std::search(haystack.begin() + static_cast<std::ptrdiff_t>(std::min(from, haystack.size())), haystack.end(),
                  needle.begin(), needle.end(), [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  return it == haystack.end() ? std::string_view::npos : static_cast<std::size_t>(it - haystack.begin());
}

// The text of the first <tag>...</tag>, whitespace collapsed, printable ASCII only, at most 80 characters.
std::string element_text(std::string_view html, std::string_view tag) {
  const auto open = find_nocase(html, "<" + std::string(tag));
  if (open == std::string_view::npos) return {};
  const auto gt = html.find('>', open);
  if (gt == std::string_view::npos) return {};
  auto close = find_nocase(html, "</" + std::string(tag), gt);
  if (close == std::string_view::npos) close = html.size();
  std::string out;
  for (char c : html.substr(gt + 1, close - gt - 1)) {
    const auto u = static_cast<unsigned char>(c);
    if (is_json_space(c) || u < 0x20 || u >= 0x7f) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (c != '"' && c != '\\') {
      out += c;
    }
    if (out.size() >= 80) break;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Builds the value like boost::json::parser does, from the strict stream's events.
class DomBuilder : public JsonEventHandler<DomBuilder> {
 public:
  explicit DomBuilder(std::size_t max_depth) : JsonEventHandler(max_depth) {}

  json::value_stack stack;

  void begin_value(const JsonScalar& v) {
    switch (v.kind) {
      case json::kind::object:
      case json::kind::array:
        return;  // made at its end, from the members pushed meanwhile
      case json::kind::string:
        stack.push_string({v.text.data(), v.text.size()});
        return;
      case json::kind::int64:
        stack.push_int64(v.int64);
        return;
      case json::kind::uint64:
        stack.push_uint64(v.uint64);
        return;
      case json::kind::double_:
        stack.push_double(v.float64);
        return;
      case json::kind::bool_:
        stack.push_bool(v.boolean);
        return;
      case json::kind::null:
        stack.push_null();
        return;
    }
  }
  void end_container(json::kind kind, std::size_t size) {
    if (kind == json::kind::object) {
      stack.push_object(size);
    } else {
      stack.push_array(size);
    }
  }
  void key(std::string_view k) { stack.push_key({k.data(), k.size()}); }
};

}  // namespace

void append_json_path_key(std::string& path, std::string_view key) {
  static constexpr std::size_t kMaxPathKeyShown = 64;
  static constexpr char kHex[] = "0123456789abcdef";
  if (!path.empty()) path += '.';
  if (!key.empty() && std::all_of(key.begin(), key.end(), is_plain_key_char)) {
    path.append(key);
    return;
  }
  path += '"';
  const bool cut = key.size() > kMaxPathKeyShown;
  for (char ch : key.substr(0, cut ? kMaxPathKeyShown - 3 : key.size())) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      path += '\\';
      path += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      path += "\\x";
      path += kHex[c >> 4];
      path += kHex[c & 0xf];
    } else {
      path += ch;
    }
  }
  if (cut) path += "...";
  path += '"';
}

void append_json_path_index(std::string& path, std::size_t index) {
  path += '[';
  path += std::to_string(index);
  path += ']';
}

std::string json_path_or_root(std::string_view path) {
  return path.empty() ? std::string("the document root") : std::string(path);
}

std::string describe_non_json(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF"))
    return "a UTF-8 byte order mark before the JSON document (RFC 8259 section 8.1 forbids it)";
  const auto start = std::find_if_not(bytes.begin(), bytes.end(), is_json_space);
  if (start == bytes.end()) return "an empty document where JSON was expected";
  if (*start != '<') return {};
  const auto head = bytes.substr(static_cast<std::size_t>(start - bytes.begin()));
  if (find_nocase(head, "<html") != std::string_view::npos || find_nocase(head, "<!doctype html") == 0 ||
      find_nocase(head, "<body") != std::string_view::npos) {
    std::string out = "an HTML document where JSON was expected";
    if (auto title = element_text(head, "title"); !title.empty()) {
      out += " (title \"" + title + "\")";
    } else if (auto h1 = element_text(head, "h1"); !h1.empty()) {
      out += " (heading \"" + h1 + "\")";
    }
    return out;
  }
  return "an XML or other markup document where JSON was expected";
}

model::ParseResult<json::value> parse_json_document(std::string_view bytes, JsonLimits limits) {
  StrictJsonStream<DomBuilder> stream(limits);
  // The document's values live in one arena, freed with the last value that shares it: no malloc per string or
  // container, no per-allocation header, and the parser's speed is no longer bound by the general allocator.
  // Its first block is sized for the typical DOM of a feed (about the size of its text), so a large feed does
  // not grow the arena block by block. The arena frees nothing before the end; callers read the document, they
  // do not edit it. (value_stack needs this reset before the first push.)
  stream.handler().stack.reset(json::make_shared_resource<json::monotonic_resource>(
      std::max<std::size_t>(std::min(bytes.size(), limits.max_bytes), 1024)));
  stream.write(bytes);
  if (auto verdict = stream.finish(); !verdict) return verdict.error();
  return stream.handler().stack.release();
}

}  // namespace allowdrift::feeds
