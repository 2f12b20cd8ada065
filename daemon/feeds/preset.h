// Vendor presets: config/presets/<vendor>.toml, one or more [[preset]] tables per file, in the same TOML syntax
// as a [[source]] of the user config. A user writes `preset = "aws"` and `params = { service = "EC2" }` instead of
// a URL and selectors. Presets are embedded into the binary at build time; a directory of extra or replacement
// presets can be given at run time.
//
//   [[preset]]
//   name = "aws"                                   # unique; lowercase letters, digits and '-'
//   description = "AWS public IP ranges, by service and region"
//   url = "https://ip-ranges.amazonaws.com/ip-ranges.json"
//   format = "json"                                # text | json | html
//   params = { service = "AMAZON", region = "*" }  # parameter = default; "*" = any (see below)
//   required = ["tag"]                             # parameters without a default
//   change_token = "syncToken"                     # json: selector of the vendor's change token
//   select = ["prefixes[service={service},region={region}].ip_prefix"]   # json: one section ""
//   version_url = "https://.../version?x={p}"      # polled first; the list is fetched when the version moves
//   version_select = "latest"                      # json selector of the version in that document
//   max_rejected = 0                               # text/html: invalid tokens tolerated
//   may_be_empty = false                           # guards (list_guards.h)
//   max_shrink = 0.5
//   [[preset.section]]                             # json: named sections, each with `select`;
//   name = "us"                                    # html: `anchors`, `aliases`, optional `kinds`
//   anchors = ["sdpondemand.manageengine.com"]
//   aliases = []
//   kinds = "ips"                                  # ips | domains | ips+domains (html)
//
//   [[preset]]                                     # a variant of another preset:
//   name = "sdp-cloud-us"
//   base = "sdp-cloud-mail"                        # everything from the base preset (any file)...
//   keep = ["us"]                                  # ...keeping only these sections of the result
//
// `keep` exists because a page's sections must all be known to find where each ends (the next data center's
// host starts the next section), while a user usually wants one of them.
//
// Parameters are written {name} inside selectors, anchors and the URL. A filter clause of a selector that is
// exactly `field={name}` is dropped when the parameter's value is "*", so one preset serves "all regions" and
// "one region". Values are restricted to letters, digits and . _ - : / + @ $ (no quoting needed in selectors).
// Every error names the file and line.
#pragma once

#include "feeds/source_spec.h"
#include "model/parse_error.h"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

struct PresetSection {
  std::string name;
  std::vector<std::string> select;   // json
  std::vector<std::string> anchors;  // html
  std::vector<std::string> aliases;  // html
  std::optional<std::string> kinds;  // html
};

struct Preset {
  std::string name;
  std::string description;
  std::string file;  // where it was defined, for messages
  std::string url;
  SourceFormat format = SourceFormat::kText;
  std::map<std::string, std::string> params;  // name -> default
  std::vector<std::string> required;
  std::optional<std::string> change_token;
  std::optional<std::string> version_url;
  std::string version_select = "latest";
  std::vector<PresetSection> sections;  // a top-level `select` becomes one section ""
  std::vector<std::string> skip_tokens;
  std::size_t max_rejected = 0;
  GuardPolicy guards;
  std::vector<std::string> keep;  // sections kept in the result; empty: all
  std::string base;               // the preset this one was derived from, if any
};

// Parses one preset file. `file_name` is used in messages.
model::ParseResult<std::vector<Preset>> parse_presets(std::string_view toml_text, const std::string& file_name);

// Binds parameters (defaults, then `given`; unknown names and missing required ones are errors), compiles the
// selectors, and optionally replaces the URL (internal mirrors).
model::ParseResult<SourceSpec> instantiate(const Preset& preset, const std::map<std::string, std::string>& given,
                                           const std::optional<std::string>& url_override = std::nullopt);

struct PresetFile {
  std::string_view name;  // e.g. "aws.toml"
  std::string_view text;
};

// The presets built into this binary (generated from config/presets/ by CMake).
std::span<const PresetFile> embedded_preset_files();

class PresetCatalog {
 public:
  // Parses every file; a later file's preset replaces an earlier one of the same name.
  static model::ParseResult<PresetCatalog> load(std::span<const PresetFile> files);
  const Preset* find(std::string_view name) const;
  const std::vector<Preset>& all() const { return presets_; }

 private:
  std::vector<Preset> presets_;
};

}  // namespace allowdrift::feeds
