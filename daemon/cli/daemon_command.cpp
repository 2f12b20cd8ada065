#include "cli/daemon_command.h"

#include "app/daemon.h"
#include "cli/command_line.h"
#include "cli/once_command.h"
#include "config/config_loader.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/program_options.hpp>

#include <cstdlib>

namespace allowdrift::cli {

int run_daemon_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  app::DaemonOptions options;
  options.config_path = config::kDefaultConfigPath;
  po::options_description desc("options");
  desc.add_options()                                                     //
      ("help,h", "show this help")                                       //
      ("config", po::value(&options.config_path), "configuration file")  //
      ("state-dir", po::value(&options.state_dir), "state directory");
  po::variables_map vm;
  const char* usage =
      "usage: allowdrift daemon [--config PATH] [--state-dir DIR]\n\n"
      "Runs the service in the foreground: sources on their timers, targets on their change signals, alerts on\n"
      "every change. SIGHUP reloads the configuration (a bad one is refused and the old one keeps running);\n"
      "SIGTERM or SIGINT stop. Logs go to stderr (journald under systemd).\n"
      "Exit status: 0 stopped by a signal, 78 invalid configuration, 1 the state directory is unusable.\n";
  if (const auto done = parse_command_line("daemon", args, desc, {}, usage, vm)) return *done == 0 ? 0 : kExitConfig;
  // journald timestamps each line itself; a terminal gets them from spdlog.
  auto logger = spdlog::stderr_logger_mt("allowdrift");
  logger->set_pattern(std::getenv("JOURNAL_STREAM") != nullptr ? "%l %v" : "%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_default_logger(logger);
  return app::run_daemon(options);
}

}  // namespace allowdrift::cli
