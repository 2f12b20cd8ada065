// What every subcommand does the same way: parse its options, check --format, write its output.
#pragma once

#include <boost/program_options.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::cli {

// Parses `args` into `vm`. Returns the exit status to end with when the command must stop here (a usage error,
// printed with `usage`; or --help, which prints `usage` to stdout), or nullopt to go on. Expects a "help" option.
std::optional<int> parse_command_line(std::string_view command, const std::vector<std::string>& args,
                                      const boost::program_options::options_description& options,
                                      const boost::program_options::positional_options_description& positional,
                                      std::string_view usage, boost::program_options::variables_map& vm);

// True for "text" and "json"; otherwise prints why to stderr.
bool valid_format(std::string_view command, const std::string& format);

// Writes `text` to stdout and flushes. Returns kExitOk, or kExitBadInput (with a message) when the write failed.
int write_output(std::string_view command, std::string_view text);

}  // namespace allowdrift::cli
