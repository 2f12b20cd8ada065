#include "cli/accept_command.h"

#include "cli/command_line.h"
#include "cli/default_paths.h"
#include "cli/exit_code.h"
#include "cli/store_report.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "usage: allowdrift accept [--db PATH] SOURCE\n"
    "\n"
    "Accepts the newest list of SOURCE that was held back as suspect (it shrank or grew sharply, or its change\n"
    "token went backwards), as if it had passed the checks: from the next evaluation on, the checks compare\n"
    "with it. Prints what it adds and removes against the list accepted so far. The daemon may keep running.\n"
    "\n"
    "  --db PATH     state database (default /var/lib/allowdrift/state.db)\n"
    "\n"
    "Exit status: 0 accepted, 1 nothing held back for SOURCE, 2 bad usage or unknown source, 3 the state\n"
    "database cannot be written.\n";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int run_accept(const std::vector<std::string>& args) {
  std::string db_path = kDefaultStateDb;
  std::string source;
  po::options_description options("options");
  options.add_options()                              //
      ("help,h", "show this help")                   //
      ("db", po::value(&db_path), "state database")  //
      ("source", po::value(&source), "SOURCE");
  po::positional_options_description positional;
  positional.add("source", 1);
  po::variables_map vm;
  if (const auto done = parse_command_line("accept", args, options, positional, kUsage, vm)) return *done;
  if (source.empty()) {
    std::cerr << "allowdrift accept: which source? (allowdrift history lists them)\n\n" << kUsage;
    return kExitBadInput;
  }

  std::string output;
  try {
    store::Database db = store::open_state_db(db_path);
    store::SnapshotStore snapshots(db);
    const auto known = snapshots.sources();
    if (std::find(known.begin(), known.end(), source) == known.end()) {
      std::cerr << "allowdrift accept: " << unknown_source_message(source, known) << '\n';
      return kExitBadInput;
    }
    store::Transaction tx(db);
    const auto last = snapshots.last_accepted(source);
    // The newest snapshot with content (a rejected fetch after it holds none): is it a held-back one?
    std::optional<store::SnapshotInfo> held;
    for (const auto& s : snapshots.history(source, std::numeric_limits<std::int64_t>::max())) {
      if (s.status == store::SnapshotStatus::kRejected) continue;
      if (s.status == store::SnapshotStatus::kSuspect && (!last || s.id > last->id)) held = s;
      break;
    }
    if (!held) {
      std::cout << "allowdrift accept: " << source << " has no list held back"
                << (last ? " (snapshot " + std::to_string(last->id) + " is the accepted one)" : "") << '\n';
      return kExitDrift;
    }
    const std::string why = held->reason.empty() ? "" : ": " + held->reason;
    snapshots.accept_suspect(held->id, "accepted by an administrator (allowdrift accept) at " + format_utc(now_ms()) +
                                           "; held back as suspect" + why);
    tx.commit();
    output = "accepted snapshot " + std::to_string(held->id) + " of " + source + ", first fetched " +
             format_utc(held->fetched_at) + ", held back as suspect" + why + "\n";
    if (last) {
      for (const auto& c : snapshots.changes(last->id, held->id)) {
        const std::string section = c.section.empty() ? "" : c.section + ": ";
        for (const auto& a : c.added) output += "  + " + section + a + "\n";
        for (const auto& r : c.removed) output += "  - " + section + r + "\n";
      }
    }
  } catch (const store::StoreFailure& e) {
    std::cerr << "allowdrift accept: " << e.what() << '\n';
    return kExitStoreError;
  }
  return write_output("accept", output);
}

}  // namespace allowdrift::cli
