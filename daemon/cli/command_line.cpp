#include "cli/command_line.h"

#include "cli/exit_code.h"

#include <cstdio>
#include <iostream>

namespace allowdrift::cli {

namespace po = boost::program_options;

std::optional<int> parse_command_line(std::string_view command, const std::vector<std::string>& args,
                                      const po::options_description& options,
                                      const po::positional_options_description& positional, std::string_view usage,
                                      po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "allowdrift " << command << ": " << e.what() << "\n\n" << usage;
    return kExitBadInput;
  }
  if (vm.count("help") != 0) {
    std::cout << usage;
    return kExitOk;
  }
  return std::nullopt;
}

bool valid_format(std::string_view command, const std::string& format) {
  if (format == "text" || format == "json") return true;
  std::cerr << "allowdrift " << command << ": --format takes 'text' or 'json', not '" << format << "'\n";
  return false;
}

int write_output(std::string_view command, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::cerr << "allowdrift " << command << ": cannot write the output\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace allowdrift::cli
