// Loads and validates the configuration: the same code path for start-up, SIGHUP reload and
// `allowdrift check-config`. Every problem is reported (not only the first), each as "FILE:LINE: message" naming
// the key; unknown keys and wrong types are errors, and so is a world-writable file.
#pragma once

#include "config/config.h"

#include <boost/system/result.hpp>

#include <cstdint>
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

struct PresetText {
  std::string name;
  std::string text;
};

// How far values are checked beyond their syntax:
// - kPure: URLs parsed as the fetcher parses them (host, port 1-65535); no file is opened.
// - kFull: and each ca_file must give a certificate (check-config and the CLI commands).
// - kQuick: URLs parsed, a ca_file checked for holding a PEM certificate block (--once: its fetches parse the
//   file moments later and report a bad one as that source's failure; starting OpenSSL to parse it at load cost
//   a millisecond of a 40 ms run).
// - kDaemon: URLs checked for https:// only, a ca_file for holding a PEM certificate block. The daemon's own
//   process does not run Boost.URL's and OpenSSL's parsers: their code, once run, stays resident (2.4 MB of an
//   idle daemon that fetches in worker processes). Its workers parse both at each fetch, and the shipped unit
//   runs check-config (kFull) before every start and reload.
enum class Checks : std::uint8_t { kPure, kFull, kQuick, kDaemon };

// TOML text -> Config. `file` names the input in messages. Presets come from the binary plus, when the text
// sets presets_dir, `extra_presets` (already read by the caller). Opens no file with kPure.
ConfigResult parse_config(std::string_view text, const std::string& file, const std::vector<PresetText>& extra_presets,
                          Checks checks = Checks::kPure);

// Reads `path` (refusing a world-writable file), reads presets_dir's *.toml when set, and parses. A non-empty
// `state_dir_override` (the command line's --state-dir) replaces state_dir, as every command applies it.
ConfigResult load_config(const std::string& path, const std::string& state_dir_override = "",
                         Checks checks = Checks::kFull);

inline constexpr const char* kDefaultConfigPath = "/etc/allowdrift/allowdrift.toml";

}  // namespace allowdrift::config
