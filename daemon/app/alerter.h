// Turns observations (a source refreshed, a target read, a check evaluated) into alert events through the
// persistent state machine (diff/alert_state.h, records in the store), and hands each event to every channel
// whose filter takes it. A record moves on only when at least one channel took the event, so an alert that no
// channel could deliver is tried again on the next observation instead of being lost.
#pragma once

#include "alert/alert_channel.h"
#include "app/source_refresh.h"
#include "config/config.h"
#include "diff/check_evaluation.h"
#include "store/alert_store.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace allowdrift::app {

struct ChannelEntry {
  config::AlertConfig config;
  std::unique_ptr<alert::AlertChannel> channel;
};

class Alerter {
 public:
  using Log = std::function<void(const std::string&)>;
  Alerter(store::AlertStore& records, std::vector<ChannelEntry>& channels, std::chrono::seconds reminder, Log log);

  void source_refreshed(const config::SourceConfig& source, const RefreshOutcome& outcome, int consecutive_failures,
                        std::int64_t now_ms);
  // `age_ms` of the last accepted list (by its last confirmation); nullopt when there is none.
  void source_age(const config::SourceConfig& source, std::optional<std::int64_t> age_ms, std::int64_t now_ms);
  void target_read(const config::TargetConfig& target, const std::string& error, std::int64_t now_ms);
  void check_evaluated(const config::CheckConfig& check, const diff::CheckResult& result, std::int64_t now_ms);

  std::size_t delivered() const { return delivered_; }

 private:
  // Steps the record `key`; on a change builds the event with `make` and delivers it.
  void observe(const std::string& key, bool active, const std::string& fingerprint, std::int64_t now_ms,
               const std::function<std::optional<alert::AlertEvent>(diff::Change)>& make);
  bool deliver(const alert::AlertEvent& event);

  store::AlertStore& records_;
  std::vector<ChannelEntry>& channels_;
  std::int64_t reminder_ms_;
  Log log_;
  std::size_t delivered_ = 0;
};

}  // namespace allowdrift::app
