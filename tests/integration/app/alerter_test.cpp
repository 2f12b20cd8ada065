// When the Alerter saves the records of the events it sent (app/alerter.h), on a real state database: the records
// of deliveries that do not wait are committed together, and before a delivery that waits, every record of what
// was already sent is committed, so a stop during that wait re-sends none of it. Commits are counted in the WAL
// (commit frames carry the database size, other frames zero); what is committed is read by a second connection.
#include "app/alerter.h"
#include "store/state_db.h"
#include "temp_dir.h"
#include "wal_commits.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
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
    return std::nullopt;
  }
  bool waits() const override { return waits_; }

  const std::vector<int>& committed_before() const { return committed_before_; }
  const std::vector<std::string>& delivered() const { return delivered_; }

 private:
  bool waits_;
  fs::path db_;
  std::vector<int> committed_before_;
  std::vector<std::string> delivered_;
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

}  // namespace
}  // namespace allowdrift::app
