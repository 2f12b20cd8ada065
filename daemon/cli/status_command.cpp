#include "cli/status_command.h"

#include "app/check_cycle.h"
#include "app/once_report.h"
#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "config/config_loader.h"
#include "store/alert_store.h"
#include "store/drift_log.h"
#include "store/state_db.h"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <filesystem>
#include <iostream>

namespace allowdrift::cli {
namespace {

namespace json = boost::json;

std::string age(std::int64_t then_ms, std::int64_t now_ms) {
  const auto s = std::max<std::int64_t>(0, now_ms - then_ms) / 1000;
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  if (s < 172800) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

}  // namespace

int run_status(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
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
  const char* usage =
      "usage: allowdrift status [--config PATH] [--state-dir DIR] [--format text|json]\n\n"
      "The last known state of every check, source and target, from the state database; nothing is fetched.\n"
      "Exit status: 0 shown, 2 bad usage or configuration, 3 the state database cannot be read.\n";
  if (const auto done = parse_command_line("status", args, options, {}, usage, vm)) return *done;
  if (!valid_format("status", format)) return kExitBadInput;
  const auto loaded = config::load_config(path, state_dir);
  if (!loaded) {
    for (const auto& m : loaded.error().messages) std::cerr << "allowdrift status: " << m << '\n';
    return kExitBadInput;
  }
  const auto db_path = std::filesystem::path(loaded->state_dir) / "state.db";
  try {
    auto db = store::open_state_db_read_only(db_path);
    store::SnapshotStore snapshots(db);
    store::AlertStore records(db);
    store::DriftLog drifts(db);
    const auto now = app::unix_ms_now();
    std::string text;
    json::array checks_json, sources_json, targets_json;
    text += "checks:\n";
    for (const auto& c : loaded->checks) {
      const auto last = drifts.latest(c.name);
      const auto record = records.load("check:" + c.name);
      if (!last) {
        text += "  " + c.name + ": never evaluated\n";
        checks_json.push_back(json::object{{"name", c.name}, {"evaluated_at", nullptr}});
        continue;
      }
      auto detail = json::parse(last->detail);
      const std::string status(detail.at("status").as_string());
      text += "  " + c.name + ": " + status + ", " + std::to_string(last->missing_count) + " missing, " +
              std::to_string(last->stale_count) + " stale (evaluated " + age(last->at, now) + ")";
      if (record && record->open) text += ", drift alerted since " + age(record->since_ms, now);
      text += "\n";
      detail.as_object()["evaluated_at_ms"] = last->at;
      detail.as_object()["alert_open"] = record && record->open;
      checks_json.push_back(std::move(detail));
    }
    text += "sources:\n";
    for (const auto& s : loaded->sources) {
      const auto last = snapshots.last_accepted(s.name);
      const auto attempts = snapshots.fetch_history(s.name, 1);
      const int failures = app::consecutive_failures(snapshots, s.name);
      text += "  " + s.name + ": ";
      json::object o{{"name", s.name}, {"consecutive_failures", failures}};
      if (last) {
        text += "list #" + std::to_string(last->id) + " (" + std::to_string(last->ip_count) + " prefixes, " +
                std::to_string(last->domain_count) + " domains) confirmed " + age(last->confirmed_at, now);
        o["snapshot_id"] = last->id;
        o["confirmed_at_ms"] = last->confirmed_at;
      } else {
        text += "no accepted list";
        o["snapshot_id"] = nullptr;
      }
      if (!attempts.empty()) {
        const auto& a = attempts.front();
        text += "; last fetch " + a.outcome + (a.error_kind.empty() ? "" : " (" + a.error_kind + ")") + " " +
                age(a.at, now);
        o["last_fetch"] =
            json::object{{"at_ms", a.at}, {"outcome", a.outcome}, {"error_kind", a.error_kind}, {"message", a.message}};
      }
      if (failures > 0) text += ", " + std::to_string(failures) + " failures in a row";
      text += "\n";
      sources_json.push_back(std::move(o));
    }
    text += "targets:\n";
    for (const auto& t : loaded->targets) {
      const auto record = records.load("target:" + t.name);
      const bool unreadable = record && record->open;
      text += "  " + t.name + " (" + t.spec.text +
              "): " + (unreadable ? "unreadable since " + age(record->since_ms, now) : std::string("readable")) + "\n";
      targets_json.push_back(json::object{{"name", t.name}, {"spec", t.spec.text}, {"unreadable", unreadable}});
    }
    const auto out = format == "json" ? json::serialize(json::object{{"checks", std::move(checks_json)},
                                                                     {"sources", std::move(sources_json)},
                                                                     {"targets", std::move(targets_json)}}) +
                                            "\n"
                                      : text;
    return write_output("status", out);
  } catch (const std::exception& e) {
    std::cerr << "allowdrift status: " << e.what() << '\n';
    return kExitStoreError;
  }
}

}  // namespace allowdrift::cli
