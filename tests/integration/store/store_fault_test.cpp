// Storage faults on real files and real processes, no mocks (issue 5, "Faults"; research/reliability.md §5 S1-S4,
// S7 and §6.6):
//   - kill -9 of a writer in the middle of large snapshot writes, 20 times: WAL recovery, integrity_check, and
//     every snapshot all-or-nothing;
//   - a lock held by another process past the busy timeout: kBusy, then the next record succeeds.
// Corrupt files and a missing state directory are in store_fault_files_test.cpp, the cases that need root in
// store_fault_privileged_test.cpp.
#include "store_fault_util.h"
#include "store_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef ALLOWDRIFT_STORE_WRITER
#error "ALLOWDRIFT_STORE_WRITER must name the store_writer executable"
#endif

namespace allowdrift::store {
namespace {

using namespace fault_test;
using ::testing::HasSubstr;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

// A process of ours (store_writer), its stdout read line by line and optionally its stdin held open.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args, bool pipe_stdin = false) {
    int out[2];
    int in[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) != 0 || (pipe_stdin && ::pipe2(in, O_CLOEXEC) != 0))
      throw std::runtime_error(errno_text("pipe2"));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(errno_text("fork"));
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      if (pipe_stdin) ::dup2(in[0], STDIN_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    if (pipe_stdin) {
      ::close(in[0]);
      in_ = in[1];
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    close_stdin();
    if (out_ >= 0) ::close(out_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // The next line of output; nullopt at end of file or after `timeout`.
  std::optional<std::string> line(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n == 0) return std::nullopt;
      if (n > 0) buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }
  void kill9() const { ::kill(pid_, SIGKILL); }
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int in_ = -1;
  bool reaped_ = false;
  std::string buffer_;
};

// --- kill -9 in the middle of snapshot writes ---

struct KillRound {
  std::int64_t last_begun = -1;      // "B K" seen
  std::int64_t last_committed = -1;  // "C K" seen
  std::int64_t wal_bytes = -1;       // size of the -wal the killed writer left
};

// Reopens the database as the daemon would after a crash (WAL recovery) and checks it whole. Returns the newest
// generation stored. `checked` holds the snapshots whose content was already compared entry by entry.
std::int64_t verify_after_crash(const fs::path& path, std::set<std::int64_t>& checked) {
  Database db = open_state_db(path);
  EXPECT_EQ(integrity(db), "ok");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  // No entry points at a snapshot that does not exist (the half of a torn snapshot that would survive it).
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM entry WHERE added_in NOT IN (SELECT id FROM snapshot) "
                   "OR (removed_in IS NOT NULL AND removed_in NOT IN (SELECT id FROM snapshot))"),
            0);
  SnapshotStore store(db);
  auto rows = store.history(fault::kSource, 1'000'000);
  std::reverse(rows.begin(), rows.end());  // oldest first
  std::int64_t expected_gen = 0;
  std::int64_t present = 0;  // entries in the snapshot: spans opened so far minus spans closed so far
  for (const auto& row : rows) {
    SCOPED_TRACE("snapshot " + std::to_string(row.id) + " token " + row.change_token.value_or("<none>"));
    const auto token = fault::parse_change_token(row.change_token.value_or(""));
    if (!token) {
      ADD_FAILURE() << "snapshot without a generation token";
      continue;
    }
    // Generations are stored in order without gaps: a killed write is redone by the next writer, never skipped.
    EXPECT_EQ(token->gen, expected_gen);
    expected_gen = token->gen + 1;
    EXPECT_EQ(token->count, fault::entry_count(token->gen));
    EXPECT_EQ(row.ip_count, token->count);
    EXPECT_EQ(row.status, SnapshotStatus::kAccepted);
    present += row.added - row.removed;
    EXPECT_EQ(present, token->count) << "entries present in the snapshot";
    if (checked.insert(row.id).second) {
      const auto content = store.content(row.id);
      EXPECT_EQ(content.size(), 1U);
      if (!content.empty()) {
        EXPECT_EQ(content[0].name, "");
        EXPECT_TRUE(content[0].domains.empty());
        EXPECT_TRUE(content[0].ips == fault::content_of(token->gen, token->count))
            << "stored content differs from generation " << token->gen;
        EXPECT_EQ(static_cast<std::int64_t>(content[0].ips.to_cidr_strings().size()), token->count);
      }
    }
  }
  return expected_gen - 1;
}

