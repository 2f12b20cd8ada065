// argv -> subcommand; nothing else lives here.
#include "cli/accept_command.h"
#include "cli/allowlist_command.h"
#include "cli/changes_command.h"
#include "cli/daemon_command.h"
#include "cli/diff_command.h"
#include "cli/exit_code.h"
#include "cli/extract_command.h"
#include "cli/fetch_command.h"
#include "cli/fetch_worker_command.h"
#include "cli/history_command.h"
#include "cli/once_command.h"
#include "cli/status_command.h"

#include <algorithm>
#include <exception>
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
    "  daemon [--config PATH]        run the service in the foreground (what systemd runs)\n"
    "  --once [--config PATH]        fetch, read, compare once; exit 0 ok, 1 warning, 2 critical, 3 unknown\n"
    "  status [--config PATH]        the last known state of every check, source and target (no fetching)\n"
    "  check-config [PATH]           validate the configuration (exit 0, or 78 with FILE:LINE errors)\n"
    "  diff PUBLISHED LOCAL          compare two list files: what is missing locally, what is stale\n"
    "  history [SOURCE]              the snapshots the daemon recorded, per source or of one source\n"
    "  changes SOURCE [FROM] [TO]    the entries a source added and removed between two snapshots\n"
    "  accept SOURCE                 accept a list held back as suspect, now\n"
    "  fetch URL                     fetch an https URL with the daemon's client and show what came back\n"
    "  extract PRESET                what a vendor's published list yields (presets, selectors, guards)\n"
    "  allowlist SPEC                what a local allowlist target allows (nft, iptables, ipset, files...)\n"
    "\n"
    "'allowdrift COMMAND --help' describes a command.\n";

}  // namespace

namespace {

int dispatch(const std::vector<std::string>& args);

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "allowdrift: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "allowdrift: internal error\n";
  }
  return allowdrift::cli::kExitInternal;
}

namespace {

int dispatch(const std::vector<std::string>& args) {
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
  if (command == "history") return allowdrift::cli::run_history(rest);
  if (command == "changes") return allowdrift::cli::run_changes(rest);
  if (command == "accept") return allowdrift::cli::run_accept(rest);
  if (command == "fetch") return allowdrift::cli::run_fetch(rest);
  if (command == "fetch-worker") return allowdrift::cli::run_fetch_worker(rest);  // the daemon's, not in the usage
  if (command == "extract") return allowdrift::cli::run_extract(rest);
  if (command == "allowlist") return allowdrift::cli::run_allowlist(rest);
  if (command == "--once" || command == "once") return allowdrift::cli::run_once(rest);
  if (command == "daemon") return allowdrift::cli::run_daemon_command(rest);
  if (command == "status") return allowdrift::cli::run_status(rest);
  // The service is the default mode: `allowdrift --config PATH` runs it like `allowdrift daemon --config PATH`.
  // Unless --once comes after the options (`allowdrift --config PATH --once`, as cron lines get written): that
  // is the one-shot check, whose exit status monitoring reads, not a daemon refusing an unknown option with 78.
  if (command.rfind("--config", 0) == 0 || command.rfind("--state-dir", 0) == 0) {
    if (const auto once = std::find(args.begin(), args.end(), "--once"); once != args.end()) {
      std::vector<std::string> options(args.begin(), once);
      options.insert(options.end(), once + 1, args.end());
      return allowdrift::cli::run_once(options);
    }
    return allowdrift::cli::run_daemon_command(args);
  }
  if (command == "check-config") return allowdrift::cli::run_check_config(rest);

  std::cerr << "allowdrift: unknown command '" << command << "'\n\n" << kUsage;
  return allowdrift::cli::kExitBadInput;
}

}  // namespace
