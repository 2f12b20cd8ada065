#include "app/check_cycle.h"

#include "app/fetch_slots.h"
#include "app/once_report.h"
#include "model/ip_entry.h"
#include "store/sha256.h"
#include "sys/detached_call.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>
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

// Commits under synchronous = NORMAL (each still atomic, the database consistent after a crash) until sync()
// makes them durable together: one WAL sync instead of one per commit. A power cut before then loses them, and a
// pass announces nothing about its refreshes before it. The connection's own level comes back either way.
class DeferredSync {
 public:
  explicit DeferredSync(store::Database& db) : db_(db), level_(db.pragma_int("synchronous")) {
    db_.exec("PRAGMA synchronous = NORMAL");
  }
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;
  ~DeferredSync() {
    try {
      restore();
    } catch (const std::exception&) {
      // The pass is failing already (that is how sync() was skipped); its error is the one to report.
    }
  }
  void sync() {
    db_.sync_wal();
    restore();
  }

 private:
  void restore() {
    if (restored_) return;
    restored_ = true;
    db_.exec("PRAGMA synchronous = " + std::to_string(level_));
  }
  store::Database& db_;
  std::int64_t level_;
  bool restored_ = false;
};

// One source of a --once pass: nullopt when the deadline came before its turn to fetch (FetchSlots::take).
boost::asio::awaitable<void> refresh_in_turn(const config::SourceConfig& source, RefreshContext context,
                                             std::optional<RefreshOutcome>& outcome) {
  try {
    outcome = co_await refresh_source(source, context);
  } catch (const FetchNotStarted&) {
    outcome.reset();  // not started before the deadline
  } catch (const std::exception& e) {
    // A store failure is this source's failure: the others' outcomes (and their alerts) still count.
    RefreshOutcome failed;
    failed.source = source.name;
    failed.error_kind = "store";
    failed.message = e.what();
    outcome = std::move(failed);
  }
}

// Coroutines started together and awaited together (co_spawn has no join): the last one to finish wakes the
// waiter. The group must outlive its coroutines: join() before it goes out of scope, on every path.
class JoinGroup {
 public:
  explicit JoinGroup(const boost::asio::any_io_executor& executor)
      : executor_(executor), done_(executor, boost::asio::steady_timer::time_point::max()) {}

  void spawn(boost::asio::awaitable<void> work) {
    ++running_;
    signals_.push_back(std::make_unique<boost::asio::cancellation_signal>());
    boost::asio::co_spawn(
        executor_, std::move(work),
        boost::asio::bind_cancellation_slot(signals_.back()->slot(), [this](const std::exception_ptr& e) {
          if (e && !failure_) failure_ = e;
          if (--running_ == 0) done_.cancel();
        }));
  }

  // Ends the wait of every coroutine still running (terminal cancellation of the operation it awaits).
  void cancel() {
    for (auto& s : signals_) s->emit(boost::asio::cancellation_type::terminal);
  }

  // Waits for every coroutine; the first exception that ended one is failure().
  boost::asio::awaitable<void> join() { co_await join_until(boost::asio::steady_timer::time_point::max()); }

