#include "cli/store_report.h"

#include "alert/alert_render.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

namespace allowdrift::cli {
namespace {

namespace json = boost::json;

// Vendor-supplied text (reasons, tokens, error messages) must not drive the terminal: the alerts' escaper
// (alert/alert_render.h) writes controls, bidi overrides and invalid UTF-8 as visible escapes.
std::string printable(std::string_view text) { return alert::sanitize_text(text); }

bool has_content(const store::SnapshotInfo& s) { return s.status != store::SnapshotStatus::kRejected; }

// "accepted", or "rejected: <reason>".
std::string status_text(const store::SnapshotInfo& s) {
  std::string out(store::to_string(s.status));
  if (s.status != store::SnapshotStatus::kAccepted && !s.reason.empty()) out += ": " + printable(s.reason);
  return out;
}

struct Row {
  std::vector<std::string> cells;
  std::vector<std::string> details;  // lines printed under the row, indented
};

// Columns separated by two spaces, each as wide as its widest cell; no trailing blanks.
std::string render_table(const std::vector<Row>& rows, const std::vector<bool>& right_aligned,
                         std::size_t detail_indent) {
  std::vector<std::size_t> widths(right_aligned.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.cells.size(); ++i) widths[i] = std::max(widths[i], row.cells[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      if (i > 0) line += "  ";
      const std::string pad(widths[i] - row.cells[i].size(), ' ');
      line += right_aligned[i] ? pad + row.cells[i] : row.cells[i] + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + '\n';
    for (const auto& d : row.details) out += std::string(detail_indent, ' ') + d + '\n';
  }
  return out;
}

json::value optional_text(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return json::string(*v);
}

json::object json_snapshot(const store::SnapshotInfo& s) {
  const bool content = has_content(s);
  json::object o;
  o["id"] = s.id;
  o["fetched_at"] = format_utc(s.fetched_at);
  o["confirmed_at"] = format_utc(s.confirmed_at);
  o["status"] = store::to_string(s.status);
  o["reason"] = s.reason;
  // A rejected snapshot has no content: its counts are unknown, not zero.
  o["ips"] = content ? json::value(s.ip_count) : json::value(nullptr);
  o["domains"] = content ? json::value(s.domain_count) : json::value(nullptr);
  o["added"] = content ? json::value(s.added) : json::value(nullptr);
  o["removed"] = content ? json::value(s.removed) : json::value(nullptr);
  o["change_token"] = optional_text(s.change_token);
  o["final_url"] = optional_text(s.final_url);
  o["etag"] = optional_text(s.etag);
  o["last_modified"] = optional_text(s.last_modified);
  o["body_sha256"] = optional_text(s.body_sha256);
  o["content_sha256"] = content ? json::value(json::string(s.content_sha256)) : json::value(nullptr);
  return o;
}

json::value json_optional_snapshot(const std::optional<store::SnapshotInfo>& s) {
  if (!s) return nullptr;
  return json_snapshot(*s);
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// "snapshot 7 (2024-10-30T06:00:00Z)", with the status when it is not accepted.
std::string snapshot_ref(const store::SnapshotInfo& s) {
  std::string out = "snapshot " + std::to_string(s.id) + " (" + format_utc(s.fetched_at);
  if (s.status != store::SnapshotStatus::kAccepted) out += ", " + std::string(store::to_string(s.status));
  return out + ")";
}

}  // namespace

std::string format_utc(std::int64_t unix_ms) {
  // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the range ISO-8601 writes with four-digit years.
  constexpr std::int64_t kMin = -62167219200000;
  constexpr std::int64_t kMax = 253402300799999;
  if (unix_ms < kMin || unix_ms > kMax) return std::to_string(unix_ms) + " ms since the epoch";
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{unix_ms}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  std::array<char, 40> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  if (hms.subseconds().count() != 0)
    n += std::snprintf(buf.data() + n, buf.size() - static_cast<std::size_t>(n), ".%03d",
                       static_cast<int>(hms.subseconds().count()));
  return std::string(buf.data(), static_cast<std::size_t>(n)) + "Z";
}

std::string text_source_overview(const std::vector<SourceSummary>& sources) {
  if (sources.empty()) return "no sources in the database yet\n";
  std::vector<Row> rows{{{"SOURCE", "SNAPSHOTS", "LAST ACCEPTED", "CONFIRMED (UTC)", "LATEST"}, {}}};
  for (const auto& s : sources) {
    Row row;
    row.cells.push_back(printable(s.name));
    row.cells.push_back(std::to_string(s.snapshots));
    row.cells.push_back(s.last_accepted ? std::to_string(s.last_accepted->id) : "-");
    row.cells.push_back(s.last_accepted ? format_utc(s.last_accepted->confirmed_at) : "-");
    row.cells.push_back(s.latest ? status_text(*s.latest) : "-");
    rows.push_back(std::move(row));
  }
  return render_table(rows, {false, true, false, false, false}, 0);
}

std::string json_source_overview(const std::vector<SourceSummary>& sources) {
  json::array arr;
  for (const auto& s : sources) {
    arr.push_back(json::object{{"source", s.name},
                               {"snapshots", s.snapshots},
                               {"last_accepted", json_optional_snapshot(s.last_accepted)},
                               {"latest", json_optional_snapshot(s.latest)}});
  }
  return json::serialize(json::object{{"sources", std::move(arr)}}) + "\n";
}

std::string text_history(const SourceHistory& history) {
  const std::string name = printable(history.source);
  if (history.snapshots.empty()) return name + ": no snapshots yet\n";
  const auto shown = static_cast<std::int64_t>(history.snapshots.size());
  std::string out = name + ": ";
  if (shown < history.total) {
    out += "the newest " + std::to_string(shown) + " of " + std::to_string(history.total) +
           " snapshots (--limit 0 shows all)\n";
  } else {
    out += plural(history.total, "snapshot", "snapshots") + ", newest first\n";
  }

  std::vector<Row> rows{
      {{"ID", "FETCHED (UTC)", "CONFIRMED (UTC)", "STATUS", "IPS", "DOMAINS", "ADDED", "REMOVED"}, {}}};
  std::size_t id_width = 2;
  for (const auto& s : history.snapshots) {
    const bool content = has_content(s);
    Row row;
    row.cells = {std::to_string(s.id),
                 format_utc(s.fetched_at),
                 format_utc(s.confirmed_at),
                 std::string(store::to_string(s.status)),
                 content ? std::to_string(s.ip_count) : "-",
                 content ? std::to_string(s.domain_count) : "-",
                 content ? "+" + std::to_string(s.added) : "-",
                 content ? "-" + std::to_string(s.removed) : "-"};
    id_width = std::max(id_width, row.cells[0].size());
    if (s.status != store::SnapshotStatus::kAccepted && !s.reason.empty())
      row.details.push_back("reason: " + printable(s.reason));
    std::string meta;
    const auto add_meta = [&meta](std::string_view label, const std::optional<std::string>& value) {
      if (!value) return;
      if (!meta.empty()) meta += "  ";
      meta += std::string(label) + ": " + printable(*value);
    };
    add_meta("token", s.change_token);
    add_meta("etag", s.etag);
    add_meta("url", s.final_url);
    if (!meta.empty()) row.details.push_back(std::move(meta));
    rows.push_back(std::move(row));
  }
  return out + render_table(rows, {true, false, false, false, true, true, true, true}, id_width + 2);
}

std::string json_history(const SourceHistory& history) {
  json::array arr;
  for (const auto& s : history.snapshots) arr.push_back(json_snapshot(s));
  return json::serialize(
             json::object{{"source", history.source}, {"total", history.total}, {"snapshots", std::move(arr)}}) +
         "\n";
}

std::string text_changes(const ChangesReport& report) {
  std::size_t added = 0;
  std::size_t removed = 0;
  for (const auto& s : report.sections) {
    added += s.added.size();
    removed += s.removed.size();
  }
  std::string out = printable(report.source) + ": " + snapshot_ref(report.from) + " -> " + snapshot_ref(report.to) +
                    ": " + std::to_string(added) + " added, " + std::to_string(removed) + " removed\n";
  if (report.sections.empty()) return out + "  no changes\n";
  for (const auto& s : report.sections) {
    if (!s.section.empty())
      out += "section " + printable(s.section) + ": " + std::to_string(s.added.size()) + " added, " +
             std::to_string(s.removed.size()) + " removed\n";
    for (const auto& v : s.added) out += "  + " + printable(v) + '\n';
    for (const auto& v : s.removed) out += "  - " + printable(v) + '\n';
  }
  return out;
}

std::string json_changes(const ChangesReport& report) {
  json::array sections;
  for (const auto& s : report.sections) {
    json::array added(s.added.begin(), s.added.end());
    json::array removed(s.removed.begin(), s.removed.end());
    sections.push_back(
        json::object{{"section", s.section}, {"added", std::move(added)}, {"removed", std::move(removed)}});
  }
  return json::serialize(json::object{{"source", report.source},
                                      {"from", json_snapshot(report.from)},
                                      {"to", json_snapshot(report.to)},
                                      {"sections", std::move(sections)}}) +
         "\n";
}

std::string unknown_source_message(const std::string& source, const std::vector<std::string>& known) {
  std::string out = "unknown source '" + printable(source) + "'";
  if (known.empty()) return out + " (the database holds no source yet: has the daemon fetched anything?)";
  out += " (known: ";
  for (std::size_t i = 0; i < known.size(); ++i) out += (i > 0 ? ", " : "") + printable(known[i]);
  return out + ")";
}

}  // namespace allowdrift::cli
