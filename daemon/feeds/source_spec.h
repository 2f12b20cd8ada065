// A source ready to extract: which format its bytes are in and how to read them. Built from a preset
// (preset.h) or, for `allowdrift extract --source-format`, from the command line.
#pragma once

#include "feeds/extracted_list.h"
#include "feeds/html_list.h"
#include "feeds/json_list.h"
#include "feeds/list_guards.h"
#include "model/parse_error.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace allowdrift::feeds {

// Text sources: the plain list format (plain_list.h); `max_rejected` invalid lines are tolerated (and counted).
struct TextListSpec {
  std::size_t max_rejected = 0;
};

enum class SourceFormat { kText, kJson, kHtml };
std::string_view to_string(SourceFormat format);
model::ParseResult<SourceFormat> parse_source_format(std::string_view text);

struct SourceSpec {
  std::string name;  // the preset's name, or "command line"
  std::string url;
  std::variant<TextListSpec, JsonListSpec, HtmlListSpec> format;
  GuardPolicy guards;
  std::vector<std::string> keep_sections;  // empty: every section of the result
  // A cheap version endpoint polled before the list (version_gate.h); its version is the change token.
  std::optional<std::string> version_url;
  std::optional<JsonSelector> version_select;

  SourceFormat source_format() const { return static_cast<SourceFormat>(format.index()); }
};

// A source written out by hand (a config's url + format + select, or `extract --source-format`) rather than taken
// from a preset: json needs at least one selector; html takes (section, anchor host) pairs; the messages name the
// offending selector.
model::ParseResult<SourceSpec> make_source_spec(std::string_view format, const std::vector<std::string>& selects,
                                                const std::string& change_token,
                                                const std::vector<std::pair<std::string, std::string>>& anchors);

// Bytes -> entries, through the parser of the spec's format. The guards are not applied here (list_guards.h).
// source_reader.h does the same with the bytes fed in pieces.
model::ParseResult<ExtractedList> extract(std::string_view bytes, const SourceSpec& spec);

// The part of extract() after the parser: only the sections the spec keeps (keep_sections), or an error naming
// one that is missing.
model::ParseResult<ExtractedList> keep_sections(model::ParseResult<ExtractedList> result, const SourceSpec& spec);

}  // namespace allowdrift::feeds
