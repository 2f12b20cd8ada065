// Loads and validates the configuration: the same code path for start-up, SIGHUP reload and
// `allowdrift check-config`. Every problem is reported (not only the first), each as "FILE:LINE: message" naming
// the key; unknown keys and wrong types are errors, and so is a world-writable file.
#pragma once

#include "config/config.h"

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::config {

struct ConfigErrors {
  std::vector<std::string> messages;  // "FILE:LINE: ...", in file order
};

class ConfigErrorsException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_exception_from_error(const ConfigErrors& e, const boost::source_location&) {
  throw ConfigErrorsException(e.messages.empty() ? "invalid configuration" : e.messages.front());
}

using ConfigResult = boost::system::result<Config, ConfigErrors>;

// TOML text -> Config. `file` names the input in messages. Presets come from the binary plus, when the text
// sets presets_dir, `extra_presets` (already read by the caller). Pure unless `check_files` (load_config): then
// each ca_file must also give at least one certificate.
struct PresetText {
  std::string name;
  std::string text;
};
ConfigResult parse_config(std::string_view text, const std::string& file, const std::vector<PresetText>& extra_presets,
                          bool check_files = false);

// Reads `path` (refusing a world-writable file), reads presets_dir's *.toml when set, and parses. A non-empty
// `state_dir_override` (the command line's --state-dir) replaces state_dir, as every command applies it.
ConfigResult load_config(const std::string& path, const std::string& state_dir_override = "");

inline constexpr const char* kDefaultConfigPath = "/etc/allowdrift/allowdrift.toml";

}  // namespace allowdrift::config
