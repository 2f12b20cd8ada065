// Strict reading of a JSON document from its parser's events, fed in pieces of any size: the one place where the
// rules of json_document.h are applied (size limit, byte order mark, markup where JSON was expected, syntax with
// line and column, NaN / 1e999, depth, trailing data, duplicate keys). Two readers are built on it: the document
// (DOM) of parse_json_document, and the streaming selection of extract_json, which keeps no document at all.
//
// A reader is StrictJsonStream<Handler>, where Handler derives from JsonEventHandler<Handler> and receives clean
// events (a key or string whole, even when the input split it) while the base keeps the position in the document.
// The verdict of finish() and its message do not depend on how the input was cut.
#pragma once

#include "feeds/json_document.h"
#include "feeds/json_selector_steps.h"
#include "model/parse_error.h"

#include <boost/json/basic_parser_impl.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace allowdrift::feeds {

// Where the parser is: the open containers from the root, each at its current key or index; and the keys each open
// object has had so far, to find a repeated one (Boost.JSON 1.81 would keep the last of two silently).
class JsonPositionTracker {
 public:
  explicit JsonPositionTracker(std::size_t max_depth) { frames_.reserve(max_depth + 1); }

  // Open containers; a value that begins now sits at this depth (the root at 0).
  std::size_t depth() const { return frames_.size(); }
  bool is_object(std::size_t frame) const { return frames_[frame].object; }
  std::string_view key(std::size_t frame) const;  // current member of an open object
  std::size_t index(std::size_t frame) const { return frames_[frame].index; }

  void begin_container(bool object);
  void end_container();  // and the container counts as one element of its parent
  void value_done();     // after a scalar
  // The key of the next member of the innermost object; false when that object already had it.
  bool add_key(std::string_view key);

  // The path of the value at `depth`, in json_document.h's syntax ("" for the root).
  std::string path(std::size_t depth) const;
  // The steps from the value at `from` down to the value at `to`, as they continue a non-empty path
  // (".key", "[7]"); join_json_path puts the two together.
  void append_relative(std::string& out, std::size_t from, std::size_t to) const;

 private:
  struct Frame {
    bool object = false;
    std::size_t index = 0;       // arrays: the current element
    std::size_t first_key = 0;   // objects: its keys are keys_[first_key, the next open frame's first_key)
    std::size_t first_char = 0;  // and their bytes start at chars_[first_char]
    // Objects with many members: key hash -> position in keys_, so that a hostile object of a million members
    // costs no quadratic scan.
    std::unique_ptr<std::unordered_multimap<std::size_t, std::size_t>> by_hash;
  };
  struct KeyRef {
    std::size_t offset;
    std::size_t size;
  };
  std::string_view key_text(const KeyRef& k) const { return {chars_.data() + k.offset, k.size}; }

  std::vector<Frame> frames_;
  std::vector<KeyRef> keys_;
  std::string chars_;
};

// `above` (a path) followed by `below` (steps as append_relative writes them).
std::string join_json_path(std::string above, std::string_view below);

// The bytes around the parser: counting, the limit, the first bytes (byte order mark, markup, empty), line numbers
// for messages, and what follows a syntax error (to say "truncated?" or "NaN"). Not a template, so that
// StrictJsonStream's instances share it.
class JsonStreamInput {
 public:
  explicit JsonStreamInput(JsonLimits limits) : limits_(limits) {}

  // Counts a new piece; false once the document is over the limit (nothing more is parsed then).
  bool count(std::size_t size);
  // The pieces of `chunk` to route and parse, in order: a few first bytes held back while they could still be a
  // byte order mark, then the rest.
  std::pair<std::string_view, std::string_view> admit(std::string_view chunk);
  // At the end of the input: whatever is still held back.
  std::string_view end_of_input();
  // What of `piece` goes to the parser now (all of it, a leading space run, or nothing).
  std::string_view route(std::string_view piece);
  bool parsing() const { return state_ == State::kParsing; }
  // Whether the parser takes bytes: the document has begun, or only whitespace came so far.
  bool feeding() const { return state_ == State::kParsing || state_ == State::kSpace; }
  // Bytes the parser does not get because it stopped: the ones after an error are looked at for its message.
  void unread(std::string_view bytes) {
    if (state_ == State::kSyntaxError) probe_tail(bytes);
  }
  // What the parser did with `bytes` (`used` of them read, or an error at `used`).
  void parsed(std::string_view bytes, std::size_t used, const boost::json::error_code& ec);
  // The first problem with the document, in the order json_document.h states them; empty when the bytes were read
  // as one document.
  std::optional<model::ParseError> problem() const;

