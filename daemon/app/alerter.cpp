#include "app/alerter.h"

#include <algorithm>

namespace allowdrift::app {
namespace {

constexpr std::size_t kSample = 10;  // entries named in one event; the count says how many there are

// The check's configured severities, the more severe of the kinds present (syslog numbering: lower is worse), so
// `missing_severity = "error"` is sent as err, not as the check status' crit.
alert::Severity drift_severity(const config::CheckConfig& check, std::size_t n_missing, std::size_t n_stale) {
  if (n_missing == 0) return check.stale_severity;
  if (n_stale == 0) return check.missing_severity;
  return std::min(check.missing_severity, check.stale_severity,
                  [](alert::Severity a, alert::Severity b) { return static_cast<int>(a) < static_cast<int>(b); });
}

void add_sample(alert::AlertEvent& e, std::string_view role, const std::vector<std::string>& items) {
  for (std::size_t i = 0; i < items.size() && i < kSample; ++i) e.sample.emplace_back(std::string(role), items[i]);
}

std::vector<std::string> domains_text(const std::vector<model::DomainPattern>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.to_string());
  return out;
}

}  // namespace

Alerter::Alerter(store::AlertStore& records, std::vector<ChannelEntry>& channels, std::chrono::seconds reminder,
                 Log log, InFlight in_flight)
    : records_(records),
      channels_(channels),
      reminder_ms_(reminder.count() * 1000),
      log_(std::move(log)),
      in_flight_(std::move(in_flight)) {}

std::vector<ChannelEntry*> Alerter::channels_for(const alert::AlertEvent& event) {
  std::vector<ChannelEntry*> out;
  for (auto& c : channels_) {
    const auto& filter = c.config.events;
    if (!filter.empty() && std::find(filter.begin(), filter.end(), event.kind) == filter.end()) continue;
    if (static_cast<int>(event.severity) > static_cast<int>(c.config.min_severity)) continue;
    out.push_back(&c);
  }
  return out;
}

boost::asio::awaitable<Alerter::Sent> Alerter::send(const alert::AlertEvent& event,
                                                    std::vector<ChannelEntry*> channels) {
  // An event no channel wants (none configured, or every channel filters it out by kind or severity) is taken as
  // it is: were it left untaken, its record would stay where it was and the same event, due again, would look
  // already sent (a drift that comes back after a filtered-out "resolved" would never be alerted).
  Sent sent;
  sent.taken = channels.empty();
  for (auto* c : channels) {
    if (const auto owing = owed_.find(c); owing != owed_.end() && !owing->second.empty()) {
      owe(c, event);  // behind what the channel already owes: it gets events in order (settle_owed)
      sent.taken = true;
      continue;
    }
    if (const auto failed = co_await c->channel->deliver_async(event)) {
      log_("alert not delivered channel=" + c->channel->describe() +
           " event=" + std::string(alert::to_string(event.kind)) + " error=" + *failed);
      sent.failed.push_back(c);
    } else {
      sent.taken = true;
      ++delivered_;
    }
  }
  co_return sent;
}

void Alerter::owe(ChannelEntry* channel, const alert::AlertEvent& event) {
  auto& owed = owed_[channel];
  if (owed.size() >= kOwedPerChannel) {
    log_("alert dropped channel=" + channel->channel->describe() +
         " event=" + std::string(alert::to_string(owed.front().event.kind)) + " error=more than " +
         std::to_string(kOwedPerChannel) + " events owed");
    owed.pop_front();
  }
  owed.push_back({++owed_seq_, 0, event});
}

boost::asio::awaitable<void> Alerter::settle_owed() {
  if (settling_owed_) co_return;
  settling_owed_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{settling_owed_};
  for (auto it = owed_.begin(); it != owed_.end();) {
    auto& [channel, owed] = *it;
    while (!owed.empty()) {
      // A copy: while it is on its way, a new owed event may push the oldest out (owe()).
      const Owed oldest = owed.front();
      const auto failed = co_await channel->channel->deliver_async(oldest.event);
      const bool still_oldest = !owed.empty() && owed.front().seq == oldest.seq;
      if (!failed) {
        ++delivered_;
        if (still_oldest) owed.pop_front();
        continue;
      }
      // Still failing: tried again at the next delivery, up to kOwedAttempts times (a webhook that answers 400
      // to it would otherwise hold back everything behind it).
      if (still_oldest && ++owed.front().attempts >= kOwedAttempts) {
        log_("alert dropped channel=" + channel->channel->describe() +
             " event=" + std::string(alert::to_string(oldest.event.kind)) + " error=" + *failed + " (after " +
             std::to_string(kOwedAttempts) + " more attempts)");
        owed.pop_front();
      }
      break;
    }
    it = owed.empty() ? owed_.erase(it) : std::next(it);
  }
}

