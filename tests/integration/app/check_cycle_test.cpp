// A --once pass (app/check_cycle.h) in-process, on a real state database, with the sources answered by FakeFetcher
// and a recording alert channel: the refreshes, made on a store thread under synchronous = NORMAL, reach the disk
// together (one WAL sync, counted by a VFS that wraps SQLite's own) once all of them are committed and before the
// first alert goes out; the connection is back to FULL afterwards.
#include "app/check_cycle.h"
#include "config/config_loader.h"
#include "counting_vfs.h"
#include "net/fake_fetcher.h"
#include "store/state_db.h"
#include "temp_dir.h"
#include "wal_commits.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace allowdrift::app {
namespace {

namespace fs = std::filesystem;

// Notes, at each event it is given, how many WAL syncs there had been.
class RecordingChannel : public alert::AlertChannel {
 public:
  explicit RecordingChannel(const testing::CountingVfs& vfs) : vfs_(vfs) {}
  std::string describe() const override { return "recording"; }
  std::optional<std::string> deliver(const alert::AlertEvent&) override {
    syncs_at_delivery.push_back(vfs_.wal_syncs());
    return std::nullopt;
  }
  std::vector<int> syncs_at_delivery;

 private:
  const testing::CountingVfs& vfs_;
};

// The state database and the stores a pass writes.
struct State {
  explicit State(const fs::path& path) : db(store::open_state_db(path)) {}
  store::Database db;
  store::SnapshotStore snapshots{db};
  store::AlertStore records{db};
  store::DriftLog drift_log{db};
  store::ReadingLog readings{db};
};

// One --once pass as once_command runs it: the store's work on a thread of its own.
std::optional<CycleReport> run_pass(const config::Config& config, net::Fetcher& fetcher,
                                    store::SnapshotStore& snapshots, Alerter& alerter, CycleLogs logs) {
  boost::asio::io_context io;
  boost::asio::thread_pool store_thread(1);
  std::optional<CycleReport> report;
  boost::asio::co_spawn(io,
                        run_cycle(config, {fetcher, snapshots, std::nullopt, store_thread.get_executor()}, alerter,
                                  logs, std::chrono::steady_clock::now() + std::chrono::seconds(30)),
                        [&](const std::exception_ptr& e, CycleReport r) {
                          if (e) std::rethrow_exception(e);
                          report = std::move(r);
                        });
  io.run();
  store_thread.join();
  return report;
}

TEST(CheckCycle, TheRefreshesReachTheDiskTogetherBeforeTheFirstAlert) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  std::ofstream(dir / "allow.txt") << "192.0.2.0/24\n";
  {
    std::ofstream toml(dir / "allowdrift.toml");
    toml << "state_dir = \"" << dir.string() << "\"\n";
    for (int i = 0; i < 3; ++i) {
      toml << "[[source]]\nname = \"s" << i << "\"\nurl = \"https://example.test/s" << i << "\"\nformat = \"text\"\n";
    }
    toml << "[[target]]\nname = \"web\"\nspec = \"file:" << (dir / "allow.txt").string() << "\"\n"
         << "[[check]]\nname = \"all\"\nsources = [\"s0\", \"s1\", \"s2\"]\ntarget = \"web\"\n";
  }
  auto config = config::load_config((dir / "allowdrift.toml").string());
  ASSERT_TRUE(config.has_value()) << config.error().messages.front();
  net::FakeFetcher fetcher;
  for (int i = 0; i < 3; ++i) {
    fetcher.add_body("https://example.test/s" + std::to_string(i), "198.51.100." + std::to_string(i) + "/32\n");
  }

  testing::CountingVfs vfs;
  std::vector<int> commits_at_sync;
  const fs::path wal = dir / "state.db-wal";
  vfs.on_wal_sync = [&] { commits_at_sync.push_back(testing::wal_commits(wal)); };
  State state(dir / "state.db");
  std::vector<ChannelEntry> channels;
  auto owned = std::make_unique<RecordingChannel>(vfs);
  auto& channel = *owned;
  channels.push_back({config::AlertConfig{}, std::move(owned)});
  Alerter alerter(state.records, channels, std::chrono::hours{24}, [](const std::string&) {});
  const int commits_before = testing::wal_commits(wal);
  const int syncs_before = vfs.wal_syncs();
  commits_at_sync.clear();

