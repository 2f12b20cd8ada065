// The Alerter (app/alerter.h) on a real state database. When it saves the records of the events it sent: the records
// of deliveries that do not wait are committed together, and before a delivery that waits, every record of what
// was already sent is committed, so a stop during that wait re-sends none of it. Commits are counted in the WAL
// (commit frames carry the database size, other frames zero); what is committed is read by a second connection.
// And which events a sequence of observations gives a channel (AlerterEventsTest).
#include "app/alerter.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "store/state_db.h"
#include "temp_dir.h"
#include "wal_commits.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::app {
namespace {

namespace fs = std::filesystem;
using testing::wal_commits;

// Takes every event inline; before each, notes how many alert records another connection sees committed.
class RecordingChannel : public alert::AlertChannel {
 public:
  RecordingChannel(bool waits, fs::path db) : waits_(waits), db_(std::move(db)) {}
  std::string describe() const override { return "recording"; }
  std::optional<std::string> deliver(const alert::AlertEvent& event) override {
    auto reader = store::open_state_db_read_only(db_);
    committed_before_.push_back(static_cast<int>(store::AlertStore(reader).all().size()));
    delivered_.push_back(event.target);
    kinds_.push_back(event.kind);
    severities_.push_back(event.severity);
    return std::nullopt;
  }
  bool waits() const override { return waits_; }

  const std::vector<int>& committed_before() const { return committed_before_; }
  const std::vector<std::string>& delivered() const { return delivered_; }
  const std::vector<alert::EventKind>& kinds() const { return kinds_; }
  const std::vector<alert::Severity>& severities() const { return severities_; }

 private:
  bool waits_;
  fs::path db_;
  std::vector<int> committed_before_;
  std::vector<std::string> delivered_;
  std::vector<alert::EventKind> kinds_;
  std::vector<alert::Severity> severities_;
};

class AlerterTest : public ::testing::Test {
 protected:
  fs::path db_path() const { return dir_.path() / "state.db"; }

