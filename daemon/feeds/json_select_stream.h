// Selectors evaluated on the parser's events, without a document: what JsonSelector's walk over a parsed document
// (json_selector.cpp) reports, in the same order and with the same messages, while the bytes stream past.
//
// Each selector step goes one level down, so whether a value is selected is known when it begins, from its
// parent's state and its key or index; only filters ([field=v]) can depend on members that come later in the
// element. The selected strings (and errors) inside an element whose filters cannot be decided yet are held back,
// with their paths, and released or dropped when the filters are decided: as soon as every filter is (Azure's
// `name` comes before `properties`) or at the latest when the element ends (AWS's `service` comes after
// `ip_prefix`). Nothing else is kept: the memory is the open containers' keys plus those held-back strings.
//
// Per selector ("target") the events come in the order the document walk would produce them; a target stops at
// its first error, as the walk does. Targets are independent: the caller decides what comes first.
#pragma once

#include "feeds/json_selector.h"
#include "feeds/json_selector_steps.h"
#include "feeds/json_stream.h"
#include "model/parse_error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

// The path of a selected value, made into text only when a message needs it.
class JsonPathSource {
 public:
  explicit JsonPathSource(const JsonPath& path) : path_(&path) {}
  // The path of the value at `depth` of the parser's position, followed by `below` (JsonPositionTracker::
  // append_relative's form) when given.
  JsonPathSource(const JsonPositionTracker& position, std::size_t depth, const std::string* below = nullptr)
      : position_(&position), depth_(depth), below_(below) {}

  std::string str() const;

 private:
  const JsonPath* path_ = nullptr;
  const JsonPositionTracker* position_ = nullptr;
  std::size_t depth_ = 0;
  const std::string* below_ = nullptr;
};

struct JsonSelectionTarget {
  const JsonSelector* selector = nullptr;
  // false: selected strings, an array of strings flattened (JsonSelector::for_each_string);
  // true: each selected value as it is, containers by their kind only (for_each_value).
  bool values = false;
};

// Receives each target's events; returning false stops that target (the sink has recorded why).
class JsonSelectionSink {
 public:
  virtual bool selected_string(std::size_t target, std::string_view text, const JsonPathSource& path) = 0;
  virtual bool selected_value(std::size_t target, const JsonScalar& value, const JsonPathSource& path) = 0;
  virtual void walk_error(std::size_t target, model::ParseError error) = 0;

 protected:
  ~JsonSelectionSink() = default;
};

class JsonStreamingSelection {
 public:
  JsonStreamingSelection(const std::vector<JsonSelectionTarget>& targets, JsonSelectionSink& sink,
                         const JsonPositionTracker& position);

  // The parser's events, from a JsonEventHandler (before the position moves past them).
  void begin_value(const JsonScalar& v);
  void end_container();
  void key(std::string_view key);

  // False once every target has stopped: the rest of the document cannot change what they report.
  bool active() const { return live_ > 0; }

 private:
  using Step = JsonSelector::Step;

  // A filter of a held-back element, following its field path as the element's members stream past.
  struct Watch {
    enum class Mode : std::uint8_t { kLooking, kExpectValue, kCapturing, kDone };
    Mode mode = Mode::kLooking;
    std::size_t level = 0;  // field[level] is looked for in the object at depth element + level
    bool matched = false;   // kDone
    bool failed = false;    // kDone with `error`
    model::ParseError error;
  };
  // An event held back inside an undecided element.
  struct Held {
    enum class Type : std::uint8_t { kString, kValue, kError };
    Type type;
    JsonScalar scalar;  // its text points into `text`, fixed up when released
    std::string text;
    // Below the element that holds it (JsonPositionTracker::append_relative): the element is still open when the
    // event is released, so the path above it is still the parser's. The whole message, for kError.
    std::string path;
  };
  struct Pending {
    std::size_t depth;  // of the element
    enum class State : std::uint8_t { kUndecided, kPassed, kFailed } state = State::kUndecided;
    const std::vector<JsonFilter>* filters;
    std::vector<Watch> watches;  // one per filter
    std::vector<Held> held;
    bool closed = false;  // an error is held: nothing after it counts
  };
  struct Target {
    const std::vector<Step>* steps;
    bool values;
    bool stopped = false;
    // pending[0, open): the held-back elements of this target that are open, outermost first. The ones past
    // `open` are kept for reuse, with their buffers: an element per array item must not cost allocations.
    std::vector<Pending> pending;
    std::size_t open = 0;
  };
  enum class Reach : std::uint8_t { kNone, kStep, kFlatten };
  struct Cell {
    Reach reach = Reach::kNone;
    bool key_seen = false;
  };

  void reached(std::size_t t, std::size_t depth, const JsonScalar& v, Cell* row);
  // Where an event of target `t` goes now: a pending element (its index), the sink (-1), or nowhere (-2).
  std::ptrdiff_t destination(const Target& target, std::ptrdiff_t from) const;
  void emit_string(std::size_t t, std::size_t depth, std::string_view text);
  void emit_value(std::size_t t, std::size_t depth, const JsonScalar& v);
  void emit_error(std::size_t t, const std::string& path, const std::string& what);
  void release(std::size_t t, std::size_t depth, std::ptrdiff_t from, Held& event);
  void stop(Target& target) {
    target.stopped = true;
    --live_;
  }
  std::string path_with(std::size_t depth, const std::vector<std::string>& keys, std::size_t count) const;

  void watch_key(std::size_t frame, std::string_view key);
  void watch_value(std::size_t depth, const JsonScalar& v);
  void watch_end(std::size_t frame);
  void settle(std::size_t t, std::size_t index);  // decides a pending element once its filters allow
  void done(Watch& w, bool matched) {
    w.mode = Watch::Mode::kDone;
    w.matched = matched;
  }

  std::vector<Target> targets_;
  JsonSelectionSink& sink_;
  const JsonPositionTracker& position_;
  std::vector<Cell> cells_;  // one row of targets_.size() cells per open container
  std::size_t depth_ = 0;
  std::size_t live_ = 0;
  std::size_t undecided_ = 0;  // pending elements not yet decided, over all targets
};

}  // namespace allowdrift::feeds