void Alerter::save_sent(std::vector<diff::AlertRecord>& sent) {
  try {
    records_.save_all(sent);
    for (const auto& r : sent) unsaved_.erase(r.key);
  } catch (const std::exception& e) {
    // Sent but not recorded (the disk full, say): kept here, so the next observation steps from what was sent
    // and saves it then, instead of sending it again at every tick until the store works. A restart before
    // that sends it again (at least once).
    for (const auto& r : sent) {
      log_("alert record not saved key=" + r.key + " error=" + e.what());
      unsaved_[r.key] = r;
    }
  }
  sent.clear();
}

boost::asio::awaitable<void> Alerter::deliver() {
  while (!queue_.empty()) {
    auto batch = std::move(queue_);
    queue_.clear();
    // Whatever ends this (the daemon stopping), no subject stays blocked as "on its way".
    struct Settle {
      std::set<std::string>& in_flight;
      std::vector<Pending>& batch;
      ~Settle() {
        for (const auto& p : batch)
          if (p.record) in_flight.erase(p.record->key);
      }
    } settle{*in_flight_, batch};
    // Records of the events taken so far, saved together (ten syslog lines: one commit, not ten) until a delivery
    // may wait: then first, so a stop during that wait re-sends nothing already sent. Deliveries that do not wait
    // complete without giving the io_context a turn, so nothing else runs between them.
    std::vector<diff::AlertRecord> sent;
    for (auto& p : batch) {
      const auto channels = channels_for(p.event);
      if (std::any_of(channels.begin(), channels.end(), [](const ChannelEntry* c) { return c->channel->waits(); }))
        save_sent(sent);
      Sent result;
      try {
        result = co_await send(p.event, channels);
      } catch (...) {
        save_sent(sent);  // what was sent before stays sent
        throw;
      }
      // Not taken: the old record stays and the next observation makes the event again, for every channel. Taken
      // by some: the record moves on, and the others owe the event. With no record, whoever failed owes it.
      if (result.taken || !p.record)
        for (auto* c : result.failed) owe(c, p.event);
      if (result.taken && p.record) sent.push_back(*p.record);
      if (!result.taken && p.record) look_again_ = true;  // its record did not move: made again when observed
    }
    save_sent(sent);
  }
  // Then what channels owe, oldest first: what they were just handed queued behind it (send), so each channel
  // keeps the order of events, and a channel that is down holds up nobody else's new events.
  if (!owed_.empty()) co_await settle_owed();  // not even a coroutine frame in the usual case
}

void Alerter::observe(const std::string& key, bool active, const std::string& fingerprint, std::int64_t now_ms,
                      const std::function<std::optional<alert::AlertEvent>(diff::Change)>& make) {
  if (in_flight_->count(key) != 0) {  // its last event is still on its way: look again soon
    look_again_ = true;
    return;
  }
  auto previous = records_.load(key);
  // A record sent but not saved (save_sent) stands until the store is seen to hold it: a save inside the
  // caller's transaction is not that yet, since the commit may still fail (a full disk shows at COMMIT).
  bool in_memory = false;
  if (const auto unsaved = unsaved_.find(key); unsaved != unsaved_.end()) {
    if (previous && *previous == unsaved->second) {
      unsaved_.erase(unsaved);
    } else {
      previous = unsaved->second;
      in_memory = true;
    }
  }
  const auto s = diff::step(previous, key, active, fingerprint, now_ms, reminder_ms_);
  const auto save = [&] {
    records_.save(s.record);
    if (in_memory) unsaved_[key] = s.record;
  };
  if (s.change == diff::Change::kNone) {
    if (in_memory || !previous || *previous != s.record) save();
    return;
  }
  auto event = make(s.change);
  if (!event) {
    save();
    return;
  }
  event->at_ms = now_ms;
  queue_.push_back({std::move(*event), s.record});
  in_flight_->insert(key);
}

