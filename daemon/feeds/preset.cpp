#include "feeds/preset.h"

#include <toml.hpp>

#include <algorithm>
#include <sstream>

namespace allowdrift::feeds {
namespace {

using model::ParseError;

// ParseError is constructible from a string too, so a string result must say which side it is.
model::ParseResult<std::string> ok(std::string s) { return {boost::system::in_place_value, std::move(s)}; }

// toml11 formats errors with the file name, line and a caret; keep its text.
// "file:line: what", then toml11's excerpt of the line with a caret.
ParseError schema_error(const std::string& what, const toml::value& where, const std::string& hint = "") {
  const auto loc = where.location();
  return ParseError{loc.file_name() + ":" + std::to_string(loc.line()) + ": " + what + "\n" +
                    toml::format_error("[error] " + what, where, hint)};
}

bool valid_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool valid_param_value(std::string_view s) {
  if (s == "*") return true;
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._-:/+@$").find(c) != std::string_view::npos;
  });
}

// Reads an optional string array; every element must be a string.
model::ParseResult<std::vector<std::string>> strings(const toml::value& table, const std::string& key) {
  std::vector<std::string> out;
  if (!table.contains(key)) return out;
  const auto& v = table.at(key);
  if (!v.is_array()) return schema_error("'" + key + "' must be an array of strings", v);
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return schema_error("'" + key + "' must hold only strings", item);
    out.push_back(item.as_string().str);
  }
  return out;
}

model::ParseResult<std::string> string_of(const toml::value& table, const std::string& key, bool required) {
  if (!table.contains(key)) {
    if (required) return schema_error("missing '" + key + "'", table);
    return ok({});
  }
  const auto& v = table.at(key);
  if (!v.is_string()) return schema_error("'" + key + "' must be a string", v);
  return ok(v.as_string().str);
}

// The keys a table may have; anything else is a typo worth an error, not a silently ignored setting.
model::ParseResult<void> only_keys(const toml::value& table, std::initializer_list<std::string_view> keys) {
  for (const auto& [k, v] : table.as_table()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) return schema_error("unknown key '" + k + "'", v);
  }
  return {};
}

// The optional `params` table: parameter name -> default value.
model::ParseResult<void> read_params(const toml::value& table, std::map<std::string, std::string>& out) {
  if (!table.contains("params")) return {};
  const auto& params = table.at("params");
  if (!params.is_table()) return schema_error("'params' must be a table of name = default", params);
  for (const auto& [k, v] : params.as_table()) {
    if (!v.is_string() || !valid_param_value(v.as_string().str))
      return schema_error("a parameter default is a string of letters, digits and . _ - : / + @ $ (or \"*\")", v);
    out[k] = v.as_string().str;
  }
  return {};
}

