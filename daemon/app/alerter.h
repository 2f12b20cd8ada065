// Turns observations (a source refreshed, a target read, a check evaluated) into alert events through the
// persistent state machine (diff/alert_state.h, records in the store), and hands each event to every channel
// whose filter takes it. A record moves on only when at least one channel took the event, so an alert that no
// channel could deliver is tried again on the next observation instead of being lost. A channel that failed an
// event another channel took (its record moved on), or an event with no record (upstream_changed), owes it: it is
// tried again for that channel alone at each deliver(), oldest first, up to kOwedAttempts times; newer events for
// that channel queue behind it, so each channel sees events in order. Owed events live in memory (at most
// kOwedPerChannel a channel): a restart or reload forgets them.
//
// Two phases, so that no delivery happens inside a database transaction or blocks the io_context thread: the
// observe calls step the records (synchronous, inside the caller's transaction) and queue the events; deliver()
// then hands them to the channels without blocking and saves each record whose event was taken. A subject whose
// event is on its way is not stepped again until it has been settled.
#pragma once

#include "alert/alert_channel.h"
#include "app/source_refresh.h"
#include "config/config.h"
#include "diff/check_evaluation.h"
#include "store/alert_store.h"

#include <boost/asio/awaitable.hpp>

#include <deque>
#include <map>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace allowdrift::app {

struct ChannelEntry {
  config::AlertConfig config;
  std::unique_ptr<alert::AlertChannel> channel;
};

class Alerter {
 public:
  using Log = std::function<void(const std::string&)>;
  // Subjects whose event is on its way, shared by every Alerter of one process (a reload's new Alerter must not
  // step a subject the old one is still delivering for).
  using InFlight = std::shared_ptr<std::set<std::string>>;
  Alerter(store::AlertStore& records, std::vector<ChannelEntry>& channels, std::chrono::seconds reminder, Log log,
          InFlight in_flight = std::make_shared<std::set<std::string>>());

  void source_refreshed(const config::SourceConfig& source, const RefreshOutcome& outcome, int consecutive_failures,
                        std::int64_t now_ms);
  // `age_ms` of the last accepted list (by its last confirmation); nullopt when there is none.
  void source_age(const config::SourceConfig& source, std::optional<std::int64_t> age_ms, std::int64_t now_ms);
  void target_read(const config::TargetConfig& target, const std::string& error, std::int64_t now_ms);
  void check_evaluated(const config::CheckConfig& check, const diff::CheckResult& result, std::int64_t now_ms);

  // Delivers what the observations queued, in order, and saves the records of the events some channel took: in
  // one transaction per run of deliveries that do not wait (syslog, or no channel), and before any delivery that
  // waits (alert::AlertChannel::waits). Call it after committing the observations' transaction.
  boost::asio::awaitable<void> deliver();
  bool pending() const { return !queue_.empty(); }
  // True once (then reset) when an observation was skipped because its subject's event was still on its way, or
  // an event no channel could take waits for its subject's next observation: the caller should observe again soon
  // rather than at its next long interval.
  bool take_look_again() { return std::exchange(look_again_, false); }

  std::size_t delivered() const { return delivered_; }

 private:
  struct Pending {
    alert::AlertEvent event;
    std::optional<diff::AlertRecord> record;  // saved once a channel took the event; none for one-off events
  };

  // Steps the record `key`; on a change builds the event with `make` and queues it.
  void observe(const std::string& key, bool active, const std::string& fingerprint, std::int64_t now_ms,
               const std::function<std::optional<alert::AlertEvent>(diff::Change)>& make);
  struct Sent {
    bool taken = false;                 // a channel took it, or no channel wants it
    std::vector<ChannelEntry*> failed;  // the channels that could not take it
  };
  // Hands `event` to `channels` (channels_for(event)).
  boost::asio::awaitable<Sent> send(const alert::AlertEvent& event, std::vector<ChannelEntry*> channels);
  // Tries each channel's owed events again, oldest first, stopping at a channel's first failure.
  boost::asio::awaitable<void> settle_owed();
  void owe(ChannelEntry* channel, const alert::AlertEvent& event);
  // The channels whose filter takes `event`.
  std::vector<ChannelEntry*> channels_for(const alert::AlertEvent& event);
  // Saves `sent` in one transaction and empties it; a failure is logged per record (each is sent again at its
  // next observation: at least once).
  void save_sent(std::vector<diff::AlertRecord>& sent);

  store::AlertStore& records_;
  std::vector<ChannelEntry>& channels_;
  std::int64_t reminder_ms_;
  Log log_;
  std::vector<Pending> queue_;
  InFlight in_flight_;  // keys of queued records: not stepped again until settled
  bool look_again_ = false;
  std::size_t delivered_ = 0;
  static constexpr std::size_t kOwedPerChannel = 100;
  struct Owed {
    std::uint64_t seq = 0;  // tells settle_owed() whether the event it sent is still the oldest
    int attempts = 0;       // failed retries
    alert::AlertEvent event;
  };
  static constexpr int kOwedAttempts = 5;
  std::map<ChannelEntry*, std::deque<Owed>> owed_;
  std::uint64_t owed_seq_ = 0;
  bool settling_owed_ = false;  // one deliver() retries them at a time (two loops may deliver at once)
  std::map<std::string, diff::AlertRecord> unsaved_;  // sent, but the store failed to save their records
};

}  // namespace allowdrift::app
