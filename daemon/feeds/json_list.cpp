#include "feeds/json_list.h"

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

ParseResult<std::string> read_change_token(const json::value& doc, const JsonSelector& selector) {
  std::optional<std::string> token;
  std::string first_path;
  auto r = selector.for_each_value(doc, [&](const JsonPath& path, const json::value& v) -> ParseResult<void> {
    const auto where = json_path_or_root(path.str());
    if (token)
      return ParseError{"change token: selector '" + selector.text() + "' selects more than one value (" +
                        json_path_or_root(first_path) + " and " + where + ")"};
    first_path = path.str();
    if (const auto* s = v.if_string()) {
      if (s->empty() || s->size() > kMaxChangeTokenLength || !printable_ascii(*s))
        return ParseError{"change token at " + where + ": expected 1 to " + std::to_string(kMaxChangeTokenLength) +
                          " printable ASCII characters"};
      token = std::string(*s);
    } else if (const auto* i = v.if_int64()) {
      token = std::to_string(*i);
    } else if (const auto* u = v.if_uint64()) {
      token = std::to_string(*u);
    } else {
      return ParseError{"change token at " + where + ": expected a string or an integer"};
    }
    return {};
  });
  if (!r) return r.error();
  if (!token) return ParseError{"change token: selector '" + selector.text() + "' selects nothing"};
  return ParseResult<std::string>(boost::system::in_place_value, std::move(*token));
}

struct SkipCount {
  std::size_t count = 0;
  std::string first_path;
};

}  // namespace

ParseResult<ExtractedList> extract_json_value(const json::value& doc, const JsonListSpec& spec) {
  ExtractedList list;
  std::vector<SkipCount> skipped(spec.skip_tokens.size());
  for (const auto& section : spec.sections) {
    SectionBuilder builder(section.name);
    for (const auto& selector : section.selectors) {
      auto r = selector.for_each_string(doc, [&](const JsonPath& path, std::string_view token) -> ParseResult<void> {
        const auto skip = std::find(spec.skip_tokens.begin(), spec.skip_tokens.end(), token);
        if (skip != spec.skip_tokens.end()) {
          auto& s = skipped[static_cast<std::size_t>(skip - spec.skip_tokens.begin())];
          if (s.count++ == 0) s.first_path = path.str();
          return {};
        }
        if (builder.add(token, list)) return {};
        // rejected_samples holds the reason (it keeps the first few; this is the first).
        return ParseError{"invalid entry at " + json_path_or_root(path.str()) + ": " + list.rejected_samples.back()};
      });
      if (!r) return r.error();
    }
    list.sections.push_back(std::move(builder).build());
  }
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    if (skipped[i].count == 0) continue;
    list.warnings.push_back("skipped " + std::to_string(skipped[i].count) + " '" + spec.skip_tokens[i] +
                            "' by the source's skip rule, first at " + json_path_or_root(skipped[i].first_path));
  }
  if (spec.change_token) {
    auto token = read_change_token(doc, *spec.change_token);
    if (!token) return token.error();
    list.change_token = std::move(*token);
  }
  return list;
}

ParseResult<ExtractedList> extract_json(std::string_view bytes, const JsonListSpec& spec) {
  auto doc = parse_json_document(bytes, spec.limits);
  if (!doc) return doc.error();
  return extract_json_value(*doc, spec);
}

}  // namespace allowdrift::feeds