model::ParseResult<Preset> parse_one(const toml::value& t, const std::string& file) {
  if (!t.is_table()) return schema_error("a [[preset]] must be a table", t);
  if (auto r = only_keys(t, {"name", "description", "url", "format", "params", "required", "change_token", "select",
                             "section", "skip_tokens", "max_rejected", "may_be_empty", "max_shrink", "max_growth",
                             "base", "keep", "version_url", "version_select"});
      !r)
    return r.error();
  Preset p;
  p.file = file;
  auto name = string_of(t, "name", true);
  if (!name) return name.error();
  if (!valid_name(*name)) return schema_error("preset names use lowercase letters, digits and '-'", t.at("name"));
  p.name = *name;
  auto description = string_of(t, "description", false);
  if (!description) return description.error();
  p.description = *description;
  auto base = string_of(t, "base", false);
  if (!base) return base.error();
  p.base = *base;
  auto keep = strings(t, "keep");
  if (!keep) return keep.error();
  p.keep = *keep;
  if (!p.base.empty()) {
    // A variant: only name, description, keep and params overrides; the rest comes from the base at load time.
    if (auto r = only_keys(t, {"name", "description", "base", "keep", "params"}); !r) return r.error();
    if (auto r = read_params(t, p.params); !r) return r.error();
    return p;
  }
  auto url = string_of(t, "url", true);
  if (!url) return url.error();
  if (!url->starts_with("https://")) return schema_error("the url must be https://", t.at("url"));
  p.url = *url;
  auto format_text = string_of(t, "format", true);
  if (!format_text) return format_text.error();
  auto format = parse_source_format(*format_text);
  if (!format) return schema_error(format.error().message, t.at("format"));
  p.format = *format;

  if (auto r = read_params(t, p.params); !r) return r.error();
  auto required = strings(t, "required");
  if (!required) return required.error();
  p.required = *required;
  if (t.contains("change_token")) {
    auto token = string_of(t, "change_token", false);
    if (!token) return token.error();
    p.change_token = *token;
  }
  if (t.contains("version_url")) {
    auto v = string_of(t, "version_url", false);
    if (!v) return v.error();
    if (!v->starts_with("https://")) return schema_error("the version_url must be https://", t.at("version_url"));
    p.version_url = *v;
  }
  if (t.contains("version_select")) {
    auto v = string_of(t, "version_select", false);
    if (!v) return v.error();
    p.version_select = *v;
  }
  auto skip = strings(t, "skip_tokens");
  if (!skip) return skip.error();
  p.skip_tokens = *skip;
  if (t.contains("max_rejected")) {
    const auto& v = t.at("max_rejected");
    if (!v.is_integer() || v.as_integer() < 0) return schema_error("'max_rejected' must be a count", v);
    p.max_rejected = static_cast<std::size_t>(v.as_integer());
  }
  if (t.contains("may_be_empty")) {
    if (!t.at("may_be_empty").is_boolean())
      return schema_error("'may_be_empty' must be true or false", t.at("may_be_empty"));
    p.guards.may_be_empty = t.at("may_be_empty").as_boolean();
  }
  for (const char* key : {"max_shrink", "max_growth"}) {
    if (!t.contains(key)) continue;
    const auto& v = t.at(key);
    if (!v.is_floating() && !v.is_integer()) return schema_error(std::string("'") + key + "' must be a number", v);
    const double d = v.is_floating() ? v.as_floating() : static_cast<double>(v.as_integer());
    (std::string_view(key) == "max_shrink" ? p.guards.max_shrink : p.guards.max_growth) = d;
  }
  p.guards.max_rejected_tokens = p.max_rejected;

  auto select = strings(t, "select");
  if (!select) return select.error();
  if (!select->empty()) p.sections.push_back({"", *select, {}, {}, std::nullopt});
  if (t.contains("section")) {
    const auto& sections = t.at("section");
    if (!sections.is_array())
      return schema_error("'section' must be an array of tables ([[preset.section]])", sections);
    for (const auto& s : sections.as_array()) {
      if (!s.is_table()) return schema_error("a [[preset.section]] must be a table", s);
      if (auto r = only_keys(s, {"name", "select", "anchors", "aliases", "kinds"}); !r) return r.error();
      PresetSection section;
      auto sname = string_of(s, "name", true);
      if (!sname) return sname.error();
      section.name = *sname;
      auto sel = strings(s, "select");
      if (!sel) return sel.error();
      section.select = *sel;
      auto anchors = strings(s, "anchors");
      if (!anchors) return anchors.error();
      section.anchors = *anchors;
      auto aliases = strings(s, "aliases");
      if (!aliases) return aliases.error();
      section.aliases = *aliases;
      if (s.contains("kinds")) {
        auto kinds = string_of(s, "kinds", false);
        if (!kinds) return kinds.error();
        if (*kinds != "ips" && *kinds != "domains" && *kinds != "ips+domains")
          return schema_error("'kinds' is ips, domains or ips+domains", s.at("kinds"));
        section.kinds = *kinds;
      }
      if (p.format == SourceFormat::kJson && section.select.empty())
        return schema_error("a json section needs 'select'", s);
      if (p.format == SourceFormat::kHtml && section.anchors.empty())
        return schema_error("an html section needs 'anchors'", s);
      p.sections.push_back(std::move(section));
    }
  }
  if (p.format == SourceFormat::kJson && p.sections.empty())
    return schema_error("a json preset needs 'select' or [[preset.section]] tables", t);
  return p;
}