 private:
  enum class State { kStart, kSpace, kParsing, kMarkup, kByteOrderMark, kSyntaxError, kTrailingData };

  void probe_tail(std::string_view bytes);
  std::string position(std::string_view bytes, std::size_t used) const;

  JsonLimits limits_;
  State state_ = State::kStart;
  std::size_t total_ = 0;
  std::string held_;    // kStart: the first bytes, up to 3
  std::string markup_;  // kMarkup: the document from its first '<'
  // Bytes the parser has read, and their line breaks (for "line L, column C").
  std::size_t parsed_ = 0;
  std::size_t lines_ = 0;
  std::size_t last_newline_end_ = 0;  // offset just after the last '\n' read, 0 before any
  // kSyntaxError / kTrailingData
  boost::json::error_code error_;
  std::string error_position_;
  std::string tail_;  // up to 9 bytes after the error, leading whitespace skipped
  bool tail_started_ = false;
};

boost::json::parse_options strict_json_options(const JsonLimits& limits);

// Where `before` + `bytes` may be cut for StrictJsonStream: the number of bytes of `bytes` up to the first
// (last_one false) or last safe cut, or npos when there is none in `bytes`.
std::size_t json_safe_cut(std::string_view before, std::string_view bytes, bool last_one);

// Turns basic_parser's callbacks into whole keys, strings and scalars for Derived, keeping the position; every
// event reaches Derived before the position moves past it:
//   void begin_value(const JsonScalar& v);  // v.kind object or array for a container (its members follow)
//   void end_container(boost::json::kind kind, std::size_t size);
//   void key(std::string_view key);         // the name of the next member of the innermost object
template <class Derived>
class JsonEventHandler {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  explicit JsonEventHandler(std::size_t max_depth) : position_(max_depth) {}

  const JsonPositionTracker& position() const { return position_; }
  // The path of the first key an object repeats, once one did.
  const std::optional<std::string>& duplicate_key_path() const { return duplicate_; }

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) { return begin_container(boost::json::kind::object); }
  bool on_object_end(std::size_t n, boost::json::error_code&) { return end_container(boost::json::kind::object, n); }
  bool on_array_begin(boost::json::error_code&) { return begin_container(boost::json::kind::array); }
  bool on_array_end(std::size_t n, boost::json::error_code&) { return end_container(boost::json::kind::array, n); }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) { return part(s); }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    const auto k = whole(s);
    if (!position_.add_key(k) && !duplicate_) duplicate_ = position_.path(position_.depth());
    derived().key(k);
    part_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) { return part(s); }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    JsonScalar v;
    v.kind = boost::json::kind::string;
    v.text = whole(s);
    scalar(v);
    part_.clear();
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code&) {
    JsonScalar v;
    v.kind = boost::json::kind::int64;
    v.int64 = i;
    return scalar(v);
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code&) {
    JsonScalar v;
    v.kind = boost::json::kind::uint64;
    v.uint64 = u;
    return scalar(v);
  }
  bool on_double(double d, boost::json::string_view, boost::json::error_code& ec) {
    if (!std::isfinite(d)) {  // Boost 1.81 reads 1e999 as infinity without complaint
      ec = boost::json::error::exponent_overflow;
      return false;
    }
    JsonScalar v;
    v.kind = boost::json::kind::double_;
    v.float64 = d;
    return scalar(v);
  }
  bool on_bool(bool b, boost::json::error_code&) {
    JsonScalar v;
    v.kind = boost::json::kind::bool_;
    v.boolean = b;
    return scalar(v);
  }
  bool on_null(boost::json::error_code&) { return scalar(JsonScalar{}); }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  bool begin_container(boost::json::kind kind) {
    JsonScalar v;
    v.kind = kind;
    derived().begin_value(v);
    position_.begin_container(kind == boost::json::kind::object);
    return true;
  }
  bool end_container(boost::json::kind kind, std::size_t n) {
    derived().end_container(kind, n);
    position_.end_container();
    return true;
  }
  bool scalar(const JsonScalar& v) {
    derived().begin_value(v);
    position_.value_done();
    return true;
  }
  bool part(boost::json::string_view s) {
    part_.append(s.data(), s.size());
    return true;
  }
  // A key or string the parser delivered in parts (split by the input, or unescaped through its buffer).
  std::string_view whole(boost::json::string_view last) {
    if (part_.empty()) return {last.data(), last.size()};
    part_.append(last.data(), last.size());
    return part_;
  }

  JsonPositionTracker position_;
  std::string part_;
  std::optional<std::string> duplicate_;
};

