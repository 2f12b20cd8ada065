#include "feeds/json_document.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace allowdrift::feeds {
namespace json = boost::json;
namespace {

model::ParseError error(std::string message) { return model::ParseError{std::move(message)}; }

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

// Line and column (1-based) of a byte offset, for syntax errors.
std::string position(std::string_view bytes, std::size_t offset) {
  offset = std::min(offset, bytes.size());
  const auto before = bytes.substr(0, offset);
  const auto line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const auto nl = before.rfind('\n');
  const auto column = nl == std::string_view::npos ? offset + 1 : offset - nl;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " + std::to_string(offset) +
         ")";
}

// Builds the value like boost::json::parser does, and counts the members it was given, so that members lost to
// duplicate keys can be noticed (Boost 1.81 keeps the last duplicate silently).
class CountingHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::size_t members = 0;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    members += n;
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code& ec) {
    if (!std::isfinite(d)) {  // Boost 1.81 reads 1e999 as infinity without complaint
      ec = json::error::exponent_overflow;
      return false;
    }
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Second pass, only for a document known to repeat a key: the path of the first repeated key.
class DuplicateFinder {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  std::string found;  // path of the duplicate, once seen

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    frames_.push_back(Frame{true, {}, {}, 0});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) { return end_container(); }
  bool on_array_begin(json::error_code&) {
    frames_.push_back(Frame{false, {}, {}, 0});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) { return end_container(); }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    auto& frame = frames_.back();
    frame.key = std::move(key_);
    key_.clear();
    if (!frame.keys.insert(frame.key).second) {
      found = path();
      ec = json::error::syntax;  // stop the pass; the caller reads `found`
      return false;
    }
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return value_done(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return value_done(); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return value_done(); }
  bool on_double(double, json::string_view, json::error_code&) { return value_done(); }
  bool on_bool(bool, json::error_code&) { return value_done(); }
  bool on_null(json::error_code&) { return value_done(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object;
    std::string key;  // the current member's key, in an object
    std::unordered_set<std::string> keys;
    std::size_t index;  // the current element's index, in an array
  };

  bool value_done() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool end_container() {
    frames_.pop_back();
    return value_done();
  }
  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      if (f.object) {
        append_json_path_key(out, f.key);
      } else {
        append_json_path_index(out, f.index);
      }
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::string key_;
};

std::size_t count_members(const json::value& root) {
  std::size_t n = 0;
  std::vector<const json::value*> todo{&root};
  while (!todo.empty()) {
    const json::value* v = todo.back();
    todo.pop_back();
    if (const auto* o = v->if_object()) {
      n += o->size();
      for (const auto& kv : *o)
        if (kv.value().is_structured()) todo.push_back(&kv.value());
    } else if (const auto* a = v->if_array()) {
      for (const auto& e : *a)
        if (e.is_structured()) todo.push_back(&e);
    }
  }
  return n;
}

std::string describe_syntax_error(std::string_view bytes, std::size_t offset, const json::error_code& ec,
                                  const JsonLimits& limits) {
  if (ec == json::error::too_deep)
    return "not accepted: JSON nested deeper than " + std::to_string(limits.max_depth) + " levels at " +
           position(bytes, offset);
  if (ec == json::error::exponent_overflow)
    return "not accepted: a number too large for a double (it would read as Infinity) before " +
           position(bytes, offset);
  std::string why = "not valid JSON at " + position(bytes, offset) + ": " + ec.message();
  const auto rest = bytes.substr(std::min(offset, bytes.size()));
  const auto at = rest.find_first_not_of(" \t\r\n");
  const auto tail = at == std::string_view::npos ? std::string_view{} : rest.substr(at);
  if (offset >= bytes.size() || tail.empty()) {
    why += " (the document ends early: truncated?)";
  } else if (tail.starts_with("NaN") || tail.starts_with("Infinity") || tail.starts_with("-Infinity")) {
    why += " (NaN and Infinity are not JSON)";
  } else if (static_cast<unsigned char>(tail.front()) >= 0x80) {
    why += " (invalid UTF-8?)";
  } else if (tail.starts_with("//") || tail.starts_with("/*")) {
    why += " (comments are not JSON)";
  }
  return why;
}

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
  if (bytes.size() > limits.max_bytes)
    return error("not accepted: a JSON document of " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                 std::to_string(limits.max_bytes));
  if (auto what = describe_non_json(bytes); !what.empty()) return error("not accepted: " + what);

  json::parse_options options;  // strict RFC 8259: no comments, no trailing commas, valid UTF-8 only
  options.max_depth = limits.max_depth;
  json::basic_parser<CountingHandler> parser(options);
  // The document's values live in one arena, freed with the last value that shares it: no malloc per string or
  // container, no per-allocation header, and the parser's speed is no longer bound by the general allocator.
  // Its first block is sized for the typical DOM of a feed (about the size of its text), so a large feed does
  // not grow the arena block by block. The arena frees nothing before the end; callers read the document, they
  // do not edit it. (value_stack needs this reset before the first push.)
  parser.handler().st.reset(
      json::make_shared_resource<json::monotonic_resource>(std::max<std::size_t>(bytes.size(), 1024)));
  json::error_code ec;
  const auto used = parser.write_some(false, bytes.data(), bytes.size(), ec);
  if (ec) return error(describe_syntax_error(bytes, used, ec, limits));
  if (used < bytes.size())
    return error("not valid JSON: data after the end of the document at " + position(bytes, used));
  json::value root = parser.handler().st.release();

  if (count_members(root) != parser.handler().members) {
    json::basic_parser<DuplicateFinder> finder(options);
    json::error_code ignored;
    finder.write_some(false, bytes.data(), bytes.size(), ignored);
    return error("not accepted: duplicate key " + json_path_or_root(finder.handler().found) +
                 " (the JSON object repeats a member name; which one counts is undefined)");
  }
  return root;
}

}  // namespace allowdrift::feeds