// Replaces {name} by its value; a bracket clause that is exactly `field={name}` with the value "*" is dropped.
model::ParseResult<std::string> substitute(std::string_view text, const std::map<std::string, std::string>& values,
                                           const std::string& what) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '{') {
      out += text[i++];
      continue;
    }
    const auto close = text.find('}', i);
    if (close == std::string_view::npos) return ParseError{what + ": unclosed '{' in " + model::quote_token(text)};
    const std::string name(text.substr(i + 1, close - i - 1));
    const auto it = values.find(name);
    if (it == values.end()) return ParseError{what + ": unknown parameter {" + name + "}"};
    if (it->second == "*" && i == 0 && close + 1 == text.size()) return ok("*");  // a whole "{name}"
    if (it->second == "*") {
      // Drop the clause "field={name}" and one separating comma.
      const auto clause_start = out.find_last_of("[,");
      if (clause_start == std::string::npos ||
          (close + 1 < text.size() && text[close + 1] != ',' && text[close + 1] != ']'))
        return ParseError{what + ": {" + name + "} = \"*\" is only allowed as a whole filter clause field={" + name +
                          "}"};
      const bool opened_here = out[clause_start] == '[';
      out.erase(clause_start + 1);
      i = close + 1;
      if (opened_here && i < text.size() && text[i] == ',') ++i;  // "[a={x},b=1]" -> "[b=1]"
      if (!opened_here) out.erase(clause_start);                  // "[b=1,a={x}]" -> "[b=1"
      continue;
    }
    out += it->second;
    i = close + 1;
  }
  return ok(std::move(out));
}

}  // namespace

model::ParseResult<std::vector<Preset>> parse_presets(std::string_view toml_text, const std::string& file_name) {
  toml::value root;
  try {
    std::istringstream in{std::string(toml_text)};
    root = toml::parse(in, file_name);
  } catch (const std::exception& e) {  // toml::syntax_error: the message has the file, line and a caret
    return ParseError{e.what()};
  }
  if (auto r = only_keys(root, {"preset"}); !r) return r.error();
  if (!root.contains("preset") || !root.at("preset").is_array())
    return ParseError{file_name + ": expected one or more [[preset]] tables"};
  std::vector<Preset> out;
  for (const auto& t : root.at("preset").as_array()) {
    auto p = parse_one(t, file_name);
    if (!p) return p.error();
    out.push_back(std::move(*p));
  }
  return out;
}