void Alerter::source_refreshed(const config::SourceConfig& source, const RefreshOutcome& outcome,
                               int consecutive_failures, std::int64_t now_ms) {
  if (outcome.kind == RefreshKind::kChanged) {
    // Each accepted change happens once (it is a new snapshot), so it needs no state record.
    alert::AlertEvent e;
    e.kind = alert::EventKind::kUpstreamChanged;
    e.severity = alert::Severity::kNotice;
    e.source = source.name;
    e.summary = "source " + source.name + " published a new list: " + std::to_string(outcome.added.size()) +
                " added, " + std::to_string(outcome.removed.size()) + " removed";
    if (!outcome.message.empty()) e.summary += "; " + outcome.message;  // e.g. a suspect list accepted
    e.fields = {{"added", std::to_string(outcome.added.size())}, {"removed", std::to_string(outcome.removed.size())}};
    if (outcome.snapshot_id) e.fields.emplace_back("snapshot", std::to_string(*outcome.snapshot_id));
    add_sample(e, "added", outcome.added);
    add_sample(e, "removed", outcome.removed);
    e.at_ms = now_ms;
    queue_.push_back({std::move(e), std::nullopt});
  }
  if (outcome.kind == RefreshKind::kSuspect) {
    observe("suspect:" + source.name, true, diff::fingerprint_of(outcome.message), now_ms, [&](diff::Change c) {
      if (c != diff::Change::kOpened && c != diff::Change::kChanged) return std::optional<alert::AlertEvent>{};
      alert::AlertEvent e;
      e.kind = alert::EventKind::kSuspectHeld;
      e.severity = alert::Severity::kWarning;
      e.source = source.name;
      e.summary = "source " + source.name + ": new list held back as suspect: " + outcome.message;
      return std::optional<alert::AlertEvent>{e};
    });
  } else if (outcome.kind != RefreshKind::kFailed && outcome.kind != RefreshKind::kRejected) {
    observe("suspect:" + source.name, false, "", now_ms,
            [](diff::Change) { return std::optional<alert::AlertEvent>{}; });
  }
  const bool failing = consecutive_failures >= source.fetch.fail_alert_after;
  const bool ok = !outcome.failed();
  if (!failing && !ok) return;  // a failure below the threshold: wait and see
  // One state however the error varies: a flaky server that times out, then refuses, then answers 503 is still
  // the one failing source, not a new alert per fetch (the reminder and the event's fields say the latest error).
  observe("fetch:" + source.name, failing, "failing", now_ms, [&](diff::Change c) {
    alert::AlertEvent e;
    e.source = source.name;
    if (c == diff::Change::kResolved) {
      e.kind = alert::EventKind::kFetchRecovered;
      e.severity = alert::Severity::kNotice;
      e.summary = "source " + source.name + " fetched again";
    } else {
      e.kind = alert::EventKind::kFetchFailing;
      e.severity = alert::Severity::kError;
      e.summary = "source " + source.name + ": " + std::to_string(consecutive_failures) +
                  " failed fetches in a row: " + outcome.message;
      e.fields = {{"failures", std::to_string(consecutive_failures)}, {"error", outcome.error_kind}};
    }
    return std::optional<alert::AlertEvent>{e};
  });
}

