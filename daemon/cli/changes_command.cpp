#include "cli/changes_command.h"

#include "cli/command_line.h"
#include "cli/default_paths.h"
#include "cli/exit_code.h"
#include "cli/store_report.h"
#include "model/ip_address.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"

#include <boost/program_options.hpp>
#include <boost/system/result.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "usage: allowdrift changes [--db PATH] [--format text|json] SOURCE [FROM] [TO]\n"
    "\n"
    "The entries SOURCE added and removed between snapshots FROM and TO (ids, as 'allowdrift history SOURCE'\n"
    "shows them), per section. IPs compare as address sets: a /12 replaced by a /13 and a /14 shows the\n"
    "remaining /14 as removed and nothing as added.\n"
    "\n"
    "  TO            default: the last accepted snapshot\n"
    "  FROM          default: the accepted snapshot before TO\n"
    "  --db PATH     state database, opened read-only (default /var/lib/allowdrift/state.db)\n"
    "  --format F    text (default) or json\n"
    "\n"
    "Exit status: 0 done (whether or not anything changed), 2 bad usage, unknown source, or a snapshot that is\n"
    "unknown, of another source or rejected; 3 the state database cannot be read.\n";

// An argument error found while looking at the database: reported with exit status 2.
using Lookup = boost::system::result<store::SnapshotInfo, std::string>;

Lookup lookup_error(std::string message) { return Lookup(boost::system::in_place_error, std::move(message)); }

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (ec != std::errc() || ptr != end || id <= 0) return std::nullopt;
  return id;
}

// FROM or TO as given: a snapshot of `source` that has content (accepted or suspect).
Lookup given_snapshot(store::SnapshotStore& snapshots, const std::string& source, std::string_view what,
                      const std::string& arg) {
  const auto id = parse_id(arg);
  if (!id)
    return lookup_error(std::string(what) + " " + model::quote_token(arg) +
                        " is not a snapshot id (a positive number, as 'allowdrift history SOURCE' shows)");
  auto info = snapshots.snapshot(*id);
  const std::string name = "snapshot " + std::to_string(*id);
  if (!info) return lookup_error("no " + name + " in the database");
  if (info->source != source)
    return lookup_error(name + " belongs to source " + model::quote_token(info->source) + ", not " +
                        model::quote_token(source));
  if (info->status == store::SnapshotStatus::kRejected)
    return lookup_error(name + " of " + model::quote_token(source) + " was rejected (" +
                        model::quote_token(info->reason) + ") and has no content to compare");
  return *std::move(info);
}

Lookup default_to(store::SnapshotStore& snapshots, const std::string& source) {
  auto last = snapshots.last_accepted(source);
  if (!last) return lookup_error("source " + model::quote_token(source) + " has no accepted snapshot yet");
  return *std::move(last);
}

Lookup default_from(store::SnapshotStore& snapshots, const std::string& source, const store::SnapshotInfo& to) {
  const auto all = snapshots.history(source, std::numeric_limits<std::int64_t>::max());  // newest first
  const auto it = std::find_if(all.begin(), all.end(), [&to](const store::SnapshotInfo& s) {
    return s.id < to.id && s.status == store::SnapshotStatus::kAccepted;
  });
  if (it == all.end())
    return lookup_error("snapshot " + std::to_string(to.id) + " is the first accepted snapshot of " +
                        model::quote_token(source) + ": there is nothing before it to compare with");
  return *it;
}

}  // namespace

int run_changes(const std::vector<std::string>& args) {
  std::string db_path = kDefaultStateDb;
  std::string format = "text";
  std::string source;
  std::string from_arg;
  std::string to_arg;

  po::options_description options("options");
  options.add_options()                                         //
      ("help,h", "show this help")                              //
      ("db", po::value(&db_path), "state database")             //
      ("format", po::value(&format), "text (default) or json")  //
      ("source", po::value(&source), "SOURCE")                  //
      ("from", po::value(&from_arg), "FROM")                    //
      ("to", po::value(&to_arg), "TO");
  po::positional_options_description positional;
  positional.add("source", 1).add("from", 1).add("to", 1);

  po::variables_map vm;
  if (const auto done = parse_command_line("changes", args, options, positional, kUsage, vm)) return *done;
  if (vm.count("source") == 0) {
    std::cerr << "allowdrift changes: expected a SOURCE\n\n" << kUsage;
    return kExitBadInput;
  }
  if (!valid_format("changes", format)) return kExitBadInput;

  const auto bad_argument = [](const std::string& message) {
    std::cerr << "allowdrift changes: " << message << '\n';
    return kExitBadInput;
  };
  std::string output;
  try {
    store::Database db = store::open_state_db_read_only(db_path);
    // One read transaction: the snapshots checked here are the ones compared, even if the daemon prunes meanwhile.
    // Closing the connection ends it.
    db.exec("BEGIN");
    store::SnapshotStore snapshots(db);
    const std::vector<std::string> known = snapshots.sources();
    if (std::find(known.begin(), known.end(), source) == known.end())
      return bad_argument(unknown_source_message(source, known));
    // FROM is checked first, in the order the arguments were given; its default depends on TO.
    const bool has_from = vm.count("from") != 0;
    Lookup from = has_from ? given_snapshot(snapshots, source, "FROM", from_arg) : lookup_error("");
    if (has_from && !from) return bad_argument(from.error());
    const Lookup to = vm.count("to") != 0 ? given_snapshot(snapshots, source, "TO", to_arg)  //
                                          : default_to(snapshots, source);
    if (!to) return bad_argument(to.error());
    if (!has_from) from = default_from(snapshots, source, *to);
    if (!from) return bad_argument(from.error());
    const ChangesReport report{source, *from, *to, snapshots.changes(from->id, to->id)};
    output = format == "json" ? json_changes(report) : text_changes(report);
  } catch (const store::StoreFailure& e) {
    std::cerr << "allowdrift changes: " << e.what() << '\n';
    return kExitStoreError;
  }

  return write_output("changes", output);
}

}  // namespace allowdrift::cli
