#include "app/once_report.h"

#include "alert/alert_render.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace allowdrift::app {
namespace {

namespace json = boost::json;

// Vendor-supplied text (reasons, tokens, error messages) must not drive the terminal: the alerts' escaper
// (alert/alert_render.h) writes controls, bidi overrides and invalid UTF-8 as visible escapes.
std::string printable(std::string_view text) { return alert::sanitize_text(text); }

std::string iso_time(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::string age_text(std::int64_t ms) {
  const auto s = ms / 1000;
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c); });
  return out;
}

std::vector<std::string> domains(const std::vector<model::DomainPattern>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.to_string());
  return out;
}

// JSON must stay valid UTF-8 whatever a vendor's server sent: free text goes through the same escaper.
json::array printable_strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(printable(s));
  return a;
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

void list_block(std::string& out, std::string_view title, const std::vector<std::string>& items) {
  if (items.empty()) return;
  out += "  " + std::string(title) + " (" + std::to_string(items.size()) + "):\n";
  for (const auto& i : items) out += "    " + i + "\n";
}

json::object check_object(const diff::CheckResult& c) {
  json::array sources;
  for (const auto& s : c.sources) {
    json::object o{{"name", s.name}, {"data_stale", s.data_stale}, {"problem", printable(s.problem)}};
    if (s.snapshot_id) {
      o["snapshot_id"] = *s.snapshot_id;
      o["age_seconds"] = s.age_ms / 1000;
    } else {
      o["snapshot_id"] = nullptr;
      o["age_seconds"] = nullptr;
    }
    sources.push_back(std::move(o));
  }
  return json::object{{"name", c.name},
                      {"status", diff::to_string(c.status)},
                      {"target", c.target},
                      {"missing", strings(c.missing_ips.to_cidr_strings())},
                      {"stale", strings(c.stale_ips.to_cidr_strings())},
                      {"missing_domains", strings(domains(c.missing_domains))},
                      {"stale_domains", strings(domains(c.stale_domains))},
                      {"broad", strings(c.broad_ips.to_cidr_strings())},
                      {"notes", printable_strings(c.notes)},
                      {"sources", std::move(sources)}};
}

}  // namespace

std::string check_json(const diff::CheckResult& check) { return json::serialize(check_object(check)); }

int exit_status(diff::CheckStatus status) {
  switch (status) {
    case diff::CheckStatus::kOk:
      return 0;
    case diff::CheckStatus::kWarning:
      return 1;
    case diff::CheckStatus::kCritical:
      return 2;
    case diff::CheckStatus::kUnknown:
      return 3;
  }
  return 3;
}

std::string text_report(const CycleReport& report) {
  std::string out = "allowdrift: " + upper(diff::to_string(report.status)) + " at " + iso_time(report.at_ms) + "\n";
  out += "\nsources:\n";
  for (const auto& r : report.refreshes) {
    out += "  " + r.source + ": " + std::string(to_string(r.kind));
    if (!r.error_kind.empty()) out += " (" + r.error_kind + ")";
    if (r.kind == RefreshKind::kChanged) {
      out += " +" + std::to_string(r.added.size()) + " -" + std::to_string(r.removed.size());
    }
    if (!r.message.empty() && r.kind != RefreshKind::kUnchanged) out += ": " + printable(r.message);
    out += "\n";
  }
  for (const auto& s : report.skipped) out += "  " + s + ": not fetched: the run's deadline passed\n";
  out += "\ntargets:\n";
  for (const auto& t : report.targets) {
    out += "  " + t.name + " (" + t.spec + "): ";
    if (t.allowlist) {
      out += std::to_string(t.allowlist->ips.cidr_count()) + " prefixes, " +
             std::to_string(t.allowlist->list.domains.size()) + " domains\n";
    } else {
      out += "UNREADABLE (" + t.error_kind + "): " + printable(t.error) + "\n";
    }
  }
  for (const auto& c : report.checks) {
    out += "\ncheck " + c.name + ": " + upper(diff::to_string(c.status)) + " (target " + c.target + "; sources";
    for (const auto& s : c.sources) {
      out += " " + s.name;
      if (s.snapshot_id) out += "@" + std::to_string(*s.snapshot_id) + " age " + age_text(s.age_ms);
    }
    out += ")\n";
    list_block(out, "missing, published but not allowed", c.missing_ips.to_cidr_strings());
    list_block(out, "missing domains", domains(c.missing_domains));
    list_block(out, "stale, allowed but no longer published", c.stale_ips.to_cidr_strings());
    list_block(out, "stale domains", domains(c.stale_domains));
    list_block(out, "allowed only through a broad rule", c.broad_ips.to_cidr_strings());
    for (const auto& n : c.notes) out += "  note: " + printable(n) + "\n";
    if (c.status == diff::CheckStatus::kOk && !c.drifting()) out += "  in sync\n";
  }
  return out;
}

std::string json_report(const CycleReport& report) {
  json::array checks;
  for (const auto& c : report.checks) checks.push_back(check_object(c));
  json::array sources;
  for (const auto& r : report.refreshes) {
    json::object o{{"name", r.source},           {"outcome", to_string(r.kind)},
                   {"error_kind", r.error_kind}, {"message", printable(r.message)},
                   {"added", strings(r.added)},  {"removed", strings(r.removed)}};
    if (r.snapshot_id) {
      o["snapshot_id"] = *r.snapshot_id;
    } else {
      o["snapshot_id"] = nullptr;
    }
    sources.push_back(std::move(o));
  }
  for (const auto& s : report.skipped) {
    sources.push_back(json::object{{"name", s},
                                   {"outcome", "skipped"},
                                   {"error_kind", "deadline"},
                                   {"message", "the run's deadline passed"},
                                   {"snapshot_id", nullptr}});
  }
  json::array targets;
  for (const auto& t : report.targets) {
    json::object o{{"name", t.name},
                   {"spec", t.spec},
                   {"readable", t.allowlist.has_value()},
                   {"error_kind", t.error_kind},
                   {"error", printable(t.error)}};
    o["ips"] = t.allowlist ? json::value(strings(t.allowlist->ips.to_cidr_strings())) : json::value(nullptr);
    o["domains"] = t.allowlist ? json::value(strings(domains(t.allowlist->domains.patterns()))) : json::value(nullptr);
    targets.push_back(std::move(o));
  }
  return json::serialize(json::object{{"status", diff::to_string(report.status)},
                                      {"checked_at", iso_time(report.at_ms)},
                                      {"checks", std::move(checks)},
                                      {"sources", std::move(sources)},
                                      {"targets", std::move(targets)}}) +
         "\n";
}

}  // namespace allowdrift::app
