#include "app/check_cycle.h"

#include "app/once_report.h"
#include "model/ip_entry.h"

#include <set>

namespace allowdrift::app {
namespace {

// The union of a snapshot's sections.
void add_content(const std::vector<store::SectionContent>& sections, model::IpSet& ips, model::DomainSet& domains) {
  for (const auto& s : sections) {
    ips = ips.unite(s.ips);
    for (const auto& d : s.domains) domains.add(d);
  }
}

}  // namespace

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TargetState read_target(const config::TargetConfig& target) {
  TargetState state;
  state.name = target.name;
  state.spec = target.spec.text;
  firewall::ReaderOptions options;
  options.tool_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(target.timeout);
  auto reader = firewall::make_reader(target.spec, options);
  auto list = reader->read();
  if (list) {
    state.allowlist = std::move(*list);
  } else {
    state.error_kind = firewall::to_string(list.error().kind);
    state.error = list.error().message;
  }
  return state;
}

int consecutive_failures(store::SnapshotStore& store, const std::string& source) {
  int n = 0;
  for (const auto& attempt : store.fetch_history(source, 1000)) {
    if (attempt.outcome != "failed") break;
    ++n;
  }
  return n;
}

diff::CheckResult evaluate(const config::Config& config, const config::CheckConfig& check, store::SnapshotStore& store,
                           const std::map<std::string, TargetState>& targets,
                           const std::map<std::string, RefreshOutcome>& refreshes, std::int64_t now_ms) {
  diff::CheckPolicy policy;
  policy.name = check.name;
  policy.report_missing = check.report_missing;
  policy.report_stale = check.report_stale;
  policy.stale_only_published = check.stale_scope == config::StaleScope::kPublished;
  policy.missing_severity = check.missing_severity;
  policy.stale_severity = check.stale_severity;
  policy.broad_v4 = check.broad_v4;
  policy.broad_v6 = check.broad_v6;

  std::vector<diff::PublishedSource> sources;
  for (const auto& name : check.sources) {
    const auto* source = config.find_source(name);
    diff::PublishedSource p;
    p.name = name;
    p.max_age_ms = source != nullptr ? source->fetch.max_age.count() * 1000 : 0;
    if (const auto it = refreshes.find(name); it != refreshes.end()) {
      const auto& o = it->second;
      if (o.failed()) p.last_fetch_problem = std::string(to_string(o.kind)) + ": " + o.message;
      if (o.kind == RefreshKind::kSuspect) p.last_fetch_problem = "new list held back as suspect: " + o.message;
    }
    if (const auto last = store.last_accepted(name)) {
      p.has_snapshot = true;
      p.snapshot_id = last->id;
      p.fetched_at_ms = last->fetched_at;
      p.confirmed_at_ms = last->confirmed_at;
      add_content(store.content(last->id), p.ips, p.domains);
      if (policy.stale_only_published) {
        model::IpSetBuilder ever;
        for (const auto& value : store.ever_published(name)) {
          if (auto ip = model::parse_ip_entry(value)) {
            ever.add(*ip);
          } else if (auto d = model::parse_domain_pattern(value)) {
            p.ever_domains.add(*d);
          }
        }
        p.ever_ips = std::move(ever).build();
      }
    }
    sources.push_back(std::move(p));
  }
  const auto t = targets.find(check.target);
  const firewall::Allowlist* allowlist = nullptr;
  std::string error = "not read";
  if (t != targets.end()) {
    if (t->second.allowlist) allowlist = &*t->second.allowlist;
    error = t->second.error_kind + ": " + t->second.error;
  }
  return diff::evaluate_check(policy, check.target, sources, allowlist, error, now_ms);
}

void record_result(store::DriftLog& log, const diff::CheckResult& result, std::int64_t at_ms) {
  const auto count = [](const model::IpSet& ips, const std::vector<model::DomainPattern>& ds) {
    return static_cast<std::int64_t>(ips.to_cidr_strings().size() + ds.size());
  };
  log.record({result.name, at_ms, count(result.missing_ips, result.missing_domains),
              count(result.stale_ips, result.stale_domains), check_json(result)});
  log.prune(100);
}

boost::asio::awaitable<CycleReport> run_cycle(const config::Config& config, RefreshContext context, Alerter& alerter,
                                              store::DriftLog& drift_log,
                                              std::chrono::steady_clock::time_point deadline) {
  CycleReport report;
  std::map<std::string, RefreshOutcome> refreshes;
  bool inputs_failed = false;
  for (const auto& source : config.sources) {
    if (std::chrono::steady_clock::now() >= deadline) {
      report.skipped.push_back(source.name);
      inputs_failed = true;
      continue;
    }
    auto outcome = co_await refresh_source(source, context);
    if (outcome.failed()) inputs_failed = true;
    const auto now = unix_ms_now();
    alerter.source_refreshed(source, outcome, consecutive_failures(context.store, source.name), now);
    const auto last = context.store.last_accepted(source.name);
    alerter.source_age(source, last ? std::optional<std::int64_t>(now - last->confirmed_at) : std::nullopt, now);
    refreshes[source.name] = outcome;
    report.refreshes.push_back(std::move(outcome));
  }

  // Only the targets some check uses are read.
  std::set<std::string> used;
  for (const auto& c : config.checks) used.insert(c.target);
  std::map<std::string, TargetState> targets;
  for (const auto& target : config.targets) {
    if (used.count(target.name) == 0) continue;
    auto state = read_target(target);
    if (!state.allowlist) inputs_failed = true;
    alerter.target_read(target, state.allowlist ? "" : state.error_kind + ": " + state.error, unix_ms_now());
    targets.emplace(target.name, state);
    report.targets.push_back(std::move(state));
  }

  report.at_ms = unix_ms_now();
  diff::CheckStatus status = diff::CheckStatus::kOk;
  for (const auto& check : config.checks) {
    auto result = evaluate(config, check, context.store, targets, refreshes, report.at_ms);
    alerter.check_evaluated(check, result, report.at_ms);
    record_result(drift_log, result, report.at_ms);
    status = diff::worst(status, result.status);
    report.checks.push_back(std::move(result));
  }
  report.status = inputs_failed ? diff::CheckStatus::kUnknown : status;
  co_return report;
}

}  // namespace allowdrift::app
