#include "cli/history_command.h"

#include "cli/command_line.h"
#include "cli/default_paths.h"
#include "cli/exit_code.h"
#include "cli/store_report.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <utility>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "usage: allowdrift history [--db PATH] [--limit N] [--format text|json] [SOURCE]\n"
    "\n"
    "Without SOURCE, one line per source: its number of snapshots, the last accepted one and when it was last\n"
    "confirmed, and the status of the latest fetch. With SOURCE, its snapshots, newest first: when each was first\n"
    "fetched and last confirmed (UTC), status, IP and domain counts, entries added and removed, change token,\n"
    "etag and final URL.\n"
    "\n"
    "  --db PATH     state database, opened read-only (default /var/lib/allowdrift/state.db)\n"
    "  --limit N     with SOURCE, show the newest N snapshots (default 20; 0 shows all)\n"
    "  --format F    text (default) or json\n"
    "\n"
    "Exit status: 0 done, 2 bad usage or unknown source, 3 the state database cannot be read.\n";

constexpr std::int64_t kAll = std::numeric_limits<std::int64_t>::max();

// What the latest fetch found. Not simply the highest id: a fetch that brings back content already stored only
// moves that snapshot's confirmed_at, so an older row can be the current one.
std::optional<store::SnapshotInfo> latest_of(const std::vector<store::SnapshotInfo>& snapshots) {
  const auto it = std::max_element(snapshots.begin(), snapshots.end(), [](const auto& a, const auto& b) {
    return std::pair(a.confirmed_at, a.id) < std::pair(b.confirmed_at, b.id);
  });
  if (it == snapshots.end()) return std::nullopt;
  return *it;
}

}  // namespace

int run_history(const std::vector<std::string>& args) {
  std::string db_path = kDefaultStateDb;
  std::int64_t limit = 20;
  std::string format = "text";
  std::string source;

  po::options_description options("options");
  options.add_options()                                            //
      ("help,h", "show this help")                                 //
      ("db", po::value(&db_path), "state database")                //
      ("limit", po::value(&limit), "newest N snapshots (0: all)")  //
      ("format", po::value(&format), "text (default) or json")     //
      ("source", po::value(&source), "SOURCE");
  po::positional_options_description positional;
  positional.add("source", 1);

  po::variables_map vm;
  if (const auto done = parse_command_line("history", args, options, positional, kUsage, vm)) return *done;
  if (!valid_format("history", format)) return kExitBadInput;
  if (limit < 0) {
    std::cerr << "allowdrift history: --limit takes a count of snapshots (0 for all), not " << limit << '\n';
    return kExitBadInput;
  }
  const bool json = format == "json";

  std::string output;
  try {
    store::Database db = store::open_state_db_read_only(db_path);
    // One read transaction, so that every query below sees the same state while the daemon keeps writing.
    // Closing the connection ends it.
    db.exec("BEGIN");
    store::SnapshotStore snapshots(db);
    const std::vector<std::string> known = snapshots.sources();
    if (vm.count("source") == 0) {
      std::vector<SourceSummary> summaries;
      for (const auto& name : known) {
        const auto all = snapshots.history(name, kAll);
        summaries.push_back(
            {name, static_cast<std::int64_t>(all.size()), snapshots.last_accepted(name), latest_of(all)});
      }
      output = json ? json_source_overview(summaries) : text_source_overview(summaries);
    } else {
      if (std::find(known.begin(), known.end(), source) == known.end()) {
        std::cerr << "allowdrift history: " << unknown_source_message(source, known) << '\n';
        return kExitBadInput;
      }
      const auto all = snapshots.history(source, kAll);
      SourceHistory history{source, static_cast<std::int64_t>(all.size()), {}};
      const auto shown = limit == 0 ? all.size() : std::min(all.size(), static_cast<std::size_t>(limit));
      history.snapshots.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(shown));
      output = json ? json_history(history) : text_history(history);
    }
  } catch (const store::StoreFailure& e) {
    std::cerr << "allowdrift history: " << e.what() << '\n';
    return kExitStoreError;
  }

  return write_output("history", output);
}

}  // namespace allowdrift::cli