void Alerter::source_age(const config::SourceConfig& source, std::optional<std::int64_t> age_ms, std::int64_t now_ms) {
  const auto max_age_ms = source.fetch.max_age.count() * 1000;
  const bool stale = age_ms && *age_ms > max_age_ms;
  observe("age:" + source.name, stale, "stale", now_ms, [&](diff::Change c) {
    alert::AlertEvent e;
    e.source = source.name;
    if (c == diff::Change::kResolved) {
      // After failed fetches, the fetch_recovered just queued says it. Otherwise (a suspect list held past
      // max_age, then accepted) this is the only word that the data is current again.
      const bool said = std::any_of(queue_.begin(), queue_.end(), [&](const Pending& p) {
        return p.event.kind == alert::EventKind::kFetchRecovered && p.event.source == source.name;
      });
      if (said) return std::optional<alert::AlertEvent>{};
      e.kind = alert::EventKind::kDataFresh;
      e.severity = alert::Severity::kNotice;
      e.summary = "source " + source.name + ": the accepted list is within max_age again";
      if (age_ms) e.fields = {{"age_s", std::to_string(*age_ms / 1000)}};
      return std::optional<alert::AlertEvent>{e};
    }
    e.kind = alert::EventKind::kDataStale;
    e.severity = alert::Severity::kWarning;
    e.source = source.name;
    e.summary = "source " + source.name + ": last accepted list is " + std::to_string(*age_ms / 3'600'000) +
                "h old, over max_age";
    e.fields = {{"age_s", std::to_string(*age_ms / 1000)}};
    return std::optional<alert::AlertEvent>{e};
  });
}

void Alerter::target_read(const config::TargetConfig& target, const std::string& error, std::int64_t now_ms) {
  observe("target:" + target.name, !error.empty(), diff::fingerprint_of(error), now_ms, [&](diff::Change c) {
    alert::AlertEvent e;
    e.target = target.name;
    if (c == diff::Change::kResolved) {
      e.kind = alert::EventKind::kTargetRecovered;
      e.severity = alert::Severity::kNotice;
      e.summary = "target " + target.name + " can be read again";
    } else {
      e.kind = alert::EventKind::kTargetUnreadable;
      e.severity = alert::Severity::kError;
      e.summary = "target " + target.name + " (" + target.spec.text + ") cannot be read: " + error;
    }
    return std::optional<alert::AlertEvent>{e};
  });
}

void Alerter::check_evaluated(const config::CheckConfig& check, const diff::CheckResult& result, std::int64_t now_ms) {
  if (result.status == diff::CheckStatus::kUnknown) return;  // the source and target events say why
  const auto missing = result.missing_ips.to_cidr_strings();
  const auto stale = result.stale_ips.to_cidr_strings();
  const auto missing_d = domains_text(result.missing_domains);
  const auto stale_d = domains_text(result.stale_domains);
  std::string canonical;
  for (const auto* list : {&missing, &missing_d}) {
    for (const auto& s : *list) canonical += "-" + s + "\n";
  }
  for (const auto* list : {&stale, &stale_d}) {
    for (const auto& s : *list) canonical += "+" + s + "\n";
  }
  observe("check:" + check.name, result.drifting(), diff::fingerprint_of(canonical), now_ms, [&](diff::Change c) {
    alert::AlertEvent e;
    e.check = check.name;
    e.target = check.target;
    switch (c) {
      case diff::Change::kOpened:
        e.kind = alert::EventKind::kDriftNew;
        break;
      case diff::Change::kChanged:
        e.kind = alert::EventKind::kDriftChanged;
        break;
      case diff::Change::kReminder:
        e.kind = alert::EventKind::kDriftReminder;
        break;
      case diff::Change::kResolved:
        e.kind = alert::EventKind::kDriftResolved;
        break;
      case diff::Change::kNone:
        break;
    }
    const std::size_t n_missing = missing.size() + missing_d.size();
    const std::size_t n_stale = stale.size() + stale_d.size();
    if (c == diff::Change::kResolved) {
      e.severity = alert::Severity::kNotice;
      e.summary = "check " + check.name + ": target " + check.target + " matches the published lists again";
    } else {
      e.severity = drift_severity(check, n_missing, n_stale);
      e.summary = "check " + check.name + ": " + std::to_string(n_missing) + " published entries missing from " +
                  check.target + ", " + std::to_string(n_stale) + " stale";
      add_sample(e, "missing", missing);
      add_sample(e, "missing", missing_d);
      add_sample(e, "stale", stale);
      add_sample(e, "stale", stale_d);
    }
    e.fields = {{"missing", std::to_string(n_missing)}, {"stale", std::to_string(n_stale)}};
    return std::optional<alert::AlertEvent>{e};
  });
}

}  // namespace allowdrift::app