// Reads one document through Handler under the strict rules. write() as the bytes come, then finish() once.
template <class Handler>
class StrictJsonStream {
 public:
  template <class... Args>
  explicit StrictJsonStream(JsonLimits limits, Args&&... args)
      : input_(limits), parser_(strict_json_options(limits), limits.max_depth, std::forward<Args>(args)...) {}

  Handler& handler() { return parser_.handler(); }

  void write(std::string_view chunk) {
    if (!input_.count(chunk.size())) return;
    const auto [held, rest] = input_.admit(chunk);
    parse_at_safe_cuts(input_.route(held));
    parse_at_safe_cuts(input_.route(rest));
  }

  // The verdict on the whole document; the handler's results mean something only when it is a value.
  model::ParseResult<void> finish() {
    parse_at_safe_cuts(input_.route(input_.end_of_input()));
    parse(carry_);
    if (input_.parsing()) {
      boost::json::error_code ec;
      const auto used = parser_.write_some(false, "", 0, ec);
      input_.parsed({}, used, ec);
    }
    if (auto problem = input_.problem()) return std::move(*problem);
    if (const auto& key = parser_.handler().duplicate_key_path())
      return model::ParseError{"not accepted: duplicate key " + json_path_or_root(*key) +
                               " (the JSON object repeats a member name; which one counts is undefined)"};
    return {};
  }

 private:
  // The parser reads a token cut in two differently from a whole one: Boost.JSON 1.81 reports a broken literal
  // ("tru}"), surrogate pair or UTF-8 sequence at another byte, or with another message, when a piece ends inside
  // it, and a UTF-8 sequence that may still be completed makes it finish the string on its slower path (which
  // reports a later invalid byte elsewhere too). So the pieces it gets end only just after a byte that ends or
  // separates tokens (whitespace, brackets, ',', ':', '"'), far enough after the last UTF-8 sequence, backslash or
  // literal that the parser's look-ahead ends inside the piece (json_safe_cut); the rest waits for the next piece.
  // Whatever the cut of the input, the parser then reads every token as it would in one piece, and says the same.
  void parse_at_safe_cuts(std::string_view bytes) {
    if (bytes.empty()) return;
    if (!carry_.empty()) {
      const auto done = json_safe_cut(carry_, bytes, false);  // the carried token's end
      if (done == std::string_view::npos) {
        carry_.append(bytes);
        return;
      }
      carry_.append(bytes.substr(0, done));
      parse(carry_);
      carry_.clear();
      bytes.remove_prefix(done);
    }
    const auto cut = json_safe_cut({}, bytes, true);
    const auto whole = cut == std::string_view::npos ? std::string_view{} : bytes.substr(0, cut);
    parse(whole);
    if (input_.feeding()) {
      carry_.assign(bytes.substr(whole.size()));
    } else {
      parse(bytes.substr(whole.size()));  // to what follows an error
    }
  }

  void parse(std::string_view bytes) {
    if (bytes.empty()) return;
    if (!input_.feeding()) {
      input_.unread(bytes);
      return;
    }
    boost::json::error_code ec;
    const auto used = parser_.write_some(true, bytes.data(), bytes.size(), ec);
    input_.parsed(bytes, used, ec);
  }

  JsonStreamInput input_;
  boost::json::basic_parser<Handler> parser_;
  std::string carry_;  // the bytes after the last safe cut, waiting for the next piece
};

}  // namespace allowdrift::feeds
