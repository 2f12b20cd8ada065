// argv -> subcommand; nothing else lives here.
#include "cli/diff_command.h"
#include "cli/exit_code.h"

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: allowdrift [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "Watches the IP and domain allowlists that vendors publish and reports when the local firewall\n"
    "no longer matches them.\n"
    "\n"
    "commands:\n"
    "  diff PUBLISHED LOCAL   compare two list files: what is missing locally, what is stale\n"
    "\n"
    "'allowdrift COMMAND --help' describes a command.\n";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return allowdrift::cli::kExitBadInput;
  }
  const std::string_view command = args.front();
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return allowdrift::cli::kExitOk;
  }
  if (command == "--version" || command == "-V") {
    std::cout << "allowdrift " ALLOWDRIFT_VERSION "\n";
    return allowdrift::cli::kExitOk;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "diff") return allowdrift::cli::run_diff(rest);

  std::cerr << "allowdrift: unknown command '" << command << "'\n\n" << kUsage;
  return allowdrift::cli::kExitBadInput;
}