  // The same, but from `deadline` on the coroutines still running are cancelled (cancel()), then waited for. No
  // handler outlives the call: the one timer is the group's own.
  boost::asio::awaitable<void> join_until(boost::asio::steady_timer::time_point deadline) {
    boost::system::error_code ignored;
    if (running_ == 0) co_return;
    done_.expires_at(deadline);
    co_await done_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    if (running_ == 0) co_return;
    cancel();  // the deadline came first
    done_.expires_at(boost::asio::steady_timer::time_point::max());
    if (running_ > 0) co_await done_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
  const std::exception_ptr& failure() const { return failure_; }

 private:
  boost::asio::any_io_executor executor_;
  boost::asio::steady_timer done_;
  std::vector<std::unique_ptr<boost::asio::cancellation_signal>> signals_;
  std::size_t running_ = 0;
  std::exception_ptr failure_;
};

// A target's reading as work for a thread of its own, which owns a copy of the target: a pass that stops waiting
// for it leaves the thread running. (Made here, not as a lambda inside the co_await below: with GCC 12, a lambda
// temporary in a co_await expression was destroyed twice, one of its strings pointing into the coroutine frame.)
std::function<TargetState()> reading_of(const config::TargetConfig& target) {
  return [target] {
    try {
      return read_target(target);
    } catch (const std::exception& e) {
      TargetState failed;
      failed.name = target.name;
      failed.spec = target.spec.text;
      failed.error_kind = "io";
      failed.error = e.what();
      return failed;
    }
  };
}

// One target read on a detached thread (a reader blocks: a file, a netlink dump, a tool run with its timeout), so
// that --once reads its targets while its sources are fetched. Waits until the reading is in or the wait is
// cancelled (JoinGroup::cancel).
boost::asio::awaitable<void> read_detached(const config::TargetConfig& target, std::optional<TargetState>& slot) {
  co_await boost::asio::this_coro::throw_if_cancelled(false);  // a cancelled wait ends in a value, never a throw
  auto work = reading_of(target);
  auto state = co_await sys::call_detached<TargetState>(std::move(work), std::chrono::steady_clock::time_point::max());
  if (!state) {
    state.emplace();
    state->name = target.name;
    state->spec = target.spec.text;
    state->error_kind = "timeout";
    state->error = "not read before the run's deadline (or the end of its fetches, when later)";
  }
  slot = std::move(state);
}

}  // namespace

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<firewall::AllowlistReader> reader_for(const config::TargetConfig& target) {
  firewall::ReaderOptions options;
  options.tool_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(target.timeout);
  return firewall::make_reader(target.spec, options);
}

TargetState read_target(const config::TargetConfig& target, firewall::AllowlistReader& reader) {
  TargetState state;
  state.name = target.name;
  state.spec = target.spec.text;
  state.read_at_ms = unix_ms_now();
  auto list = reader.read();
  if (list) {
    state.allowlist.emplace(std::move(*list));
    store::SectionContent content{"", state.allowlist->ips, {}};
    for (const auto& d : state.allowlist->domains.patterns()) content.domains.push_back(d);
    state.content_sha256 = store::content_sha256({content});
    state.ip_count = static_cast<std::int64_t>(content.ips.cidr_count());
    state.domain_count = static_cast<std::int64_t>(content.domains.size());
  } else {
    state.error_kind = firewall::to_string(list.error().kind);
    state.error = list.error().message;
  }
  return state;
}

