#include "app/daemon.h"

#include "app/check_cycle.h"
#include "app/idle_scheduler.h"
#include "app/make_channels.h"
#include "app/retention.h"
#include "app/state_dir.h"
#include "app/target_poll.h"
#include "config/config_loader.h"
#include "config/quantity.h"
#include "net/worker_fetcher.h"
#include "store/alert_store.h"
#include "store/state_db.h"
#include "sys/child_process.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <malloc.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>

namespace allowdrift::app {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kExitConfig = 78;

// The state one configuration runs with; replaced whole on a successful reload.
struct Generation {
  config::Config config;
  std::vector<ChannelEntry> channels;
  std::unique_ptr<Alerter> alerter;
  std::map<std::string, TargetState> targets;             // last reading of each target
  std::map<std::string, firewall::ChangeSignal> signals;  // with the signal it was read under
  std::map<std::string, std::chrono::steady_clock::time_point> read_at;
  std::map<std::string, RefreshOutcome> refreshes;  // last outcome of each source
  IdleScheduler::Group sleepers = 0;                // its loops' sleeps, cancelled on reload and stop
  std::map<std::string, std::string> failing;       // "source NAME" / "target NAME" whose last cycle threw: why
  bool stopped = false;
};

class Daemon {
 public:
  Daemon(IdleScheduler& scheduler, DaemonOptions options, StateDirectory state, store::Database& db)
      : scheduler_(scheduler),
        options_(std::move(options)),
        state_(std::move(state)),
        db_(db),
        snapshots_(db),
        records_(db),
        drift_log_(db),
        readings_(db) {}