TEST(StoreFault, KillNineMidSnapshotWriteLeavesEverySnapshotWhole) {
  TempDir dir;
  const fs::path path = dir.path() / "state.db";
  const fs::path wal = path.string() + "-wal";

  // A writer that runs to completion: generations 0 and 1, and the time one large record() with both new and
  // removed entries (generation 1) takes on this machine, so that the kill points below spread over whole writes
  // whatever the machine's speed.
  Clock::duration record_time{};
  {
    Child seed({ALLOWDRIFT_STORE_WRITER, "write", path.string(), "0", "2"});
    ASSERT_EQ(seed.line(), "R");
    ASSERT_EQ(seed.line(), "B 0");
    ASSERT_EQ(seed.line(), "C 0 1");
    ASSERT_EQ(seed.line(), "B 1");
    const auto begun = Clock::now();
    ASSERT_EQ(seed.line(), "C 1 2");
    record_time = Clock::now() - begun;
    const int status = seed.wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  std::set<std::int64_t> checked;
  ASSERT_EQ(verify_after_crash(path, checked), 1);

  constexpr int kKills = 20;
  std::mt19937 rng(0x5eed'2024U);  // fixed: the same kill points (in units of one record()) on every run
  std::uniform_real_distribution<double> where(0.0, 1.0);
  std::int64_t stored = 1;  // newest generation in the database
  int mid_write = 0;
  int committed_then_killed = 0;
  std::vector<KillRound> rounds;
  for (int round = 0; round < kKills; ++round) {
    SCOPED_TRACE("kill " + std::to_string(round + 1));
    const std::int64_t first = stored + 1;
    KillRound r;
    {
      Child writer({ALLOWDRIFT_STORE_WRITER, "write", path.string(), std::to_string(first)});
      ASSERT_EQ(writer.line(), "R");
      ASSERT_EQ(writer.line(), "B " + std::to_string(first));
      r.last_begun = first;
      // One round in four lets a generation commit first, so the kills hit a later transaction of a process
      // that already committed, and the generations (50k to 75k prefixes, half of them replacing the previous
      // ones) vary.
      if (round % 4 == 3) {
        ASSERT_THAT(writer.line(), ::testing::Optional(::testing::StartsWith("C " + std::to_string(first) + " ")));
        ASSERT_EQ(writer.line(), "B " + std::to_string(first + 1));
        r.last_committed = first;
        r.last_begun = first + 1;
      }
      // A random point in the record() that just began (or just after it, if it is faster than the one timed).
      const auto delay = std::chrono::duration_cast<Clock::duration>(record_time * where(rng));
      std::this_thread::sleep_for(delay);
      writer.kill9();
      const int status = writer.wait();
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer ended by itself: " << status;
      while (auto l = writer.line(std::chrono::seconds(5))) {
        std::int64_t gen = 0;
        std::int64_t id = 0;
        if (std::sscanf(l->c_str(), "B %" SCNd64, &gen) == 1) r.last_begun = gen;
        if (std::sscanf(l->c_str(), "C %" SCNd64 " %" SCNd64, &gen, &id) == 2) r.last_committed = gen;
      }
    }
    // The killed writer's WAL is still there (nobody deleted it) and is what the reopen below recovers from.
    ASSERT_TRUE(fs::exists(wal)) << "the -wal of the killed writer is gone";
    r.wal_bytes = static_cast<std::int64_t>(fs::file_size(wal));
    const bool killed_mid_write = r.last_begun > r.last_committed;
    mid_write += killed_mid_write ? 1 : 0;
    committed_then_killed += r.last_committed >= first ? 1 : 0;

    const std::int64_t newest = verify_after_crash(path, checked);
    // Every generation the writer reported committed survived the kill (durable across a process crash)...
    EXPECT_GE(newest, std::max(r.last_committed, stored));
    // ...and the one it was writing is either all there (killed after COMMIT, before reporting it) or absent.
    EXPECT_LE(newest, r.last_begun);
    stored = newest;
    rounds.push_back(r);
    if (::testing::Test::HasFailure()) break;
  }
  // Most kill points fall inside a record() transaction, and the kills hit the transactions of several
  // generations, not one over and over; otherwise the test proved little.
  EXPECT_GE(mid_write, kKills * 3 / 4) << "kills that landed inside record()";
  EXPECT_GE(stored, 1 + kKills / 4) << "generations committed across the kills";
  std::string summary;
  for (const auto& r : rounds)
    summary += " [begun " + std::to_string(r.last_begun) + " committed " + std::to_string(r.last_committed) + " wal " +
               std::to_string(r.wal_bytes / 1024) + "k]";
  RecordProperty("kill_rounds", summary);
  std::printf("record() of %lld prefixes: %lld ms; %d of %d kills inside record(), %d after a commit; %lld snapshots\n",
              static_cast<long long>(fault::entry_count(1)),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(record_time).count()),
              mid_write, kKills, committed_then_killed, static_cast<long long>(stored + 1));

  // Finally every snapshot's content, entry by entry, once more on a fresh connection.
  checked.clear();
  EXPECT_EQ(verify_after_crash(path, checked), stored);
}

// --- lock held by another process ---

TEST(StoreFault, LockHeldPastTheBusyTimeoutIsBusyThenTheNextRecordSucceeds) {
  TempDir dir;
  const fs::path path = dir.path() / "state.db";
  StateDbOptions options;
  options.busy_timeout = std::chrono::milliseconds(200);
  Database db = open_state_db(path, options);
  SnapshotStore store(db);
  const auto first = store.record(small_input(0, 100));
  ASSERT_TRUE(first.created);

  Child holder({ALLOWDRIFT_STORE_WRITER, "hold", path.string()}, true);
  ASSERT_EQ(holder.line(), "L");

  const auto started = Clock::now();
  const StoreError e = open_failure([&] { store.record(small_input(1, 100)); });
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  EXPECT_EQ(e.kind, StoreErrorKind::kBusy) << describe(e);
  EXPECT_THAT(e.message, HasSubstr(path.string()));
  EXPECT_THAT(e.message, HasSubstr("locked"));
  EXPECT_GE(waited.count(), 180) << "gave up before the busy timeout";
  EXPECT_LT(waited.count(), 5000) << "waited far past the busy timeout";
  // A fetch attempt is refused the same way.
  const StoreError e2 =
      open_failure([&] { store.record_fetch_attempt(fault::kSource, 5, "failed", "timeout", "x", 1, 0); });
  EXPECT_EQ(e2.kind, StoreErrorKind::kBusy) << describe(e2);

  // The connection is still usable: reads do not wait for the writer in WAL mode, and see the last commit.
  const auto last = store.last_accepted(fault::kSource);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->id, first.snapshot_id);
  EXPECT_EQ(store.history(fault::kSource).size(), 1U);
  // The daemon can even start while the lock is held: opening needs no write lock on a migrated database.
  EXPECT_NO_THROW(open_state_db(path, options));

  holder.close_stdin();
  EXPECT_EQ(holder.line(), "U");
  const int status = holder.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "holder status " << status;

  const auto second = store.record(small_input(1, 100));
  EXPECT_TRUE(second.created);
  EXPECT_NE(second.snapshot_id, first.snapshot_id);
  EXPECT_TRUE(store.content(second.snapshot_id).at(0).ips == fault::content_of(1, 100));
  EXPECT_THAT(store.sources(), ::testing::ElementsAre(fault::kSource, "holder"));  // the holder's commit landed
  EXPECT_NO_THROW(store.record_fetch_attempt(fault::kSource, 6, "changed", "", "", 1, 10));
  EXPECT_EQ(integrity(db), "ok");
}

}  // namespace
}  // namespace allowdrift::store
