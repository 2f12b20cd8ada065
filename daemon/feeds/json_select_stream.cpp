#include "feeds/json_select_stream.h"

#include "feeds/json_document.h"

namespace allowdrift::feeds {
namespace json = boost::json;
namespace msg = json_select_message;

std::string JsonPathSource::str() const {
  if (path_ != nullptr) return path_->str();
  auto above = position_->path(depth_);
  return below_ == nullptr ? above : join_json_path(std::move(above), *below_);
}

JsonStreamingSelection::JsonStreamingSelection(const std::vector<JsonSelectionTarget>& targets, JsonSelectionSink& sink,
                                               const JsonPositionTracker& position)
    : sink_(sink), position_(position) {
  for (const auto& t : targets) targets_.push_back(Target{&t.selector->steps(), t.values, false, {}, 0});
  live_ = targets_.size();
}

void JsonStreamingSelection::begin_value(const JsonScalar& v) {
  const std::size_t d = depth_;
  const std::size_t n = targets_.size();
  const bool container = v.kind == json::kind::object || v.kind == json::kind::array;
  if (undecided_ > 0) watch_value(d, v);
  Cell* row = nullptr;
  if (container) {
    cells_.resize(cells_.size() + n);
    row = cells_.data() + cells_.size() - n;
  }
  for (std::size_t t = 0; t < n && live_ > 0; ++t) {
    Target& target = targets_[t];
    if (target.stopped) continue;
    if (d == 0) {
      reached(t, d, v, row);
      continue;
    }
    Cell& parent = cells_[(d - 1) * n + t];
    if (parent.reach == Reach::kNone) continue;
    if (parent.reach == Reach::kFlatten) {  // an element of a selected array
      if (v.kind == json::kind::string) {
        emit_string(t, d, v.text);
      } else {
        emit_error(t, position_.path(d), msg::not_string(v.kind));
      }
      continue;
    }
    const Step& step = (*target.steps)[d - 1];
    if (step.kind == Step::Kind::kMember) {
      if (position_.key(d - 1) != step.key) continue;
      parent.key_seen = true;
    } else if (step.kind == Step::Kind::kElements && !step.filters.empty()) {
      if (v.kind != json::kind::object) {
        emit_error(t, position_.path(d), msg::not_object_to_filter(v.kind));
        continue;
      }
      if (target.open == target.pending.size()) target.pending.emplace_back();
      auto& p = target.pending[target.open++];
      p.depth = d;
      p.state = Pending::State::kUndecided;
      p.filters = &step.filters;
      p.watches.assign(step.filters.size(), Watch{});
      p.held.clear();
      p.closed = false;
      ++undecided_;
    }
    reached(t, d, v, row);
  }
  if (container) ++depth_;
}

// `v` (at `depth`) is where target `t` has got to after `depth` steps.
void JsonStreamingSelection::reached(std::size_t t, std::size_t depth, const JsonScalar& v, Cell* row) {
  const Target& target = targets_[t];
  const auto& steps = *target.steps;
  if (depth == steps.size()) {
    if (target.values) {
      emit_value(t, depth, v);
    } else if (v.kind == json::kind::string) {
      emit_string(t, depth, v.text);
    } else if (v.kind == json::kind::array) {
      row[t].reach = Reach::kFlatten;
    } else {
      emit_error(t, position_.path(depth), msg::not_string_or_array(v.kind));
    }
    return;
  }
  const Step& step = steps[depth];
  const bool fits = step.kind == Step::Kind::kElements ? v.kind == json::kind::array : v.kind == json::kind::object;
  if (fits) {
    row[t].reach = Reach::kStep;
    return;
  }
  switch (step.kind) {
    case Step::Kind::kMember:
      emit_error(t, path_with(depth, {step.key}, 1), msg::not_object_for_key(v.kind));
      return;
    case Step::Kind::kAllMembers:
      emit_error(t, position_.path(depth), msg::not_object_for_all_members(v.kind));
      return;
    case Step::Kind::kElements:
      emit_error(t, position_.path(depth), msg::not_array_for_elements(v.kind));
      return;
  }
}

void JsonStreamingSelection::end_container() {
  const std::size_t frame = depth_ - 1;
  const std::size_t n = targets_.size();
  if (undecided_ > 0) watch_end(frame);
  for (std::size_t t = 0; t < n; ++t) {
    Target& target = targets_[t];
    const Cell& cell = cells_[frame * n + t];
    if (!target.stopped && cell.reach == Reach::kStep) {
      const Step& step = (*target.steps)[frame];
      if (step.kind == Step::Kind::kMember && !cell.key_seen && !step.optional)
        emit_error(t, path_with(frame, {step.key}, 1), msg::no_such_key());
    }
    if (target.open > 0 && target.pending[target.open - 1].depth == frame) {
      // Every filter was decided by now (a field absent from the element at the latest here, in watch_end).
      if (target.pending[target.open - 1].state == Pending::State::kUndecided) --undecided_;
      --target.open;
    }
  }
  cells_.resize(cells_.size() - n);
  --depth_;
}

void JsonStreamingSelection::key(std::string_view key) {
  if (undecided_ > 0) watch_key(depth_ - 1, key);
}

std::ptrdiff_t JsonStreamingSelection::destination(const Target& target, std::ptrdiff_t from) const {
  if (target.stopped) return -2;
  for (std::ptrdiff_t i = from; i >= 0; --i) {
    const auto& p = target.pending[static_cast<std::size_t>(i)];
    if (p.state == Pending::State::kUndecided) return p.closed ? -2 : i;
    if (p.state == Pending::State::kFailed) return -2;
  }
  return -1;
}

void JsonStreamingSelection::emit_string(std::size_t t, std::size_t depth, std::string_view text) {
  Target& target = targets_[t];
  const auto where = destination(target, static_cast<std::ptrdiff_t>(target.open) - 1);
  if (where == -1) {
    if (!sink_.selected_string(t, text, JsonPathSource(position_, depth))) stop(target);
  } else if (where >= 0) {
    auto& p = target.pending[static_cast<std::size_t>(where)];
    auto& held = p.held.emplace_back();
    held.type = Held::Type::kString;
    held.text.assign(text);
    held.path.clear();
    position_.append_relative(held.path, p.depth, depth);
  }
}

void JsonStreamingSelection::emit_value(std::size_t t, std::size_t depth, const JsonScalar& v) {
  Target& target = targets_[t];
  const auto where = destination(target, static_cast<std::ptrdiff_t>(target.open) - 1);
  if (where == -1) {
    if (!sink_.selected_value(t, v, JsonPathSource(position_, depth))) stop(target);
  } else if (where >= 0) {
    auto& p = target.pending[static_cast<std::size_t>(where)];
    auto& held = p.held.emplace_back();
    held.type = Held::Type::kValue;
    held.scalar = v;
    held.text.assign(v.text);
    held.path.clear();
    position_.append_relative(held.path, p.depth, depth);
  }
}

void JsonStreamingSelection::emit_error(std::size_t t, const std::string& path, const std::string& what) {
  Held event{Held::Type::kError, {}, {}, json_error_at(path, what).message};
  release(t, depth_, static_cast<std::ptrdiff_t>(targets_[t].open) - 1, event);
}

// Sends an event outwards from pending element `from` (or from the top, with the last index); a string or value
// has its path below the value at `depth`.
void JsonStreamingSelection::release(std::size_t t, std::size_t depth, std::ptrdiff_t from, Held& event) {
  Target& target = targets_[t];
  const auto where = destination(target, from);
  if (where == -2) return;
  if (where == -1) {
    bool go_on = false;
    switch (event.type) {
      case Held::Type::kString:
        go_on = sink_.selected_string(t, event.text, JsonPathSource(position_, depth, &event.path));
        break;
      case Held::Type::kValue:
        event.scalar.text = event.text;
        go_on = sink_.selected_value(t, event.scalar, JsonPathSource(position_, depth, &event.path));
        break;
      case Held::Type::kError:
        sink_.walk_error(t, model::ParseError{std::move(event.path)});
        break;
    }
    if (!go_on) stop(target);
    return;
  }
  auto& p = target.pending[static_cast<std::size_t>(where)];
  if (event.type == Held::Type::kError) {
    p.closed = true;
  } else {
    std::string above;  // the steps from the outer element down to this one
    position_.append_relative(above, p.depth, depth);
    event.path.insert(0, above);
  }
  p.held.push_back(std::move(event));
}

std::string JsonStreamingSelection::path_with(std::size_t depth, const std::vector<std::string>& keys,
                                              std::size_t count) const {
  std::string out = position_.path(depth);
  for (std::size_t i = 0; i < count && i < keys.size(); ++i) append_json_path_key(out, keys[i]);
  return out;
}

// --- filters of held-back elements ------------------------------------------------------------------------------

void JsonStreamingSelection::watch_key(std::size_t frame, std::string_view key) {
  for (auto& target : targets_) {
    if (target.stopped) continue;
    for (std::size_t i = 0; i < target.open; ++i) {
      auto& p = target.pending[i];
      if (p.state != Pending::State::kUndecided) continue;
      for (std::size_t f = 0; f < p.watches.size(); ++f) {
        auto& w = p.watches[f];
        if (w.mode == Watch::Mode::kLooking && p.depth + w.level == frame && (*p.filters)[f].field[w.level] == key)
          w.mode = Watch::Mode::kExpectValue;
      }
    }
  }
}

void JsonStreamingSelection::watch_value(std::size_t depth, const JsonScalar& v) {
  for (std::size_t t = 0; t < targets_.size(); ++t) {
    for (std::size_t i = 0; i < targets_[t].open && !targets_[t].stopped; ++i) {
      auto& p = targets_[t].pending[i];
      if (p.state != Pending::State::kUndecided) continue;
      bool changed = false;
      for (std::size_t f = 0; f < p.watches.size(); ++f) {
        auto& w = p.watches[f];
        const auto& filter = (*p.filters)[f];
        if (w.mode == Watch::Mode::kExpectValue && p.depth + w.level + 1 == depth) {
          changed = true;
          if (w.level + 1 == filter.field.size()) {  // the field itself
            if (v.kind == json::kind::array) {
              w.mode = Watch::Mode::kCapturing;
            } else {
              done(w, json_filter_matches(v, filter));
            }
          } else if (v.kind == json::kind::object) {
            ++w.level;
            w.mode = Watch::Mode::kLooking;
          } else {
            w.mode = Watch::Mode::kDone;
            w.failed = true;
            w.error = json_error_at(path_with(p.depth, filter.field, w.level + 1),
                                    msg::not_object_for_filter(filter, v.kind));
          }
        } else if (w.mode == Watch::Mode::kCapturing && p.depth + w.level + 2 == depth &&
                   json_filter_matches(v, filter)) {
          changed = true;
          done(w, true);  // an array field passes when one of its elements does
        }
      }
      if (changed) settle(t, i);
    }
  }
}

void JsonStreamingSelection::watch_end(std::size_t frame) {
  for (std::size_t t = 0; t < targets_.size(); ++t) {
    for (std::size_t i = 0; i < targets_[t].open && !targets_[t].stopped; ++i) {
      auto& p = targets_[t].pending[i];
      if (p.state != Pending::State::kUndecided) continue;
      bool changed = false;
      for (std::size_t f = 0; f < p.watches.size(); ++f) {
        auto& w = p.watches[f];
        const auto& filter = (*p.filters)[f];
        if (w.mode == Watch::Mode::kLooking && p.depth + w.level == frame) {  // the object ends without the field
          changed = true;
          if (filter.optional) {
            done(w, false);
          } else {
            w.mode = Watch::Mode::kDone;
            w.failed = true;
            w.error = json_error_at(path_with(p.depth, filter.field, w.level + 1), msg::no_such_filter_key(filter));
          }
        } else if (w.mode == Watch::Mode::kCapturing && p.depth + w.level + 1 == frame) {
          changed = true;
          done(w, false);
        }
      }
      if (changed) settle(t, i);
    }
  }
}

// The walk checks an element's filters in order and stops at the first that fails or cannot be judged, so the
// element is decided once a prefix of its filters is: all passed, or ending in one that failed.
void JsonStreamingSelection::settle(std::size_t t, std::size_t index) {
  auto& p = targets_[t].pending[index];
  if (p.state != Pending::State::kUndecided) return;
  const Watch* failed = nullptr;
  bool pass = true;
  for (const auto& w : p.watches) {
    if (w.mode != Watch::Mode::kDone) return;
    if (w.failed) failed = &w;
    if (w.failed || !w.matched) {
      pass = false;
      break;
    }
  }
  --undecided_;
  p.state = pass ? Pending::State::kPassed : Pending::State::kFailed;
  const auto outer = static_cast<std::ptrdiff_t>(index) - 1;
  if (pass) {
    // Released events go to outer elements or the sink, never back into this one.
    for (auto& event : p.held) release(t, p.depth, outer, event);
  } else if (failed != nullptr) {
    Held event{Held::Type::kError, {}, {}, failed->error.message};
    release(t, p.depth, outer, event);
  }
  p.held.clear();
}

}  // namespace allowdrift::feeds