  bool start(config::Config config) {
    auto channels = make_channels(config, [] { return std::make_unique<net::WorkerFetcher>(); });
    if (!channels) {
      spdlog::error("config rejected error=\"{}\"", channels.error());
      return false;
    }
    auto gen = std::make_shared<Generation>();
    gen->config = std::move(config);
    gen->channels = std::move(*channels);
    gen->sleepers = scheduler_.new_group();
    gen->alerter = std::make_unique<Alerter>(
        records_, gen->channels, gen->config.reminder, [](const std::string& line) { spdlog::warn("{}", line); },
        in_flight_);
    current_ = gen;
    // Targets first, so the first evaluation after a source's fetch has the local side; then the sources,
    // staggered over the first minute so that ten sources do not all connect in the same second.
    for (const auto& t : gen->config.targets) scheduler_.spawn(target_loop(gen, t.name));
    scheduler_.spawn(retention_loop(gen));
    const auto n = gen->config.sources.size();
    for (std::size_t i = 0; i < n; ++i) {
      const auto stagger = milliseconds{static_cast<std::int64_t>(i * 60'000 / std::max<std::size_t>(n, 1))};
      scheduler_.spawn(source_loop(gen, gen->config.sources[i].name, stagger));
    }
    status(*gen);
    return true;
  }

  void stop() {
    if (current_) halt(*current_);
  }

  void reload() {
    ::sd_notify(0, "RELOADING=1");
    auto loaded = config::load_config(options_.config_path, options_.state_dir, config::Checks::kDaemon);
    if (!loaded) {
      for (const auto& m : loaded.error().messages) spdlog::error("reload rejected, old config kept: {}", m);
      ::sd_notify(0, "READY=1\nSTATUS=reload rejected: the previous configuration keeps running");
      return;
    }
    if (loaded->state_dir != state_.path()) {
      spdlog::error("reload rejected, old config kept: state_dir cannot change on reload ({} -> {}); restart instead",
                    state_.path(), loaded->state_dir);
      ::sd_notify(0, "READY=1\nSTATUS=reload rejected (state_dir changed): the previous configuration keeps running");
      return;
    }
    auto old = current_;
    if (!start(std::move(*loaded))) {
      current_ = old;
      ::sd_notify(0, "READY=1\nSTATUS=reload rejected (alert channels): the previous configuration keeps running");
      return;
    }
    halt(*old);
    spdlog::set_level(spdlog::level::from_str(current_->config.log_level));
    spdlog::info("config reloaded path={}", options_.config_path);
    ::sd_notify(0, "READY=1");
  }

 private:
  // Hands the heap pages freed by a fetch, parse and diff back to the kernel before hours of sleep. glibc's free()
  // returns only the top of the heap, so the pages of a few-MB document stayed resident between fetches: about
  // 5 MB of the idle RSS with ten sources (bench/daemon_bench.sh). malloc_trim(0) also releases free pages inside
  // the heap (https://man7.org/linux/man-pages/man3/malloc_trim.3.html).
  // SQLite's page cache (up to 2 MB after a large snapshot) goes first, so that its pages are free ones to trim.
  void release_free_memory() {
    db_.release_memory();
    ::malloc_trim(0);
  }

  void halt(Generation& gen) {
    gen.stopped = true;
    scheduler_.cancel(gen.sleepers);
  }

  // Sleeps in the idle scheduler (not on an Asio timer: see idle_scheduler.h), in the generation's group so that
  // a reload or stop cuts the sleep short; false when the generation stopped.
  asio::awaitable<bool> sleep(const std::shared_ptr<Generation>& gen, milliseconds d) {
    if (gen->stopped) co_return false;
    boost::system::error_code ec;
    co_await scheduler_.sleep_until(gen->sleepers, IdleScheduler::Clock::now() + d,
                                    asio::redirect_error(asio::use_awaitable, ec));
    co_return !gen->stopped;
  }

  // The interval, or after failed fetches retry_after_failure doubled with each failure after the first, up to it.
  static seconds next_fetch_after(const config::FetchSettings& fetch, int failures) {
    if (failures <= 0) return fetch.interval;
    seconds wait = fetch.retry_after_failure;
    for (int i = 1; i < failures && wait < fetch.interval; ++i) wait *= 2;
    return std::min(wait, fetch.interval);
  }

  milliseconds jittered(seconds interval) {
    std::uniform_real_distribution<double> spread(0.9, 1.1);  // +-10%: sources drift apart over time
    return milliseconds{static_cast<std::int64_t>(static_cast<double>(interval.count()) * 1000 * spread(rng_))};
  }

  asio::awaitable<void> source_loop(std::shared_ptr<Generation> gen, std::string name, milliseconds first) {
    if (!co_await sleep(gen, first)) co_return;
    for (;;) {
      const auto* source = gen->config.find_source(name);
      if (source == nullptr) co_return;
      bool failed = false;
      int fetch_failures = 0;  // in a row, this one included
      try {
        net::WorkerFetcher fetcher;  // TLS in a child: see net/worker_fetcher.h
        auto outcome = co_await refresh_source(*source, {fetcher, snapshots_, gen->config.proxy});
        log_refresh(outcome);
        if (outcome.failed()) fetch_failures = std::max(1, consecutive_failures(snapshots_, name));
        if (gen->stopped) {
          // A reload landed during the fetch. A new list is stored, and the new generation will compare it; its
          // one-off upstream_changed event has no state record to bring it back, so this generation announces it.
          if (outcome.kind == RefreshKind::kChanged) {
            {
              store::Transaction tx(db_);
              observe_refresh(*gen->alerter, snapshots_, *source, outcome, unix_ms_now());
              tx.commit();
            }
            co_await gen->alerter->deliver();
          }
          co_return;
        }
        const bool changed = outcome.kind == RefreshKind::kChanged || outcome.kind == RefreshKind::kBaseline;
        // An accepted change is announced (upstream_changed) before its targets are read again: an exec channel
        // may apply it to the firewall, and the evaluation then sees that instead of alerting drift and, at the
        // next target tick, its resolution.
        const bool announce_first = outcome.kind == RefreshKind::kChanged;
        const auto uses_source = [&](const config::CheckConfig& c) {
          return std::find(c.sources.begin(), c.sources.end(), name) != c.sources.end();
        };
        {
          store::Transaction tx(db_);
          observe_refresh(*gen->alerter, snapshots_, *source, outcome, unix_ms_now());
          gen->refreshes[name] = std::move(outcome);
          tx.commit();
        }
        if (announce_first) co_await gen->alerter->deliver();  // after the commit, without blocking the other loops
        // A new list: re-read the targets it is compared with (they may have been updated for it), then evaluate.
        auto names = targets_of(*gen, uses_source);  // named, not a temporary in the co_await (GCC 12)
        auto polled = co_await poll_targets(gen, std::move(names), changed);
        if (!gen->stopped) {
          store::Transaction tx(db_);  // the readings, the evaluations and their alert records: one commit
          for (auto& p : polled) take_reading(*gen, p);
          evaluate_checks(*gen, uses_source);
          tx.commit();
        }
        co_await gen->alerter->deliver();
        look_again_if_asked(*gen);
        gen->failing.erase("source " + name);
      } catch (const std::exception& e) {
        forget_readings(*gen);
        spdlog::error("source cycle failed source={} error=\"{}\"", name, e.what());
        failed = true;
        gen->failing["source " + name] = e.what();
        fetch_failures = std::max(fetch_failures, 1);  // the store, say: tried again as soon as a failed fetch
      }
      if (failed) co_await deliver_queued(*gen);  // events queued before the failure (no co_await in a handler)
      if (gen->stopped) co_return;
      // Later evaluations read the list from the store: the idle daemon does not keep every list in memory.
      if (const auto it = gen->refreshes.find(name); it != gen->refreshes.end()) it->second.accepted_content.reset();
      status(*gen);
      release_free_memory();
      if (!co_await sleep(gen, jittered(next_fetch_after(source->fetch, fetch_failures)))) co_return;
    }
  }

  asio::awaitable<void> target_loop(std::shared_ptr<Generation> gen, std::string name) {
    for (;;) {
      const auto* target = gen->config.find_target(name);
      if (target == nullptr) co_return;
      bool failed = false;
      try {
        std::vector<std::string> names(1, name);  // not braced in the co_await: GCC 12 rejects its array there
        auto polled = co_await poll_targets(gen, std::move(names), false);
        if (gen->stopped) co_return;
        bool read = false;
        {
          store::Transaction tx(db_);
          for (auto& p : polled) read = take_reading(*gen, p) || read;
          if (read) evaluate_checks(*gen, [&](const config::CheckConfig& c) { return c.target == name; });
          tx.commit();
        }
        co_await gen->alerter->deliver();
        look_again_if_asked(*gen);
        const bool recovered = gen->failing.erase("target " + name) > 0;
        if ((read || recovered) && !gen->stopped) {
          status(*gen);
          release_free_memory();
        }
      } catch (const std::exception& e) {
        forget_readings(*gen);
        spdlog::error("target cycle failed target={} error=\"{}\"", name, e.what());
        failed = true;
        gen->failing["target " + name] = e.what();
      }
      if (failed) {
        co_await deliver_queued(*gen);
        if (!gen->stopped) status(*gen);
      }
      if (!co_await sleep(gen, target->interval)) co_return;
    }
  }

  // Retention at start (and with each reloaded configuration), then daily: one scheduled wake-up a day.
  asio::awaitable<void> retention_loop(std::shared_ptr<Generation> gen) {
    do {
      try {
        const auto r = apply_retention(gen->config, snapshots_, readings_, drift_log_, unix_ms_now());
        spdlog::info("retention snapshots_deleted={} fetch_attempts_deleted={} readings_deleted={}",
                     r.snapshots.snapshots_deleted, r.snapshots.fetch_attempts_deleted, r.readings_deleted);
      } catch (const std::exception& e) {
        spdlog::error("retention failed error=\"{}\"", e.what());
      }
    } while (co_await sleep(gen, std::chrono::hours{24}));
  }

  // The targets named, polled one after another (app/target_poll.h): read when its change signal moved, its reading
  // is older than its max_age, or `force`. Empty when the generation stopped during a poll (a reload: the new
  // generation reads on its own; a stop: the io_context stops, and the tool is ended at exit).
  asio::awaitable<std::vector<TargetPoll>> poll_targets(std::shared_ptr<Generation> gen, std::vector<std::string> names,
                                                        bool force) {
    std::vector<TargetPoll> out;
    for (const auto& name : names) {
      const auto* target = gen->config.find_target(name);
      if (target == nullptr) continue;
      const auto last = gen->read_at.find(name);
      const bool due =
          force || last == gen->read_at.end() || std::chrono::steady_clock::now() - last->second >= target->max_age;
      std::optional<firewall::ChangeSignal> previous;
      if (const auto s = gen->signals.find(name); s != gen->signals.end()) previous = s->second;
      auto polled = co_await poll_target(*target, due, std::move(previous));
      if (gen->stopped) co_return std::vector<TargetPoll>{};
      if (polled) out.push_back(std::move(*polled));
    }
    co_return out;
  }

  // Unique, in the checks' order.
  template <class Pred>
  static std::vector<std::string> targets_of(const Generation& gen, Pred uses) {
    std::vector<std::string> out;
    for (const auto& check : gen.config.checks) {
      if (uses(check) && std::find(out.begin(), out.end(), check.target) == out.end()) out.push_back(check.target);
    }
    return out;
  }

  // Takes a poll in, inside the caller's transaction (the reading log, the target's alert observation). True when
  // the target was read. A reading begun before the one already taken is dropped: the target and a source loop
  // may poll the same target at once, and the slower, older reading (say, of a set an exec hook was still
  // updating) must not replace the newer one.
  bool take_reading(Generation& gen, TargetPoll& polled) {
    const auto* target = gen.config.find_target(polled.target);
    if (target == nullptr || !polled.state) return false;
    if (const auto last = gen.read_at.find(polled.target); last != gen.read_at.end() && last->second > polled.at)
      return false;
    if (polled.signal) {
      gen.signals[polled.target] = *polled.signal;
    } else {
      gen.signals.erase(polled.target);
    }
    gen.read_at[polled.target] = polled.at;
    TargetState& state = *polled.state;
    if (state.allowlist) {
      spdlog::info("target read target={} prefixes={} domains={}", target->name, state.allowlist->ips.cidr_count(),
                   state.allowlist->list.domains.size());
    } else {
      spdlog::warn("target unreadable target={} kind={} error=\"{}\"", target->name, state.error_kind, state.error);
    }
    observe_reading(*gen.alerter, readings_, *target, state, unix_ms_now());
    // Between polls the daemon keeps each target's last reading for the evaluations a source change triggers: its
    // sets, not its entries (LocalTarget::drop_entries).
    if (state.allowlist) state.allowlist->drop_entries();
    gen.targets[polled.target] = std::move(state);
    return true;
  }

  asio::awaitable<void> deliver_queued(Generation& gen) {
    try {
      co_await gen.alerter->deliver();
    } catch (const std::exception& e) {
      spdlog::error("alert delivery failed error=\"{}\"", e.what());
    }
  }

  // An observation skipped because its subject's event was still on its way, or one whose event no channel could
  // take (a syslog queue full, a webhook down), is made again at the next target tick (every target re-read and
  // its checks evaluated), not up to target_max_age or a fetch interval later.
  static void look_again_if_asked(Generation& gen) {
    if (gen.alerter->take_look_again()) gen.read_at.clear();
  }

  // After a rolled-back transaction the readings it logged are gone: read every target afresh next time, so no
  // drift result names a reading row that does not exist (or, its id reused, another one).
  static void forget_readings(Generation& gen) {
    gen.read_at.clear();
    for (auto& [name, state] : gen.targets) state.reading_id.reset();
  }

  // The checks `uses` selects, on the targets' last readings (poll_targets first).
  template <class Pred>
  void evaluate_checks(Generation& gen, Pred uses) {
    for (const auto& check : gen.config.checks) {
      if (!uses(check)) continue;
      const auto result = observe_check(gen.config, check, snapshots_, gen.targets, gen.refreshes, *gen.alerter,
                                        drift_log_, unix_ms_now());
      spdlog::info("check evaluated check={} status={} missing={} stale={}", check.name, diff::to_string(result.status),
                   result.missing_ips.cidr_count() + result.missing_domains.size(),
                   result.stale_ips.cidr_count() + result.stale_domains.size());
      last_status_[check.name] = result.status;
    }
  }

  static void log_refresh(const RefreshOutcome& o) {
    if (o.failed()) {
      spdlog::warn("fetch {} source={} kind={} ms={} error=\"{}\"", to_string(o.kind), o.source, o.error_kind,
                   o.duration_ms, o.message);
    } else {
      spdlog::info("fetch {} source={} added={} removed={} ms={}", to_string(o.kind), o.source, o.added.size(),
                   o.removed.size(), o.duration_ms);
    }
  }

  void status(const Generation& gen) {
    std::map<diff::CheckStatus, int> counts;
    for (const auto& c : gen.config.checks) {
      const auto it = last_status_.find(c.name);
      ++counts[it == last_status_.end() ? diff::CheckStatus::kUnknown : it->second];
    }
    std::string line = "STATUS=" + std::to_string(gen.config.checks.size()) + " checks:";
    for (const auto& [s, n] : counts) line += " " + std::to_string(n) + " " + std::string(diff::to_string(s));
    // A cycle that keeps failing (the state database full or read-only, say) is what `systemctl status` shows.
    if (!gen.failing.empty()) {
      const auto& [what, error] = *gen.failing.begin();
      line += "; " + std::to_string(gen.failing.size()) + " failing, " + what + ": " + error.substr(0, 200);
    }
    ::sd_notify(0, line.c_str());
  }

  IdleScheduler& scheduler_;
  DaemonOptions options_;
  StateDirectory state_;
  store::Database& db_;
  store::SnapshotStore snapshots_;
  store::AlertStore records_;
  store::DriftLog drift_log_;
  store::ReadingLog readings_;
  Alerter::InFlight in_flight_ = std::make_shared<std::set<std::string>>();  // shared across reloads
  std::shared_ptr<Generation> current_;
  std::map<std::string, diff::CheckStatus> last_status_;
  std::mt19937 rng_{std::random_device{}()};
};

// WATCHDOG=1 at half the interval systemd asked for; nothing when it asked for none (no idle wake-ups).
asio::awaitable<void> watchdog(IdleScheduler& scheduler, const bool& stopping) {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) co_return;
  const auto group = scheduler.new_group();
  while (!stopping) {
    ::sd_notify(0, "WATCHDOG=1");
    boost::system::error_code ec;
    co_await scheduler.sleep_until(group, IdleScheduler::Clock::now() + std::chrono::microseconds{usec / 2},
                                   asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  auto loaded = config::load_config(options.config_path, options.state_dir, config::Checks::kDaemon);
  if (!loaded) {
    for (const auto& m : loaded.error().messages) spdlog::error("{}", m);
    return kExitConfig;
  }
  spdlog::set_level(spdlog::level::from_str(loaded->log_level));
  auto state = StateDirectory::acquire(loaded->state_dir);
  if (!state) {
    spdlog::error("{}", state.error());
    return 1;
  }
  const std::string state_dir = loaded->state_dir;
  // An unusable state database (another program's file, damaged, a directory in its place) is the state
  // directory's problem, said as such and with its exit status, not an internal error.
  std::optional<store::Database> opened;
  try {
    opened.emplace(store::open_state_db(state->database_path()));
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  store::Database& db = *opened;

  // SIGTERM, SIGINT and SIGHUP are read from a signalfd, so the idle daemon can wait for them and for its next
  // deadline in one ppoll(). They are blocked here, before any thread exists: the resolver's detached threads
  // inherit the mask, so no signal is delivered to one of them (child processes reset it, sys/child_process.cpp).
  // The mask stays blocked until exit: a second SIGTERM while stopping does not kill the process.
  sigset_t mask;
  ::sigemptyset(&mask);
  for (const int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaddset(&mask, sig);
  ::pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  const int sigfd = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) {
    spdlog::error("signalfd failed: {}", std::strerror(errno));
    return 1;
  }

  // One malloc arena for every thread. The helper threads (a fetch worker's pipes, a resolver, a firewall tool)
  // allocate a list's worth of memory and exit; in arenas of their own, what they free stays resident, since
  // malloc_trim() returns the free top of the main arena only (2 MB idle after the ten bench fetches). The daemon
  // computes on one thread, so the arenas' lock contention is nothing to lose.
  ::mallopt(M_ARENA_MAX, 1);

  asio::io_context io(1);
  asio::posix::stream_descriptor signal_watch(io, sigfd);  // owns sigfd
  IdleScheduler scheduler(io);
  Daemon daemon(scheduler, options, std::move(*state), db);
  if (!daemon.start(std::move(*loaded))) return kExitConfig;

  bool stopping = false;
  auto on_signal = [&](int sig) {
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading path={}", options.config_path);
      daemon.reload();
      return;
    }
    spdlog::info("stopping signal={}", sig == SIGTERM ? "TERM" : "INT");
    ::sd_notify(0, "STOPPING=1");
    stopping = true;
    daemon.stop();
    // In-flight fetches are abandoned, not awaited: each snapshot write is one transaction, so stopping here
    // never leaves half a snapshot, and a hung DNS lookup cannot hold the exit.
    io.stop();
  };
  // Reads every pending signal; called wherever the signalfd is seen readable first (in Asio or in the idle wait).
  auto read_signals = [&] {
    signalfd_siginfo info{};
    while (!stopping && ::read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      on_signal(static_cast<int>(info.ssi_signo));
    }
  };
  // While the io_context runs (a fetch in flight), signals are seen by Asio.
  std::function<void()> watch_signals = [&] {
    signal_watch.async_wait(asio::posix::stream_descriptor::wait_read, [&](const boost::system::error_code& ec) {
      if (ec) return;
      read_signals();
      if (!stopping) watch_signals();
    });
  };
  watch_signals();
  scheduler.spawn(watchdog(scheduler, stopping));
  spdlog::info("started config={} state_dir={}", options.config_path, state_dir);
  ::sd_notify(0, "READY=1");
  for (;;) {
    // Busy: run until every loop is parked (the scheduler stops the io_context) or a stop signal. Idle: only
    // complete what is already queued (a cancelled timer's handler), without blocking in the reactor.
    io.restart();
    if (scheduler.idle()) {
      io.poll();
    } else {
      io.run();
    }
    if (stopping) break;
    if (!scheduler.idle()) continue;
    // Idle: one ppoll until a signal or the next deadline, then back to the io_context with what became due.
    if (scheduler.wait(sigfd)) read_signals();
    if (stopping) break;
  }
  // An alert program or a firewall tool still running would outlive the thread that enforces its timeout.
  if (const auto n = sys::end_running_processes(std::chrono::milliseconds(500)); n > 0)
    spdlog::info("stopped {} running child process(es)", n);
  spdlog::info("stopped");
  return 0;
}

}  // namespace allowdrift::app