model::ParseResult<SourceSpec> instantiate(const Preset& preset, const std::map<std::string, std::string>& given,
                                           const std::optional<std::string>& url_override) {
  const std::string where = "preset " + preset.name + " (" + preset.file + ")";
  std::map<std::string, std::string> values = preset.params;
  for (const auto& [k, v] : given) {
    const bool known =
        values.contains(k) || std::find(preset.required.begin(), preset.required.end(), k) != preset.required.end();
    if (!known) {
      std::string names;
      for (const auto& [n, d] : preset.params) names += (names.empty() ? "" : ", ") + n;
      for (const auto& n : preset.required) names += (names.empty() ? "" : ", ") + n;
      return ParseError{where + ": unknown parameter '" + k + "' (parameters: " + (names.empty() ? "none" : names) +
                        ")"};
    }
    if (!valid_param_value(v))
      return ParseError{where + ": parameter " + k + " = " + model::quote_token(v) +
                        ": use letters, digits and . _ - : / + @ $ only"};
    values[k] = v;
  }
  for (const auto& r : preset.required)
    if (!values.contains(r)) return ParseError{where + ": parameter '" + r + "' is required"};

  SourceSpec spec;
  spec.name = preset.name;
  spec.guards = preset.guards;
  for (const auto& k : preset.keep) {
    auto bound = substitute(k, values, where);
    if (!bound) return bound.error();
    if (*bound == "*") continue;
    const bool exists = std::any_of(preset.sections.begin(), preset.sections.end(),
                                    [&](const PresetSection& s) { return s.name == *bound; });
    if (!exists) return ParseError{where + ": keep: no section named " + model::quote_token(*bound)};
    spec.keep_sections.push_back(*bound);
  }
  if (url_override) {
    if (!url_override->starts_with("https://")) return ParseError{where + ": the url must be https://"};
    spec.url = *url_override;
  } else {
    auto url = substitute(preset.url, values, where);
    if (!url) return url.error();
    spec.url = *url;
  }

  if (preset.version_url) {
    auto bound = substitute(*preset.version_url, values, where);
    if (!bound) return bound.error();
    spec.version_url = *bound;
    auto compiled = JsonSelector::compile(preset.version_select);
    if (!compiled) return ParseError{where + ": version_select: " + compiled.error().message};
    spec.version_select = std::move(*compiled);
  }

  switch (preset.format) {
    case SourceFormat::kText:
      spec.format = TextListSpec{preset.max_rejected};
      break;
    case SourceFormat::kJson: {
      JsonListSpec json;
      for (const auto& s : preset.sections) {
        JsonListSection section{s.name, {}};
        for (const auto& text : s.select) {
          auto bound = substitute(text, values, where);
          if (!bound) return bound.error();
          auto compiled = JsonSelector::compile(*bound);
          if (!compiled)
            return ParseError{where + ": selector " + model::quote_token(*bound) + ": " + compiled.error().message};
          section.selectors.push_back(std::move(*compiled));
        }
        json.sections.push_back(std::move(section));
      }
      if (preset.change_token) {
        auto compiled = JsonSelector::compile(*preset.change_token);
        if (!compiled) return ParseError{where + ": change_token: " + compiled.error().message};
        json.change_token = std::move(*compiled);
      }
      json.skip_tokens = preset.skip_tokens;
      spec.format = std::move(json);
      break;
    }
    case SourceFormat::kHtml: {
      HtmlListSpec html;
      html.max_rejected = preset.max_rejected;
      for (const auto& s : preset.sections) {
        HtmlSectionSpec section;
        section.name = s.name;
        for (const auto& a : s.anchors) {
          auto bound = substitute(a, values, where);
          if (!bound) return bound.error();
          section.anchors.push_back(*bound);
        }
        section.aliases = s.aliases;
        if (s.kinds)
          section.kinds =
              EntryKinds{s.kinds->find("ips") != std::string::npos, s.kinds->find("domains") != std::string::npos};
        html.sections.push_back(std::move(section));
      }
      spec.format = std::move(html);
      break;
    }
  }
  return spec;
}

model::ParseResult<PresetCatalog> PresetCatalog::load(std::span<const PresetFile> files) {
  PresetCatalog catalog;
  for (const auto& f : files) {
    auto presets = parse_presets(f.text, std::string(f.name));
    if (!presets) return presets.error();
    for (auto& p : *presets) {
      auto it = std::find_if(catalog.presets_.begin(), catalog.presets_.end(),
                             [&](const Preset& q) { return q.name == p.name; });
      if (it != catalog.presets_.end()) {
        *it = std::move(p);
      } else {
        catalog.presets_.push_back(std::move(p));
      }
    }
  }
  // Resolve variants: copy the base, then apply the variant's own keys.
  for (auto& p : catalog.presets_) {
    if (p.base.empty()) continue;
    const auto base = std::find_if(catalog.presets_.begin(), catalog.presets_.end(),
                                   [&](const Preset& q) { return q.name == p.base; });
    if (base == catalog.presets_.end() || !base->base.empty())
      return ParseError{p.file + ": preset " + p.name + ": base " + model::quote_token(p.base) +
                        " is not a preset (or is itself a variant)"};
    Preset merged = *base;
    merged.name = p.name;
    merged.file = p.file;
    merged.base = p.base;
    if (!p.description.empty()) merged.description = p.description;
    if (!p.keep.empty()) merged.keep = p.keep;
    for (const auto& [k, v] : p.params) merged.params[k] = v;
    p = std::move(merged);
  }
  std::sort(catalog.presets_.begin(), catalog.presets_.end(),
            [](const Preset& a, const Preset& b) { return a.name < b.name; });
  return catalog;
}

const Preset* PresetCatalog::find(std::string_view name) const {
  for (const auto& p : presets_)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace allowdrift::feeds
