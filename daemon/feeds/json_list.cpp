#include "feeds/json_list.h"

#include "feeds/json_select_stream.h"
#include "feeds/json_stream.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace json = boost::json;
namespace {

using model::ParseError;
using model::ParseResult;

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f;
  });
}

// What the selected strings and values make: one collector per extraction, fed by either evaluator. Each
// selector (the sections' in order, then the change token's) is a target with its own first error, warnings and
// skip counts, so the result does not depend on the order in which the targets' events interleave; finish()
// reads them in the order the document walk of the spec would have produced them.
class ListCollector final : public JsonSelectionSink {
 public:
  explicit ListCollector(const JsonListSpec& spec) : spec_(spec) {
    for (std::size_t s = 0; s < spec.sections.size(); ++s) {
      builders_.emplace_back(spec.sections[s].name);
      for (const auto& selector : spec.sections[s].selectors) add_target(&selector, false, s);
    }
    if (spec.change_token) add_target(&*spec.change_token, true, 0);
  }

  const std::vector<JsonSelectionTarget>& targets() const { return selection_; }
  bool failed(std::size_t t) const { return targets_[t].error.has_value(); }

  bool selected_string(std::size_t t, std::string_view token, const JsonPathSource& path) override {
    auto& target = targets_[t];
    const auto skip = std::find(spec_.skip_tokens.begin(), spec_.skip_tokens.end(), token);
    if (skip != spec_.skip_tokens.end()) {
      auto& s = target.skipped[static_cast<std::size_t>(skip - spec_.skip_tokens.begin())];
      if (s.count++ == 0) s.first_path = path.str();
      return true;
    }
    if (builders_[target.section].add(token, target.diagnostics)) return true;
    // rejected_samples holds the reason (it keeps the first few; this is the first).
    target.error = ParseError{"invalid entry at " + json_path_or_root(path.str()) + ": " +
                              target.diagnostics.rejected_samples.back()};
    return false;
  }

  // The change token: exactly one string or integer.
  bool selected_value(std::size_t t, const JsonScalar& value, const JsonPathSource& path) override {
    auto& target = targets_[t];
    const auto here = path.str();
    const auto where = json_path_or_root(here);
    if (token_) {
      target.error =
          ParseError{"change token: selector '" + target.selector->text() + "' selects more than one value (" +
                     json_path_or_root(token_path_) + " and " + where + ")"};
      return false;
    }
    token_path_ = here;
    switch (value.kind) {
      case json::kind::string:
        if (value.text.empty() || value.text.size() > kMaxChangeTokenLength || !printable_ascii(value.text)) {
          target.error = ParseError{"change token at " + where + ": expected 1 to " +
                                    std::to_string(kMaxChangeTokenLength) + " printable ASCII characters"};
          return false;
        }
        token_ = std::string(value.text);
        return true;
      case json::kind::int64:
        token_ = std::to_string(value.int64);
        return true;
      case json::kind::uint64:
        token_ = std::to_string(value.uint64);
        return true;
      default:
        target.error = ParseError{"change token at " + where + ": expected a string or an integer"};
        return false;
    }
  }

  void walk_error(std::size_t t, ParseError error) override { targets_[t].error = std::move(error); }

  ParseResult<ExtractedList> finish() && {
    for (auto& target : targets_)
      if (target.error) return std::move(*target.error);
    ExtractedList list;
    for (auto& builder : builders_) list.sections.push_back(std::move(builder).build());
    for (const auto& target : targets_) {
      for (const auto& w : target.diagnostics.warnings)
        if (list.warnings.size() < kMaxKeptDiagnostics) list.warnings.push_back(w);
    }
    for (std::size_t i = 0; i < spec_.skip_tokens.size(); ++i) {
      std::size_t count = 0;
      const std::string* first = nullptr;
      for (const auto& target : targets_) {
        if (target.skipped[i].count > 0 && first == nullptr) first = &target.skipped[i].first_path;
        count += target.skipped[i].count;
      }
      if (count == 0) continue;
      list.warnings.push_back("skipped " + std::to_string(count) + " '" + spec_.skip_tokens[i] +
                              "' by the source's skip rule, first at " + json_path_or_root(*first));
    }
    if (spec_.change_token) {
      if (!token_) return ParseError{"change token: selector '" + spec_.change_token->text() + "' selects nothing"};
      list.change_token = std::move(token_);
    }
    return list;
  }

