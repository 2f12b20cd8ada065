#include "feeds/json_selector.h"

#include "feeds/json_document.h"
#include "feeds/json_selector_steps.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace json = boost::json;

namespace {

using model::ParseError;
using model::ParseResult;
using Step = JsonSelector::Step;
using Filter = JsonFilter;
using Literal = JsonLiteral;

constexpr bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '$' || c == '@';
}

constexpr bool is_bare_char(char c) { return is_name_char(c) || c == '.' || c == ':' || c == '/' || c == '+'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Compiler {
 public:
  explicit Compiler(std::string_view text) : text_(text) {}

  ParseResult<std::vector<Step>> run() {
    if (text_.empty()) return fail("a selector, e.g. prefixes[].ip_prefix");
    std::vector<Step> steps;
    bool first = true;
    while (pos_ < text_.size()) {
      if (steps.size() >= kMaxSelectorSteps)
        return ParseError{"selector " + shown() + " has more than " + std::to_string(kMaxSelectorSteps) + " steps"};
      Step step;
      bool ok = false;
      if (peek() == '[') {
        ok = bracket(step);
      } else if (first || peek() == '.') {
        if (!first) ++pos_;
        ok = member(step);
      } else {
        return fail("'.' or '[' between steps");
      }
      if (!ok) return std::move(error_);
      steps.push_back(std::move(step));
      first = false;
    }
    return steps;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  std::string shown() const {
    std::string out = "'";
    for (char c : text_)
      out += (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) ? c : '?';
    return out + "'";
  }

  ParseError fail(std::string_view expected) {
    std::string found = pos_ < text_.size() ? "'" + std::string(1, text_[pos_]) + "'" : "the end";
    if (pos_ < text_.size() &&
        (static_cast<unsigned char>(text_[pos_]) < 0x20 || static_cast<unsigned char>(text_[pos_]) >= 0x7f))
      found = "a control or non-ASCII byte";
    error_ = ParseError{"selector " + shown() + ": at character " + std::to_string(pos_ + 1) + ", expected " +
                        std::string(expected) + ", found " + found};
    return error_;
  }

  void skip_spaces() {
    while (peek() == ' ') ++pos_;
  }

  // name | quoted; false (with error_ set) when neither is there.
  bool key(std::string& out, std::string_view expected) {
    if (peek() == '"') return quoted(out);
    const auto start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    if (pos_ == start) {
      fail(expected);
      return false;
    }
    out.assign(text_.substr(start, pos_ - start));
    return true;
  }

  bool quoted(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (pos_ < text_.size() && text_[pos_] != '"') {
      const char c = text_[pos_];
      if (static_cast<unsigned char>(c) < 0x20) {
        fail("a printable character or '\"'");
        return false;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (peek() == '"' || peek() == '\\') {
        out += text_[pos_++];
      } else if (peek() == 'x' && pos_ + 2 < text_.size() && hex_value(text_[pos_ + 1]) >= 0 &&
                 hex_value(text_[pos_ + 2]) >= 0) {
        out += static_cast<char>(hex_value(text_[pos_ + 1]) * 16 + hex_value(text_[pos_ + 2]));
        pos_ += 3;
      } else {
        fail("an escape \\\" \\\\ or \\xNN after '\\'");
        return false;
      }
    }
    if (pos_ >= text_.size()) {
      fail("'\"' closing the quoted key");
      return false;
    }
    ++pos_;  // closing quote
    return true;
  }

  bool member(Step& step) {
    if (peek() == '*') {
      ++pos_;
      step.kind = Step::Kind::kAllMembers;
      return true;
    }
    step.kind = Step::Kind::kMember;
    if (!key(step.key, "a key (name or \"quoted\"), '*' or '['")) return false;
    if (peek() == '?') {
      ++pos_;
      step.optional = true;
    }
    return true;
  }

  bool bracket(Step& step) {
    ++pos_;  // '['
    step.kind = Step::Kind::kElements;
    skip_spaces();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      Filter f;
      if (!filter(f)) return false;
      step.filters.push_back(std::move(f));
      skip_spaces();
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      if (peek() != ',') {
        fail("',' or ']' after a filter");
        return false;
      }
      ++pos_;
      skip_spaces();
    }
  }

  bool filter(Filter& f) {
    while (true) {
      std::string k;
      if (!key(k, "a field name (name or \"quoted\") to filter on, or ']'")) return false;
      f.field.push_back(std::move(k));
      if (peek() != '.') break;
      ++pos_;
    }
    if (peek() == '?') {
      ++pos_;
      f.optional = true;
    }
    skip_spaces();
    if (peek() != '=') {
      fail("'=' after the field name");
      return false;
    }
    ++pos_;
    while (true) {
      skip_spaces();
      Literal lit;
      if (peek() == '"') {
        if (!quoted(lit.text)) return false;
        lit.quoted = true;
      } else {
        const auto start = pos_;
        while (pos_ < text_.size() && is_bare_char(text_[pos_])) ++pos_;
        if (pos_ == start) {
          fail("a value (bare word or \"quoted\") after '=' or '|'");
          return false;
        }
        lit.text.assign(text_.substr(start, pos_ - start));
      }
      f.any_of.push_back(std::move(lit));
      skip_spaces();
      if (peek() != '|') return true;
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  ParseError error_;
};

ParseError at(const JsonPath& path, std::string_view what) { return json_error_at(path.str(), what); }

bool value_matches(const json::value& v, const Filter& f) {
  if (const auto* a = v.if_array())
    return std::any_of(a->begin(), a->end(),
                       [&](const json::value& x) { return json_filter_matches(json_scalar_of(x), f); });
  return json_filter_matches(json_scalar_of(v), f);
}

// Whether `element` (at `path`) passes every filter; an error when it cannot be judged.
ParseResult<bool> passes(const json::value& element, const std::vector<Filter>& filters, JsonPath& path) {
  if (!element.is_object()) return at(path, json_select_message::not_object_to_filter(element.kind()));
  for (const auto& f : filters) {
    const json::value* v = &element;
    std::size_t pushed = 0;
    bool absent = false;
    for (const auto& k : f.field) {
      const auto* o = v->if_object();
      if (o == nullptr) {
        auto e = at(path, json_select_message::not_object_for_filter(f, v->kind()));
        while (pushed-- > 0) path.pop();
        return e;
      }
      const auto it = o->find(k);
      path.push_key(k);
      ++pushed;
      if (it == o->end()) {
        absent = true;
        break;
      }
      v = &it->value();
    }
    if (absent && !f.optional) {
      auto e = at(path, json_select_message::no_such_filter_key(f));
      while (pushed-- > 0) path.pop();
      return e;
    }
    while (pushed-- > 0) path.pop();
    if (absent || !value_matches(*v, f)) return false;
  }
  return true;
}

// The walk's own visitor gets the path mutable, to push and pop below the selected value (flattening arrays).
using InnerVisitor = std::function<ParseResult<void>(JsonPath&, const json::value&)>;

class Walker {
 public:
  Walker(const std::vector<Step>& steps, const InnerVisitor& visit) : steps_(steps), visit_(visit) {}

  ParseResult<void> walk(const json::value& v, std::size_t i) {
    if (i == steps_.size()) return visit_(path_, v);
    const Step& step = steps_[i];
    switch (step.kind) {
      case Step::Kind::kMember: {
        const auto* o = v.if_object();
        if (o == nullptr) {
          path_.push_key(step.key);
          auto e = at(path_, json_select_message::not_object_for_key(v.kind()));
          path_.pop();
          return e;
        }
        const auto it = o->find(step.key);
        path_.push_key(it == o->end() ? std::string_view(step.key) : std::string_view(it->key()));
        ParseResult<void> r;
        if (it != o->end()) {
          r = walk(it->value(), i + 1);
        } else if (!step.optional) {
          r = at(path_, json_select_message::no_such_key());
        }
        path_.pop();
        return r;
      }
      case Step::Kind::kAllMembers: {
        const auto* o = v.if_object();
        if (o == nullptr) return at(path_, json_select_message::not_object_for_all_members(v.kind()));
        for (const auto& kv : *o) {
          path_.push_key(kv.key());
          auto r = walk(kv.value(), i + 1);
          path_.pop();
          if (!r) return r;
        }
        return {};
      }
      case Step::Kind::kElements: {
        const auto* a = v.if_array();
        if (a == nullptr) return at(path_, json_select_message::not_array_for_elements(v.kind()));
        for (std::size_t k = 0; k < a->size(); ++k) {
          path_.push_index(k);
          ParseResult<void> r;
          if (step.filters.empty()) {
            r = walk((*a)[k], i + 1);
          } else if (auto ok = passes((*a)[k], step.filters, path_); !ok) {
            r = ok.error();
          } else if (*ok) {
            r = walk((*a)[k], i + 1);
          }
          path_.pop();
          if (!r) return r;
        }
        return {};
      }
    }
    return {};
  }

 private:
  const std::vector<Step>& steps_;
  const InnerVisitor& visit_;
  JsonPath path_;
};

}  // namespace

std::string JsonPath::str() const {
  std::string out;
  for (const auto& s : steps_) {
    if (s.is_index) {
      append_json_path_index(out, s.index);
    } else {
      append_json_path_key(out, s.key);
    }
  }
  return out;
}

ParseResult<JsonSelector> JsonSelector::compile(std::string_view text) {
  if (text.size() > kMaxSelectorLength)
    return ParseError{"selector of " + std::to_string(text.size()) + " characters is longer than " +
                      std::to_string(kMaxSelectorLength)};
  auto steps = Compiler(text).run();
  if (!steps) return steps.error();
  JsonSelector s;
  s.text_ = std::string(text);
  s.steps_ = std::make_shared<const std::vector<Step>>(std::move(*steps));
  return s;
}

ParseResult<void> JsonSelector::for_each_value(const json::value& doc, const ValueVisitor& on_value) const {
  const InnerVisitor inner = [&](JsonPath& path, const json::value& v) { return on_value(path, v); };
  return Walker(*steps_, inner).walk(doc, 0);
}

ParseResult<void> JsonSelector::for_each_string(const json::value& doc, const StringVisitor& on_string) const {
  const InnerVisitor inner = [&](JsonPath& p, const json::value& v) -> ParseResult<void> {
    if (const auto* s = v.if_string()) return on_string(p, std::string_view(*s));
    const auto* a = v.if_array();
    if (a == nullptr) return at(p, json_select_message::not_string_or_array(v.kind()));
    for (std::size_t k = 0; k < a->size(); ++k) {
      p.push_index(k);
      ParseResult<void> r;
      if (const auto* s = (*a)[k].if_string()) {
        r = on_string(p, std::string_view(*s));
      } else {
        r = at(p, json_select_message::not_string((*a)[k].kind()));
      }
      p.pop();
      if (!r) return r;
    }
    return {};
  };
  return Walker(*steps_, inner).walk(doc, 0);
}

ParseResult<std::vector<SelectedString>> JsonSelector::select_strings(const json::value& doc) const {
  std::vector<SelectedString> out;
  auto r = for_each_string(doc, [&](const JsonPath& path, std::string_view s) -> ParseResult<void> {
    out.push_back({path.str(), std::string(s)});
    return {};
  });
  if (!r) return r.error();
  return out;
}

}  // namespace allowdrift::feeds
