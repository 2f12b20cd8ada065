#include "feeds/source_spec.h"

#include "feeds/plain_list.h"
#include "model/ip_address.h"

#include <algorithm>

namespace allowdrift::feeds {
namespace {

// The plain list parser reports bad lines as errors; for a published text source they are rejected tokens, of
// which the spec may tolerate a few.
model::ParseResult<ExtractedList> extract_text(std::string_view bytes, const TextListSpec& spec) {
  PlainListOptions options;
  options.max_diagnostics = 20;
  const PlainList list = parse_plain_list(bytes, options);
  ExtractedList out;
  out.rejected_tokens = list.error_count;
  for (const auto& e : list.errors) out.rejected_samples.push_back("line " + std::to_string(e.line) + ": " + e.message);
  for (const auto& w : list.warnings) out.warnings.push_back("line " + std::to_string(w.line) + ": " + w.message);
  if (list.error_count > spec.max_rejected) {
    std::string why =
        std::to_string(list.error_count) + " invalid line(s), " + std::to_string(spec.max_rejected) + " tolerated";
    if (!out.rejected_samples.empty()) why += "; first: " + out.rejected_samples.front();
    return model::ParseError{why};
  }
  ExtractedSection section;
  section.ips = list.ips;
  section.domains = list.domains.patterns();
  section.ip_entries = list.ip_entries;
  section.domain_entries = list.domain_entries;
  out.sections.push_back(std::move(section));
  return out;
}

}  // namespace

std::string_view to_string(SourceFormat format) {
  switch (format) {
    case SourceFormat::kText:
      return "text";
    case SourceFormat::kJson:
      return "json";
    case SourceFormat::kHtml:
      return "html";
  }
  return "text";
}

model::ParseResult<SourceFormat> parse_source_format(std::string_view text) {
  if (text == "text") return SourceFormat::kText;
  if (text == "json") return SourceFormat::kJson;
  if (text == "html") return SourceFormat::kHtml;
  return model::ParseError{model::quote_token(text) + ": not a source format (expected text, json or html)"};
}

model::ParseResult<ExtractedList> extract(std::string_view bytes, const SourceSpec& spec) {
  model::ParseResult<ExtractedList> result = model::ParseError{};
  if (const auto* text = std::get_if<TextListSpec>(&spec.format)) {
    result = extract_text(bytes, *text);
  } else if (const auto* json = std::get_if<JsonListSpec>(&spec.format)) {
    result = extract_json(bytes, *json);
  } else {
    result = extract_html(bytes, std::get<HtmlListSpec>(spec.format));
  }
  return keep_sections(std::move(result), spec);
}

model::ParseResult<ExtractedList> keep_sections(model::ParseResult<ExtractedList> result, const SourceSpec& spec) {
  if (!result || spec.keep_sections.empty()) return result;
  std::vector<ExtractedSection> kept;
  for (auto& section : result->sections) {
    if (std::find(spec.keep_sections.begin(), spec.keep_sections.end(), section.name) != spec.keep_sections.end())
      kept.push_back(std::move(section));
  }
  if (kept.size() != spec.keep_sections.size())
    return model::ParseError{"the list has no section named " + spec.keep_sections.front() +
                             " (or several are missing)"};
  result->sections = std::move(kept);
  return result;
}

model::ParseResult<SourceSpec> make_source_spec(std::string_view format_text, const std::vector<std::string>& selects,
                                                const std::string& change_token,
                                                const std::vector<std::pair<std::string, std::string>>& anchors) {
  auto format = parse_source_format(format_text);
  if (!format) return format.error();
  SourceSpec spec;
  switch (*format) {
    case SourceFormat::kText:
      if (!selects.empty()) return model::ParseError{"select applies to json sources only"};
      spec.format = TextListSpec{};
      break;
    case SourceFormat::kJson: {
      JsonListSpec js;
      js.sections.push_back({"", {}});
      for (const auto& s : selects) {
        auto compiled = JsonSelector::compile(s);
        if (!compiled) return model::ParseError{"select " + model::quote_token(s) + ": " + compiled.error().message};
        js.sections.front().selectors.push_back(std::move(*compiled));
      }
      if (js.sections.front().selectors.empty()) return model::ParseError{"a json source needs a select"};
      if (!change_token.empty()) {
        auto compiled = JsonSelector::compile(change_token);
        if (!compiled) return model::ParseError{"change token selector: " + compiled.error().message};
        js.change_token = std::move(*compiled);
      }
      spec.format = std::move(js);
      break;
    }
    case SourceFormat::kHtml: {
      if (!selects.empty()) return model::ParseError{"select applies to json sources only"};
      HtmlListSpec hs;
      for (const auto& [name, host] : anchors) {
        HtmlSectionSpec section;
        section.name = name;
        section.anchors.push_back(host);
        hs.sections.push_back(std::move(section));
      }
      spec.format = std::move(hs);
      break;
    }
  }
  return spec;
}

}  // namespace allowdrift::feeds