 private:
  struct SkipCount {
    std::size_t count = 0;
    std::string first_path;
  };
  struct Target {
    const JsonSelector* selector;
    std::size_t section;
    ExtractedList diagnostics;  // SectionBuilder's warnings and rejections for this target's strings
    std::vector<SkipCount> skipped;
    std::optional<ParseError> error;
  };

  void add_target(const JsonSelector* selector, bool values, std::size_t section) {
    selection_.push_back({selector, values});
    targets_.push_back(Target{selector, section, {}, std::vector<SkipCount>(spec_.skip_tokens.size()), {}});
  }

  const JsonListSpec& spec_;
  std::vector<SectionBuilder> builders_;
  std::vector<JsonSelectionTarget> selection_;
  std::vector<Target> targets_;
  std::optional<std::string> token_;
  std::string token_path_;
};

// The strict reader's events, evaluated against every target as they come.
class SelectingHandler : public JsonEventHandler<SelectingHandler> {
 public:
  SelectingHandler(std::size_t max_depth, ListCollector& collector)
      : JsonEventHandler(max_depth), selection_(collector.targets(), collector, position()) {}

  void begin_value(const JsonScalar& v) {
    if (selection_.active()) selection_.begin_value(v);
  }
  void end_container(json::kind, std::size_t) {
    if (selection_.active()) selection_.end_container();
  }
  void key(std::string_view k) {
    if (selection_.active()) selection_.key(k);
  }

 private:
  JsonStreamingSelection selection_;
};

}  // namespace

struct JsonListReader::Impl {
  explicit Impl(const JsonListSpec& spec) : collector(spec), stream(spec.limits, collector) {}

  ListCollector collector;
  StrictJsonStream<SelectingHandler> stream;
};

JsonListReader::JsonListReader(const JsonListSpec& spec) : impl_(std::make_unique<Impl>(spec)) {}
JsonListReader::~JsonListReader() = default;

void JsonListReader::write(std::string_view chunk) { impl_->stream.write(chunk); }

ParseResult<ExtractedList> JsonListReader::finish() {
  if (auto document = impl_->stream.finish(); !document) return document.error();
  return std::move(impl_->collector).finish();
}

ParseResult<ExtractedList> extract_json(std::string_view bytes, const JsonListSpec& spec) {
  JsonListReader reader(spec);
  reader.write(bytes);
  return reader.finish();
}

ParseResult<ExtractedList> extract_json_value(const json::value& doc, const JsonListSpec& spec) {
  ListCollector collector(spec);
  const auto& targets = collector.targets();
  for (std::size_t t = 0; t < targets.size(); ++t) {
    // A collector that refuses a string or value has recorded why; the walk just stops.
    auto r = targets[t].values
                 ? targets[t].selector->for_each_value(
                       doc,
                       [&](const JsonPath& path, const json::value& v) {
                         if (collector.selected_value(t, json_scalar_of(v), JsonPathSource(path)))
                           return ParseResult<void>{};
                         return ParseResult<void>{ParseError{}};
                       })
                 : targets[t].selector->for_each_string(doc, [&](const JsonPath& path, std::string_view s) {
                     if (collector.selected_string(t, s, JsonPathSource(path))) return ParseResult<void>{};
                     return ParseResult<void>{ParseError{}};
                   });
    if (!r && !collector.failed(t)) collector.walk_error(t, r.error());
    if (collector.failed(t)) break;  // the first failing selector decides; later ones cannot change the result
  }
  return std::move(collector).finish();
}

}  // namespace allowdrift::feeds
