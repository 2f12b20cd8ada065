#include "cli/once_command.h"

#include "app/check_cycle.h"
#include "app/make_channels.h"
#include "app/once_report.h"
#include "app/retention.h"
#include "app/state_dir.h"
#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "config/config_loader.h"
#include "net/https_fetcher.h"
#include "store/alert_store.h"
#include "store/state_db.h"
#include "sys/child_process.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/program_options.hpp>

#include <malloc.h>
#include <openssl/crypto.h>

#include <iostream>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kOnceUsage =
    "usage: allowdrift --once [--config PATH] [--state-dir DIR] [--format text|json]\n"
    "\n"
    "Fetches every source (conditional GET keeps that cheap), reads every target, compares them and\n"
    "prints a report; alerts go out through the configured channels, once per change.\n"
    "\n"
    "  --config PATH     configuration file (default /etc/allowdrift/allowdrift.toml)\n"
    "  --state-dir DIR   where the state database lives (overrides state_dir)\n"
    "  --format F        text (default) or json (documented in the README)\n"
    "\n"
    "Exit status (monitoring-plugin convention): 0 in sync, 1 warning, 2 critical, 3 unknown: a source\n"
    "or target could not be read, the configuration is invalid, or another run holds the state lock.\n";

constexpr int kUnknown = 3;

void print_errors(std::string_view command, const config::ConfigErrors& errors) {
  for (const auto& m : errors.messages) std::cerr << "allowdrift " << command << ": " << m << '\n';
}

}  // namespace

int run_check_config(const std::vector<std::string>& args) {
  std::string path = config::kDefaultConfigPath;
  po::options_description options("options");
  options.add_options()("help,h", "show this help")("config", po::value(&path), "configuration file");
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  const char* usage =
      "usage: allowdrift check-config [--config] [PATH]\n\nValidates the configuration (the same code as start-up "
      "and reload).\nExit status: 0 valid, 78 invalid (each problem printed as FILE:LINE: message).\n";
  if (const auto done = parse_command_line("check-config", args, options, positional, usage, vm)) {
    return *done == kExitOk ? kExitOk : kExitConfig;
  }
  const auto loaded = config::load_config(path);
  if (!loaded) {
    print_errors("check-config", loaded.error());
    return kExitConfig;
  }
  // The channels are built as at start-up, so an unreadable url_file or a bad facility fails here too.
  if (auto channels = app::make_channels(*loaded); !channels) {
    std::cerr << "allowdrift check-config: " << channels.error() << '\n';
    return kExitConfig;
  }
  std::cout << path << ": ok: " << loaded->sources.size() << " sources, " << loaded->targets.size() << " targets, "
            << loaded->checks.size() << " checks, " << loaded->alerts.size() << " alert channels\n";
  return kExitOk;
}

int run_once(const std::vector<std::string>& args) {
  std::string path = config::kDefaultConfigPath;
  std::string state_dir;
  std::string format = "text";
  po::options_description options("options");
  options.add_options()                                        //
      ("help,h", "show this help")                             //
      ("config", po::value(&path), "configuration file")       //
      ("state-dir", po::value(&state_dir), "state directory")  //
      ("format", po::value(&format), "text (default) or json");
  po::variables_map vm;
  if (const auto done = parse_command_line("--once", args, options, {}, kOnceUsage, vm)) {
    return *done == kExitOk ? kExitOk : kUnknown;
  }
  if (!valid_format("--once", format)) return kUnknown;
  // A run that exits in milliseconds: what it frees is kept for its next allocations instead of being unmapped
  // (a list's body over the mmap threshold) or trimmed, and faulted in again a moment later. One arena, as in the
  // daemon: the store and target-reading threads then reuse the main heap instead of faulting in heaps of their
  // own (measured: two arenas were slower, not faster).
  ::mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  ::mallopt(M_ARENA_MAX, 1);
  // Nor is OpenSSL's state freed at exit, one allocation at a time (OPENSSL_INIT_NO_ATEXIT): about 0.5 ms of a
  // process that ends a moment later.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
  auto loaded = config::load_config(path, state_dir, config::Checks::kQuick);
  if (!loaded) {
    print_errors("--once", loaded.error());
    return kUnknown;
  }
  auto& config = *loaded;

  auto lock = app::StateDirectory::acquire(config.state_dir);
  if (!lock) {
    std::cerr << "allowdrift --once: " << lock.error() << '\n';
    return kUnknown;
  }
  try {
    auto db = store::open_state_db(lock->database_path());
    store::SnapshotStore snapshots(db);
    store::AlertStore records(db);
    store::DriftLog drift_log(db);
    store::ReadingLog readings(db);
    auto channels = app::make_channels(config);
    if (!channels) {
      std::cerr << "allowdrift --once: " << channels.error() << '\n';
      return kUnknown;
    }
    app::Alerter alerter(records, *channels, config.reminder,
                         [](const std::string& line) { std::cerr << "allowdrift: " << line << '\n'; });

    boost::asio::io_context io;
    // The sources' parsing and storing, one at a time, on a thread of their own: this one is left to the network
    // (the TLS of every fetch), which keeps the second core busy instead of idle.
    boost::asio::thread_pool store_thread(1);
    net::HttpsFetcher fetcher;
    std::optional<app::CycleReport> report;
    std::exception_ptr failure;
    const auto deadline = std::chrono::steady_clock::now() + config.once_deadline;
    boost::asio::co_spawn(io,
                          app::run_cycle(config, {fetcher, snapshots, config.proxy, store_thread.get_executor()},
                                         alerter, {drift_log, readings}, deadline),
                          [&](std::exception_ptr e, app::CycleReport r) {
                            failure = e;
                            report = std::move(r);
                          });
    io.run();
    store_thread.join();  // idle already: every refresh was awaited
    // A firewall tool still running for a target the run stopped waiting for would outlive the thread that
    // enforces its timeout.
    sys::end_running_processes(std::chrono::milliseconds(500));
    if (failure) std::rethrow_exception(failure);
    const auto out = format == "json" ? app::json_report(*report) : app::text_report(*report);
    if (write_output("--once", out) != kExitOk) return kUnknown;
    // After the report: a failed clean-up is worth a warning, not the run's result.
    try {
      app::apply_retention(config, snapshots, readings, drift_log, app::unix_ms_now());
    } catch (const std::exception& e) {
      std::cerr << "allowdrift --once: warning: retention: " << e.what() << '\n';
    }
    return app::exit_status(report->status);
  } catch (const std::exception& e) {
    std::cerr << "allowdrift --once: " << e.what() << '\n';
    return kUnknown;
  }
}

}  // namespace allowdrift::cli