  const auto report = run_pass(*config, fetcher, state.snapshots, alerter, {state.drift_log, state.readings});

  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->refreshes.size(), 3U);
  for (const auto& r : report->refreshes) EXPECT_EQ(r.kind, RefreshKind::kBaseline) << r.source << ": " << r.message;
  const auto writers = vfs.wal_writers();
  EXPECT_EQ(writers.count(std::this_thread::get_id()), 1U) << "the commits after the refreshes are this thread's";
  EXPECT_EQ(writers.size(), 2U) << "the refreshes were committed on the store thread";
  ASSERT_FALSE(commits_at_sync.empty());
  // The first sync came when the three refreshes (a commit each) were in the WAL, and nothing after them: none was
  // synced on its own, and they were synced as soon as the last was in.
  EXPECT_EQ(commits_at_sync.front(), commits_before + 3);
  ASSERT_FALSE(channel.syncs_at_delivery.empty()) << "the baselines and the drift are alerted";
  EXPECT_GT(channel.syncs_at_delivery.front(), syncs_before) << "the first alert went out after that sync";
  auto st = state.db.prepare("PRAGMA synchronous");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int64(0), 2) << "FULL again after the refreshes";
}

// A source with a version endpoint (Microsoft 365) on the store thread: its version is read and settled there, its
// list fetched in the same turn; the next pass, with the same version, confirms the list without fetching it.
TEST(CheckCycle, AVersionEndpointIsPolledBeforeItsListOnTheStoreThread) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  std::ofstream(dir / "allow.txt") << "192.0.2.0/24\n";
  const std::string guid = "11111111-2222-3333-4444-555555555555";
  {
    std::ofstream toml(dir / "allowdrift.toml");
    toml << "state_dir = \"" << dir.string() << "\"\n"
         << "[[source]]\nname = \"m365\"\npreset = \"microsoft365\"\n"
         << "params = { clientrequestid = \"" << guid << "\" }\n"
         << "[[target]]\nname = \"web\"\nspec = \"file:" << (dir / "allow.txt").string() << "\"\n"
         << "[[check]]\nname = \"m365\"\nsources = [\"m365\"]\ntarget = \"web\"\n";
  }
  auto config = config::load_config((dir / "allowdrift.toml").string());
  ASSERT_TRUE(config.has_value()) << config.error().messages.front();
  const std::string version_url = "https://endpoints.office.com/version/Worldwide?clientrequestid=" + guid;
  const std::string list_url = "https://endpoints.office.com/endpoints/worldwide?clientrequestid=" + guid;
  net::FakeFetcher fetcher;
  fetcher.add_body(version_url, R"({"instance": "Worldwide", "latest": "2025061200"})");
  fetcher.add_body(list_url, R"([{"id": 1, "serviceArea": "Exchange", "ips": ["203.0.113.0/24"],
                                   "urls": ["outlook.office.com"]}])");

  State state(dir / "state.db");
  std::vector<ChannelEntry> channels;
  Alerter alerter(state.records, channels, std::chrono::hours{24}, [](const std::string&) {});
  const auto pass = [&] {
    return run_pass(*config, fetcher, state.snapshots, alerter, {state.drift_log, state.readings});
  };

  auto first = pass();
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->refreshes.size(), 1U);
  EXPECT_EQ(first->refreshes[0].kind, RefreshKind::kBaseline) << first->refreshes[0].message;
  ASSERT_EQ(fetcher.requests().size(), 2U);
  EXPECT_EQ(fetcher.requests()[0].url, version_url);
  EXPECT_EQ(fetcher.requests()[1].url, list_url);

  auto second = pass();
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->refreshes.size(), 1U);
  EXPECT_EQ(second->refreshes[0].kind, RefreshKind::kUnchanged);
  EXPECT_EQ(second->refreshes[0].message, "version 2025061200 unchanged");
  ASSERT_EQ(fetcher.requests().size(), 3U) << "the version again, not the list";
  EXPECT_EQ(fetcher.requests()[2].url, version_url);
}

}  // namespace
}  // namespace allowdrift::app