  // Five targets found unreadable (five events with records), delivered through one channel.
  RecordingChannel& deliver_five(bool waits) {
    auto db = store::open_state_db(db_path());
    store::AlertStore records(db);
    std::vector<ChannelEntry> channels;
    auto owned = std::make_unique<RecordingChannel>(waits, db_path());
    auto& channel = *owned;
    channels.push_back({config::AlertConfig{}, std::move(owned)});
    Alerter alerter(records, channels, std::chrono::hours{24}, [](const std::string&) {});
    {
      store::Transaction tx(db);
      for (int i = 0; i < 5; ++i) {
        config::TargetConfig target;
        target.name = "t" + std::to_string(i);
        alerter.target_read(target, "not-found: no such file", 1'000);
      }
      tx.commit();
    }
    commits_before_ = wal_commits(dir_.path() / "state.db-wal");
    boost::asio::io_context io;
    boost::asio::co_spawn(io, alerter.deliver(), boost::asio::detached);
    io.run();
    commits_after_ = wal_commits(dir_.path() / "state.db-wal");
    committed_at_end_ = static_cast<int>(records.all().size());
    kept_.push_back(std::move(channels));  // the channel outlives this call, for the assertions
    return channel;
  }

  testing::TempDir dir_;
  int commits_before_ = 0;
  int commits_after_ = 0;
  int committed_at_end_ = 0;
  std::vector<std::vector<ChannelEntry>> kept_;
};

TEST_F(AlerterTest, RecordsOfDeliveriesThatDoNotWaitAreCommittedTogether) {
  const auto& channel = deliver_five(/*waits=*/false);
  EXPECT_EQ(channel.delivered(), (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"}));
  EXPECT_EQ(channel.committed_before(), (std::vector<int>{0, 0, 0, 0, 0}));
  EXPECT_EQ(committed_at_end_, 5);
  EXPECT_EQ(commits_after_ - commits_before_, 1);  // one commit for the five records, not five
}

TEST_F(AlerterTest, BeforeADeliveryThatWaitsEveryRecordOfWhatWasSentIsCommitted) {
  const auto& channel = deliver_five(/*waits=*/true);
  EXPECT_EQ(channel.delivered(), (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"}));
  EXPECT_EQ(channel.committed_before(), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(committed_at_end_, 5);
}

// Fails its first `failures` deliveries, then takes every event; notes the kinds it took.
class FlakyChannel : public alert::AlertChannel {
 public:
  explicit FlakyChannel(int failures) : failures_(failures) {}
  std::string describe() const override { return "flaky"; }
  std::optional<std::string> deliver(const alert::AlertEvent& event) override {
    if (failures_ > 0) {
      --failures_;
      return "connection refused";
    }
    taken_.push_back(event.kind);
    return std::nullopt;
  }
  const std::vector<alert::EventKind>& taken() const { return taken_; }

 private:
  int failures_;
  std::vector<alert::EventKind> taken_;
};

model::IpSet set_of(const char* cidr) {
  model::IpSetBuilder b;
  b.add(*model::parse_ip_entry(cidr));
  return std::move(b).build();
}

// One Alerter over a real state database and one recording channel with the given filter; each step observes
// and delivers, as a daemon tick does.
class AlerterEventsTest : public ::testing::Test {
 protected:
  void start(config::AlertConfig filter, store::StateDbOptions options = {}) {
    db_.emplace(store::open_state_db(dir_.path() / "state.db", options));
    records_.emplace(*db_);
    auto owned = std::make_unique<RecordingChannel>(false, dir_.path() / "state.db");
    channel_ = owned.get();
    channels_.push_back({std::move(filter), std::move(owned)});
    alerter_.emplace(*records_, channels_, std::chrono::hours{24}, [this](const std::string& l) { log_.push_back(l); });
  }
  // A channel before the recording one (call before start()).
  FlakyChannel& add_flaky(int failures) {
    auto owned = std::make_unique<FlakyChannel>(failures);
    auto& flaky = *owned;
    channels_.push_back({config::AlertConfig{}, std::move(owned)});
    return flaky;
  }
  template <typename Observe>
  void step(Observe observe) {
    observe(*alerter_);
    boost::asio::io_context io;
    boost::asio::co_spawn(io, alerter_->deliver(), boost::asio::detached);
    io.run();
  }

  testing::TempDir dir_;
  std::optional<store::Database> db_;
  std::optional<store::AlertStore> records_;
  std::vector<ChannelEntry> channels_;
  RecordingChannel* channel_ = nullptr;
  std::optional<Alerter> alerter_;
  std::vector<std::string> log_;
};

TEST_F(AlerterEventsTest, AProblemThatComesBackAfterAFilteredOutRecoveryIsAlertedAgain) {
  config::AlertConfig filter;
  filter.min_severity = alert::Severity::kWarning;  // "can be read again" is a notice: filtered out
  start(filter);
  config::TargetConfig target;
  target.name = "mail-allow";
  target.spec.text = "file:/etc/postfix/allow.cidr";
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 1'000); });
  step([&](Alerter& a) { a.target_read(target, "", 2'000); });
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 3'000); });
  EXPECT_EQ(channel_->kinds(),
            (std::vector<alert::EventKind>{alert::EventKind::kTargetUnreadable, alert::EventKind::kTargetUnreadable}));
  // The filtered-out recovery still moved the record on: closed, then opened again.
  EXPECT_TRUE(records_->load("target:mail-allow")->open);
}

TEST_F(AlerterEventsTest, ADriftGoesOutWithTheSeveritiesTheCheckConfigures) {
  start(config::AlertConfig{});
  config::CheckConfig check;
  check.name = "sdp-mail";
  check.target = "mail-allow";
  check.missing_severity = alert::Severity::kError;
  check.stale_severity = alert::Severity::kInfo;
  const auto result = [](const char* missing, const char* stale) {
    diff::CheckResult r;
    r.name = "sdp-mail";
    r.target = "mail-allow";
    r.status = diff::CheckStatus::kCritical;  // what evaluate_check makes of "error"; the event keeps "error"
    if (missing != nullptr) r.missing_ips = set_of(missing);
    if (stale != nullptr) r.stale_ips = set_of(stale);
    return r;
  };
  step([&](Alerter& a) { a.check_evaluated(check, result(nullptr, "192.0.2.0/24"), 1'000); });
  step([&](Alerter& a) { a.check_evaluated(check, result("198.51.100.7/32", "192.0.2.0/24"), 2'000); });
  step([&](Alerter& a) { a.check_evaluated(check, result("198.51.100.7/32", nullptr), 3'000); });
  EXPECT_EQ(channel_->kinds(),
            (std::vector<alert::EventKind>{alert::EventKind::kDriftNew, alert::EventKind::kDriftChanged,
                                           alert::EventKind::kDriftChanged}));
  EXPECT_EQ(channel_->severities(),
            (std::vector<alert::Severity>{alert::Severity::kInfo, alert::Severity::kError, alert::Severity::kError}));
}

// syslog took the event, the webhook was down (it fails the event and the retry at the end of that delivery):
// the record moves on (syslog must not get it twice), and the webhook gets it at the next delivery, before the
// newer event that arrived meanwhile, which waits behind it.
TEST_F(AlerterEventsTest, AChannelThatFailedAnEventOthersTookGetsItLaterAndInOrder) {
  auto& flaky = add_flaky(2);
  start(config::AlertConfig{});
  config::TargetConfig target;
  target.name = "mail-allow";
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 1'000); });
  EXPECT_TRUE(flaky.taken().empty());
  EXPECT_EQ(channel_->kinds().size(), 1u);
  EXPECT_TRUE(records_->load("target:mail-allow")->open);
  step([&](Alerter& a) { a.target_read(target, "", 2'000); });  // readable again
  using K = alert::EventKind;
  EXPECT_EQ(flaky.taken(), (std::vector<K>{K::kTargetUnreadable, K::kTargetRecovered}));
  EXPECT_EQ(channel_->kinds(), (std::vector<K>{K::kTargetUnreadable, K::kTargetRecovered}));
}

// An event no channel could take waits for its subject's next observation: the Alerter asks for one soon (the
// daemon then re-reads its targets at the next tick instead of up to target_max_age later).
TEST_F(AlerterEventsTest, AnEventNoChannelTookAsksForAnotherLookSoon) {
  auto& flaky = add_flaky(1);
  config::AlertConfig only_changes;
  only_changes.events = {alert::EventKind::kUpstreamChanged};  // the recording channel does not want target events
  start(only_changes);
  config::TargetConfig target;
  target.name = "mail-allow";
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 1'000); });
  EXPECT_TRUE(alerter_->take_look_again());
  EXPECT_FALSE(alerter_->take_look_again());
  EXPECT_FALSE(records_->load("target:mail-allow").has_value());
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 2'000); });  // the look: sent now
  EXPECT_EQ(flaky.taken(), (std::vector<alert::EventKind>{alert::EventKind::kTargetUnreadable}));
  EXPECT_FALSE(alerter_->take_look_again());
}

// A channel that refuses an event for good (a webhook answering 400 to it) is not offered it for ever: after the
// failed delivery and five retries it is dropped, said in the log, and the channel's next event goes out.
TEST_F(AlerterEventsTest, AnOwedEventIsDroppedAfterFiveRetries) {
  auto& flaky = add_flaky(6);
  start(config::AlertConfig{});
  config::TargetConfig target;
  target.name = "mail-allow";
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 1'000); });  // fails, retry fails
  for (int i = 0; i < 4; ++i) step([](Alerter&) {});                                   // four more retries
  EXPECT_TRUE(flaky.taken().empty());
  const auto dropped = std::count_if(log_.begin(), log_.end(), [](const std::string& l) {
    return l.find("alert dropped channel=flaky event=target_unreadable") != std::string::npos;
  });
  EXPECT_EQ(dropped, 1);
  step([&](Alerter& a) { a.target_read(target, "", 2'000); });
  EXPECT_EQ(flaky.taken(), (std::vector<alert::EventKind>{alert::EventKind::kTargetRecovered}));
}

// An upstream change has no record to bring it back: the channel that could not take it owes it.
TEST_F(AlerterEventsTest, AnUpstreamChangeNoChannelTookIsDeliveredLater) {
  auto& flaky = add_flaky(2);
  config::AlertConfig only_targets;
  only_targets.events = {alert::EventKind::kTargetUnreadable};  // the recording channel does not want the change
  start(only_targets);
  config::SourceConfig source;
  source.name = "cf";
  RefreshOutcome changed;
  changed.source = "cf";
  changed.kind = RefreshKind::kChanged;
  changed.added = {"104.24.0.0/14"};
  step([&](Alerter& a) { a.source_refreshed(source, changed, 0, 1'000); });
  EXPECT_TRUE(flaky.taken().empty());
  step([](Alerter&) {});
  EXPECT_EQ(flaky.taken(), (std::vector<alert::EventKind>{alert::EventKind::kUpstreamChanged}));
}

// The store cannot save the record of an event that was sent (here another connection holds the write lock; in
// production, a full disk): the next observation of the same problem sends nothing again, and saves the record
// once the store works. Before, the same alert went out at every tick until the disk had room.
TEST_F(AlerterEventsTest, AnEventSentWhoseRecordCouldNotBeSavedIsNotSentAgain) {
  store::StateDbOptions impatient;
  impatient.busy_timeout = std::chrono::milliseconds(20);
  start(config::AlertConfig{}, impatient);
  config::TargetConfig target;
  target.name = "mail-allow";
  auto blocker = store::Database::open(dir_.path() / "state.db", store::Database::Mode::kReadWrite);
  blocker.exec("BEGIN IMMEDIATE");
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 1'000); });
  ASSERT_EQ(channel_->kinds().size(), 1u);
  EXPECT_FALSE(records_->load("target:mail-allow").has_value());  // sent, not saved
  blocker.exec("ROLLBACK");
  // Observed inside a transaction that then fails (the daemon's, at a COMMIT the full disk refuses): still not
  // sent again at the next observation.
  step([&](Alerter& a) {
    store::Transaction tx(*db_);
    a.target_read(target, "not-found: no such file", 2'000);
  });  // rolled back: not committed
  EXPECT_FALSE(records_->load("target:mail-allow").has_value());
  step([&](Alerter& a) { a.target_read(target, "not-found: no such file", 3'000); });
  EXPECT_EQ(channel_->kinds().size(), 1u);  // not sent again
  ASSERT_TRUE(records_->load("target:mail-allow").has_value());
  EXPECT_TRUE(records_->load("target:mail-allow")->open);
}

// Data too old, then current again: said by data_fresh, unless the fetches had failed and fetch_recovered, in the
// same observation, says it.
TEST_F(AlerterEventsTest, DataThatIsCurrentAgainIsSaidOnce) {
  start(config::AlertConfig{});
  config::SourceConfig source;
  source.name = "cf";
  source.fetch.fail_alert_after = 1;
  const std::int64_t hour = 3'600'000;
  const std::int64_t too_old = source.fetch.max_age.count() * 1000 + hour;
  // A suspect list held past max_age: the fetches work, the data grows old, then the hold ends.
  step([&](Alerter& a) { a.source_age(source, too_old, 1'000); });
  step([&](Alerter& a) { a.source_age(source, 0, 2'000); });
  // Failed fetches: the data grows old; the first good fetch makes it current.
  RefreshOutcome failed;
  failed.source = "cf";
  failed.kind = RefreshKind::kFailed;
  failed.error_kind = "connect";
  RefreshOutcome unchanged;
  unchanged.source = "cf";
  unchanged.kind = RefreshKind::kUnchanged;
  step([&](Alerter& a) {
    a.source_refreshed(source, failed, 1, 3'000);
    a.source_age(source, too_old, 3'000);
  });
  step([&](Alerter& a) {
    a.source_refreshed(source, unchanged, 0, 4'000);
    a.source_age(source, 0, 4'000);
  });
  using K = alert::EventKind;
  EXPECT_EQ(channel_->kinds(),
            (std::vector<K>{K::kDataStale, K::kDataFresh, K::kFetchFailing, K::kDataStale, K::kFetchRecovered}));
}

TEST_F(AlerterEventsTest, AFetchFailingWithVaryingErrorsIsOneAlertUntilItRecovers) {
  start(config::AlertConfig{});
  config::SourceConfig source;
  source.name = "flaky";
  source.fetch.fail_alert_after = 2;
  const auto outcome = [](RefreshKind kind, const char* error_kind) {
    RefreshOutcome o;
    o.source = "flaky";
    o.kind = kind;
    o.error_kind = error_kind;
    o.message = std::string(error_kind) + ": it went wrong";
    return o;
  };
  int failures = 0;
  for (const char* kind : {"timeout", "connect", "http_status", "timeout", "tls"}) {
    ++failures;
    step([&](Alerter& a) {
      a.source_refreshed(source, outcome(RefreshKind::kFailed, kind), failures, failures * 1'000);
    });
  }
  step([&](Alerter& a) { a.source_refreshed(source, outcome(RefreshKind::kUnchanged, ""), 0, 10'000); });
  EXPECT_EQ(channel_->kinds(),
            (std::vector<alert::EventKind>{alert::EventKind::kFetchFailing, alert::EventKind::kFetchRecovered}));
}

}  // namespace
}  // namespace allowdrift::app