TargetState read_target(const config::TargetConfig& target) { return read_target(target, *reader_for(target)); }

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
      if (o.kind == RefreshKind::kSuspect) {
        p.last_fetch_problem = "new list held back as suspect: " + o.message;
        p.held_back = true;
      }
    }
    if (const auto last = store.last_accepted(name)) {
      p.has_snapshot = true;
      p.snapshot_id = last->id;
      p.fetched_at_ms = last->fetched_at;
      p.confirmed_at_ms = last->confirmed_at;
      // The refresh that just stored this snapshot still holds its content: no second read and parse.
      const auto it = refreshes.find(name);
      if (it != refreshes.end() && it->second.snapshot_id == last->id && it->second.accepted_content) {
        add_content(*it->second.accepted_content, p.ips, p.domains);
      } else {
        add_content(store.content(last->id), p.ips, p.domains);
      }
      if (policy.stale_only_published) {
        // Everything published = the last accepted content (counted by evaluate_check) + what it dropped.
        model::IpSetBuilder ever;
        for (const auto& value : store.published_before(name, last->id)) {
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
  const diff::LocalTarget* allowlist = nullptr;
  std::string error = "not read";
  if (t != targets.end()) {
    if (t->second.allowlist) allowlist = &*t->second.allowlist;
    error = t->second.error_kind + ": " + t->second.error;
  }
  return diff::evaluate_check(policy, check.target, sources, allowlist, error, now_ms);
}

void record_reading(store::ReadingLog& readings, TargetState& state, std::int64_t at_ms) {
  if (!state.allowlist) return;
  store::ReadingInput in;
  in.target = state.name;
  in.at = at_ms;
  in.content_sha256 = state.content_sha256;
  in.ip_count = state.ip_count;
  in.domain_count = state.domain_count;
  state.reading_id = readings.record(in);
}

void observe_refresh(Alerter& alerter, store::SnapshotStore& store, const config::SourceConfig& source,
                     const RefreshOutcome& outcome, std::int64_t now_ms) {
  alerter.source_refreshed(source, outcome, consecutive_failures(store, source.name), now_ms);
  const auto last = store.last_accepted(source.name);
  alerter.source_age(source, last ? std::optional<std::int64_t>(now_ms - last->confirmed_at) : std::nullopt, now_ms);
}

void observe_reading(Alerter& alerter, store::ReadingLog& readings, const config::TargetConfig& target,
                     TargetState& state, std::int64_t now_ms) {
  record_reading(readings, state, now_ms);
  alerter.target_read(target, state.allowlist ? "" : state.error_kind + ": " + state.error, now_ms);
}

diff::CheckResult observe_check(const config::Config& config, const config::CheckConfig& check,
                                store::SnapshotStore& store, const std::map<std::string, TargetState>& targets,
                                const std::map<std::string, RefreshOutcome>& refreshes, Alerter& alerter,
                                store::DriftLog& drift_log, std::int64_t now_ms) {
  auto result = evaluate(config, check, store, targets, refreshes, now_ms);
  alerter.check_evaluated(check, result, now_ms);
  const auto t = targets.find(check.target);
  record_result(drift_log, result, now_ms, t != targets.end() ? t->second.reading_id : std::nullopt);
  return result;
}

void record_result(store::DriftLog& log, const diff::CheckResult& result, std::int64_t at_ms,
                   std::optional<std::int64_t> reading_id) {
  const auto count = [](const model::IpSet& ips, const std::vector<model::DomainPattern>& ds) {
    return static_cast<std::int64_t>(ips.cidr_count() + ds.size());
  };
  store::DriftRecord r{result.name,
                       at_ms,
                       count(result.missing_ips, result.missing_domains),
                       count(result.stale_ips, result.stale_domains),
                       check_json(result),
                       result.sources.size() == 1 ? result.sources.front().snapshot_id : std::nullopt,
                       reading_id};
  log.record(r);
}

boost::asio::awaitable<CycleReport> run_cycle(const config::Config& config, RefreshContext context, Alerter& alerter,
                                              CycleLogs logs, std::chrono::steady_clock::time_point deadline) {
  namespace asio = boost::asio;
  CycleReport report;
  auto& db = context.store.database();
  std::map<std::string, RefreshOutcome> refreshes;
  bool inputs_failed = false;

  auto executor = co_await asio::this_coro::executor;

  // The refreshes commit without waiting for the disk and are made durable together once all are in, before
  // anything about them is alerted or reported (DeferredSync). Set before anything runs beside this coroutine.
  DeferredSync refreshes_sync(db);

  // Only the targets some check uses are read, from the start: their readers need nothing the fetches write.
  std::set<std::string> used;
  for (const auto& c : config.checks) used.insert(c.target);
  std::vector<std::optional<TargetState>> target_states(config.targets.size());
  JoinGroup target_reads(executor);
  for (std::size_t i = 0; i < config.targets.size(); ++i) {
    if (used.count(config.targets[i].name) != 0) target_reads.spawn(read_detached(config.targets[i], target_states[i]));
  }

  // Every source starts at once; each waits for one of the fetch slots, handed out in configuration order and held
  // across its fetches, not its storing. nullopt: not started before the deadline.
  std::vector<std::optional<RefreshOutcome>> outcomes(config.sources.size());
  FetchSlots slots(executor, kParallelFetches);
  RefreshContext in_turn = context;
  in_turn.fetch_slots = &slots;
  in_turn.run_deadline = deadline;
  JoinGroup fetches(executor);
  for (std::size_t i = 0; i < config.sources.size(); ++i) {
    fetches.spawn(refresh_in_turn(config.sources[i], in_turn, outcomes[i]));
  }
  co_await fetches.join();
  // The targets get until the run's deadline (the fetches end by then too, their storing may take a moment more).
  co_await target_reads.join_until(deadline);
  refreshes_sync.sync();  // nothing runs beside this coroutine any more
  if (fetches.failure()) std::rethrow_exception(fetches.failure());
  if (target_reads.failure()) std::rethrow_exception(target_reads.failure());

  // A target some accepted upstream change concerns is read again once that change's alerts are out: an exec
  // channel may have applied it to the firewall (the daemon does the same). Not one whose first reading timed out:
  // it would most likely time out again.
  std::set<std::string> reread;
  for (const auto& check : config.checks) {
    for (const auto& name : check.sources) {
      const auto i = static_cast<std::size_t>(
          std::find_if(config.sources.begin(), config.sources.end(), [&](const auto& s) { return s.name == name; }) -
          config.sources.begin());
      if (i < outcomes.size() && outcomes[i] && outcomes[i]->kind == RefreshKind::kChanged) reread.insert(check.target);
    }
  }

  std::map<std::string, TargetState> targets;
  const auto observe_targets = [&] {
    for (std::size_t i = 0; i < config.targets.size(); ++i) {
      if (!target_states[i]) continue;
      auto& state = *target_states[i];
      if (!state.allowlist) inputs_failed = true;
      // Stamped with when its reading started; one given up at the deadline, with the time it was given up.
      observe_reading(alerter, logs.readings, config.targets[i], state,
                      state.read_at_ms != 0 ? state.read_at_ms : unix_ms_now());
      targets.emplace(state.name, std::move(state));
    }
  };
  {
    // Every source's alert observations, and the targets' when none is read again: one commit.
    store::Transaction tx(db);
    for (std::size_t i = 0; i < config.sources.size(); ++i) {
      const auto& source = config.sources[i];
      if (!outcomes[i]) {
        report.skipped.push_back(source.name);
        inputs_failed = true;
        // Not observed (nothing was tried), but its checks say they compare its last accepted list.
        RefreshOutcome skipped;
        skipped.source = source.name;
        skipped.error_kind = "deadline";
        skipped.message = "not fetched: the run's deadline passed";
        refreshes[source.name] = std::move(skipped);
        continue;
      }
      auto& outcome = *outcomes[i];
      if (outcome.failed()) inputs_failed = true;
      observe_refresh(alerter, context.store, source, outcome, unix_ms_now());
      refreshes[source.name] = outcome;
      report.refreshes.push_back(std::move(outcome));
    }
    if (reread.empty()) observe_targets();
    tx.commit();
  }
  co_await alerter.deliver();
  if (!reread.empty()) {
    for (std::size_t i = 0; i < config.targets.size(); ++i) {
      auto& state = target_states[i];
      if (reread.count(config.targets[i].name) == 0 || !state || state->error_kind == "timeout") continue;
      state = reading_of(config.targets[i])();
    }
    store::Transaction tx(db);
    observe_targets();
    tx.commit();
    co_await alerter.deliver();
  }

  report.at_ms = unix_ms_now();
  diff::CheckStatus status = diff::CheckStatus::kOk;
  {
    store::Transaction tx(db);  // every check's alert state and drift result: one commit
    for (const auto& check : config.checks) {
      auto result =
          observe_check(config, check, context.store, targets, refreshes, alerter, logs.drift_log, report.at_ms);
      status = diff::worst(status, result.status);
      report.checks.push_back(std::move(result));
    }
    tx.commit();
  }
  co_await alerter.deliver();
  for (const auto& target : config.targets) {  // the report lists them in configuration order
    if (auto node = targets.extract(target.name)) report.targets.push_back(std::move(node.mapped()));
  }
  report.status = inputs_failed ? diff::CheckStatus::kUnknown : status;
  co_return report;
}

}  // namespace allowdrift::app
