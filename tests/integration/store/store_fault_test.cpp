// Storage faults on real files and real processes, no mocks (issue 5, "Faults"; research/reliability.md §5 S1-S4,
// S7 and §6.6):
//   - kill -9 of a writer in the middle of large snapshot writes, 20 times: WAL recovery, integrity_check, and
//     every snapshot all-or-nothing;
//   - a lock held by another process past the busy timeout: kBusy, then the next record succeeds;
//   - truncated, header-garbled and zero-filled files: refused at open, bytes untouched;
//   - a missing state directory: kCannotOpen.
// Suite StoreFaultPrivileged needs root (ctest label "privileged"): disk full on a small tmpfs and a read-only
// bind mount, each in a private mount namespace of a forked child, and a child dropped to uid 65534; in the last
// two, the daemon's open is refused at start and the CLI's read-only open works or says why it cannot.
#include "store/snapshot_store.h"
#include "store/state_db.h"
#include "store_fault_content.h"
#include "store_test_util.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#ifndef ALLOWDRIFT_STORE_WRITER
#error "ALLOWDRIFT_STORE_WRITER must name the store_writer executable"
#endif

namespace allowdrift::store {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

// --- helpers ---

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The rows of PRAGMA integrity_check, joined: "ok" for a sound database.
std::string integrity(Database& db) {
  auto st = db.prepare("PRAGMA integrity_check");
  std::string out;
  while (st.step()) out += (out.empty() ? "" : "; ") + st.column_text(0);
  return out;
}

std::int64_t scalar(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  return st.step() ? st.column_int64(0) : -1;
}

// The directory's file names, to show that a refused open left nothing behind (no -wal, -shm or -journal).
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// A small snapshot of generation `gen` with `count` prefixes (the content scheme of store_fault_content.h).
SnapshotInput small_input(std::int64_t gen, std::int64_t count) {
  SnapshotInput in;
  in.source = fault::kSource;
  in.fetched_at = 1'700'000'000'000 + gen * 1000;
  in.change_token = "gen=" + std::to_string(gen) + ";n=" + std::to_string(count);
  in.sections.push_back({"", fault::content_of(gen, count), {}});
  return in;
}

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

// Runs `body` in a forked child (a private mount namespace or dropped privileges must not leak into the test
// process) and reports the child's failed checks here. The child never inherits an open database: each test
// forks before opening anything it keeps.
class ChildChecks {
 public:
  void check(bool ok, const std::string& what) {
    if (!ok) failures_ += what + "\n";
  }
  const std::string& failures() const { return failures_; }

 private:
  std::string failures_;
};

void run_in_child(const std::function<void(ChildChecks&)>& body) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0) << errno_text("pipe2");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0) << errno_text("fork");
  if (pid == 0) {
    ::close(fds[0]);
    ChildChecks checks;
    try {
      body(checks);
    } catch (const std::exception& e) {
      checks.check(false, std::string("uncaught exception: ") + e.what());
    }
    write_all(fds[1], checks.failures());
    ::_exit(checks.failures().empty() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string report;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status) << "\n" << report;
  EXPECT_EQ(WEXITSTATUS(status), 0) << report;
  EXPECT_EQ(report, "");
}

// The privileged cases need root; without it they fail loudly instead of being skipped.
void require_root(ChildChecks& c) {
  c.check(::geteuid() == 0, "this test needs root (ctest label 'privileged'); euid is " + std::to_string(::geteuid()));
}

bool private_mount_namespace(ChildChecks& c) {
  if (::unshare(CLONE_NEWNS) != 0) {
    c.check(false, errno_text("unshare(CLONE_NEWNS)"));
    return false;
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    c.check(false, errno_text("mount --make-rprivate /"));
    return false;
  }
  return true;
}

StoreError open_failure(const std::function<void()>& open) {
  try {
    open();
  } catch (const StoreFailure& e) {
    return e.error();
  }
  return {StoreErrorKind::kInternal, "<opened without error>"};
}

std::string describe(const StoreError& e) { return std::string(to_string(e.kind)) + ": " + e.message; }

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

// --- corrupt or not-a-database files ---

// A real, checkpointed state database of a few hundred pages, closed (no -wal left).
void make_database(const fs::path& path) {
  Database db = open_state_db(path);
  SnapshotStore store(db);
  for (std::int64_t gen = 0; gen < 3; ++gen) store.record(small_input(gen, 3000));
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// Both open paths (daemon: read-write; CLI: read-only) refuse the file, name it, and leave it and its directory
// exactly as they were.
void expect_refused_untouched(const fs::path& path) {
  const std::string before = read_bytes(path);
  const auto files_before = listing(path.parent_path());
  for (const bool read_only : {false, true}) {
    SCOPED_TRACE(read_only ? "open_state_db_read_only" : "open_state_db");
    const StoreError e = open_failure([&] {
      if (read_only)
        open_state_db_read_only(path);
      else
        open_state_db(path);
    });
    EXPECT_THAT(e.kind, AnyOf(StoreErrorKind::kCorrupt, StoreErrorKind::kNotADatabase)) << describe(e);
    EXPECT_THAT(e.message, HasSubstr(path.string()));
    EXPECT_EQ(read_bytes(path), before) << "the refused file was modified";
    auto files = listing(path.parent_path());
    if (read_only) {
      // A read-only SQLite connection to a WAL-mode file cannot remove the -wal and -shm it opened (it does so
      // with a sound database too); what matters is that it wrote no frame.
      const fs::path wal = path.string() + "-wal";
      if (fs::exists(wal)) {
        EXPECT_EQ(fs::file_size(wal), 0U) << "frames written to " << wal;
      }
      files.erase(wal.filename().string());
      files.erase(path.filename().string() + "-shm");
    }
    EXPECT_EQ(files, files_before) << "files left next to the refused database";
  }
}

TEST(StoreFault, TruncatedDatabaseIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path path = dir.path() / "state.db";
  make_database(path);
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 40U * 4096U);
  fs::resize_file(path, size / 2);
  expect_refused_untouched(path);
  EXPECT_EQ(fs::file_size(path), size / 2);
}

TEST(StoreFault, RandomBytesInTheHeaderAreRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path clean = dir.path() / "clean.db";
  make_database(clean);
  const std::string original = read_bytes(clean);
  std::mt19937 rng(100U);
  std::uniform_int_distribution<int> byte(0, 255);
  // All 100 header bytes, then (several seeds) everything after the 16-byte magic string, which SQLite must
  // judge from the fields themselves (page size, payload fractions, file format numbers, ...).
  for (int variant = 0; variant < 9; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    std::string bytes = original;
    for (std::size_t i = variant == 0 ? 0 : 16; i < 100; ++i) bytes[i] = static_cast<char>(byte(rng));
    const fs::path path = dir.path() / ("garbled-" + std::to_string(variant) + ".db");
    write_file(path, bytes);
    expect_refused_untouched(path);
  }
}

TEST(StoreFault, ZeroFilledFileIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path path = dir.path() / "state.db";
  write_file(path, std::string(4 * 4096, '\0'));
  expect_refused_untouched(path);
  EXPECT_EQ(read_bytes(path), std::string(4 * 4096, '\0'));
}

// --- missing state directory ---

TEST(StoreFault, MissingStateDirectoryIsAClearErrorAtStart) {
  TempDir dir;
  const fs::path missing = dir.path() / "not-created-yet" / "state.db";
  for (const bool read_only : {false, true}) {
    const StoreError e = open_failure([&] {
      if (read_only)
        open_state_db_read_only(missing);
      else
        open_state_db(missing);
    });
    EXPECT_EQ(e.kind, StoreErrorKind::kCannotOpen) << describe(e);
    EXPECT_THAT(e.message, HasSubstr(missing.string()));
    EXPECT_THAT(e.message, HasSubstr("does not exist"));
  }
  EXPECT_FALSE(fs::exists(missing.parent_path())) << "the state directory must not be created behind our back";

  // A regular file where the state directory should be.
  const fs::path not_a_dir = dir.path() / "state";
  write_file(not_a_dir, "x");
  const StoreError e = open_failure([&] { open_state_db(not_a_dir / "state.db"); });
  EXPECT_EQ(e.kind, StoreErrorKind::kCannotOpen) << describe(e);
  EXPECT_THAT(e.message, HasSubstr((not_a_dir / "state.db").string()));
  EXPECT_EQ(read_bytes(not_a_dir), "x");
}

// --- privileged: disk full, read-only mount, unprivileged user ---

// The CLI opens the database read-only. Without write access to the state directory SQLite cannot create the
// WAL index (-shm) it needs even to read a WAL database, so the open either works (the -shm is there) or must
// say that clearly: name the file and the cause ("write access", as state_db.cpp words it), not only SQLite's
// "unable to open database file".
void check_cli_read_only_open(ChildChecks& c, const fs::path& path, const std::string& where) {
  try {
    Database ro = open_state_db_read_only(path);
    SnapshotStore ro_store(ro);
    c.check(ro_store.last_accepted(fault::kSource).has_value(), where + ": read-only open reads the last snapshot");
  } catch (const StoreFailure& failure) {
    const StoreError& e = failure.error();
    c.check(e.kind == StoreErrorKind::kReadOnly || e.kind == StoreErrorKind::kCannotOpen,
            where + ": read-only open: " + describe(e));
    c.check(e.message.find(path.string()) != std::string::npos, where + ": message names the database: " + e.message);
    c.check(e.message.find("write access") != std::string::npos,
            where + ": read-only open fails without saying why: " + describe(e));
  }
}

TEST(StoreFaultPrivileged, DiskFullFailsTheWriteCleanlyAndKeepsEarlierSnapshots) {
  TempDir dir;
  const fs::path mnt = dir.path() / "state";
  fs::create_directories(mnt);
  run_in_child([&](ChildChecks& c) {
    require_root(c);
    if (!private_mount_namespace(c)) return;
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=512k,mode=0755") != 0) {
      c.check(false, errno_text("mount tmpfs size=512k on " + mnt.string()));
      return;
    }
    // Something to delete later to make room, as an operator would.
    const fs::path filler = mnt / "filler";
    write_file(filler, std::string(192 * 1024, 'f'));
    c.check(fs::file_size(filler) == 192 * 1024, "filler file written");

    const fs::path path = mnt / "state.db";
    Database db = open_state_db(path);
    SnapshotStore store(db);
    constexpr std::int64_t kCount = 100;
    std::vector<RecordResult> stored;
    std::optional<StoreError> failure;
    for (std::int64_t gen = 0; gen < 200 && !failure; ++gen) {
      try {
        stored.push_back(store.record(small_input(gen, kCount)));
      } catch (const StoreFailure& e) {
        failure = e.error();
      }
    }
    if (!failure) {
      c.check(false, "200 snapshots fit in a 512k tmpfs: the disk never filled");
      return;
    }
    c.check(failure->kind == StoreErrorKind::kFull, "the failed write is kFull: " + describe(*failure));
    c.check(failure->message.find(path.string()) != std::string::npos,
            "message names the database: " + failure->message);
    c.check(failure->message.find("full") != std::string::npos, "message says full: " + failure->message);
    std::printf("disk full after %zu snapshots: %s\n", stored.size(), describe(*failure).c_str());
    std::fflush(stdout);
    c.check(stored.size() >= 2,
            "at least two snapshots fitted before the disk filled: " + std::to_string(stored.size()));

    // Still running, the connection still usable, everything committed before intact, and nothing of the failed
    // snapshot left: no row, no entry.
    auto check_intact = [&](const std::string& when) {
      c.check(integrity(db) == "ok", when + ": integrity_check: " + integrity(db));
      const auto history = store.history(fault::kSource, 1000);
      c.check(history.size() == stored.size(), when + ": " + std::to_string(history.size()) + " snapshot rows, " +
                                                   std::to_string(stored.size()) + " committed");
      c.check(scalar(db, "SELECT count(*) FROM entry") == kCount * static_cast<std::int64_t>(stored.size()),
              when + ": entry rows " + std::to_string(scalar(db, "SELECT count(*) FROM entry")));
      for (std::size_t g = 0; g < stored.size(); ++g) {
        const auto content = store.content(stored[g].snapshot_id);
        c.check(content.size() == 1 && content[0].ips == fault::content_of(static_cast<std::int64_t>(g), kCount),
                when + ": content of generation " + std::to_string(g));
      }
    };
    check_intact("after the failed write");
    const auto last = store.last_accepted(fault::kSource);
    c.check(last && last->id == stored.back().snapshot_id, "last accepted is the last committed snapshot");
    // A second start while the disk is still full opens the database and serves the last good snapshot.
    try {
      Database restarted = open_state_db(path);
      SnapshotStore restarted_store(restarted);
      const auto seen = restarted_store.last_accepted(fault::kSource);
      c.check(seen && seen->id == stored.back().snapshot_id, "last accepted, seen by a new connection on a full disk");
      c.check(integrity(restarted) == "ok", "integrity_check of a new connection on a full disk");
    } catch (const StoreFailure& e) {
      c.check(false, "opening the database while the disk is full: " + describe(e.error()));
    }

    // Free space (as an operator would); the daemon's next cycle retries the same snapshot on the same
    // connection, and it succeeds, whole.
    fs::remove(filler);
    const auto gen = static_cast<std::int64_t>(stored.size());
    try {
      const auto retried = store.record(small_input(gen, kCount));
      c.check(retried.created, "the retried write created a snapshot");
      stored.push_back(retried);
      store.record_fetch_attempt(fault::kSource, 7, "changed", "", "", 3, 50);
    } catch (const StoreFailure& e) {
      c.check(false, "write after freeing space failed: " + describe(e.error()));
    }
    check_intact("after freeing space");
    c.check(scalar(db, "SELECT count(*) FROM fetch_attempt") == 1, "the fetch attempt was recorded");
    // And a restart finds the same database.
    Database again = open_state_db(path);
    c.check(integrity(again) == "ok", "integrity after reopening");
    c.check(scalar(again, "SELECT count(*) FROM snapshot") == static_cast<std::int64_t>(stored.size()),
            "snapshot rows after reopening");
  });
}

TEST(StoreFaultPrivileged, ReadOnlyBindMountIsRefusedAtStart) {
  TempDir dir;
  const fs::path state = dir.path() / "state";
  fs::create_directories(state);
  const fs::path path = state / "state.db";
  make_database(path);
  const std::string before = read_bytes(path);
  run_in_child([&](ChildChecks& c) {
    require_root(c);
    if (!private_mount_namespace(c)) return;
    if (::mount(state.c_str(), state.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        ::mount(nullptr, state.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      c.check(false, errno_text("read-only bind mount of " + state.string()));
      return;
    }
    const auto files = listing(state);
    const StoreError e = open_failure([&] { open_state_db(path); });
    c.check(e.kind == StoreErrorKind::kReadOnly, "existing database on a read-only mount: " + describe(e));
    c.check(e.message.find(path.string()) != std::string::npos, "message names the database: " + e.message);
    c.check(e.message.find("Read-only file system") != std::string::npos, "message says why: " + e.message);

    const fs::path fresh = state / "new.db";
    const StoreError e2 = open_failure([&] { open_state_db(fresh); });
    c.check(e2.kind == StoreErrorKind::kReadOnly, "new database on a read-only mount: " + describe(e2));
    c.check(e2.message.find(fresh.string()) != std::string::npos, "message names the database: " + e2.message);
    check_cli_read_only_open(c, path, "read-only mount");
    c.check(listing(state) == files, "nothing was created on the read-only mount");
    c.check(read_bytes(path) == before, "the database is unchanged");
  });
  EXPECT_EQ(read_bytes(path), before);
}

TEST(StoreFaultPrivileged, StateDirectoryNotWritableByTheServiceUserIsRefusedAtStart) {
  TempDir dir;
  // Root-owned 0755 directory with a root-owned 0644 database; and a world-writable directory holding one.
  const fs::path state = dir.path() / "state";
  const fs::path open_dir = dir.path() / "open";
  fs::create_directories(state);
  fs::create_directories(open_dir);
  fs::permissions(state, static_cast<fs::perms>(0755));
  fs::permissions(open_dir, static_cast<fs::perms>(0777));
  const fs::path path = state / "state.db";
  const fs::path in_open_dir = open_dir / "state.db";
  make_database(path);
  make_database(in_open_dir);
  const std::string before = read_bytes(path);
  const std::string before_open = read_bytes(in_open_dir);
  run_in_child([&](ChildChecks& c) {
    require_root(c);
    constexpr uid_t kNobody = 65534;
    if (::setgroups(0, nullptr) != 0 || ::setresgid(kNobody, kNobody, kNobody) != 0 ||
        ::setresuid(kNobody, kNobody, kNobody) != 0) {
      c.check(false, errno_text("dropping to uid/gid 65534"));
      return;
    }
    c.check(::geteuid() == kNobody, "running as 65534");
    const StoreError e = open_failure([&] { open_state_db(path); });
    c.check(e.kind == StoreErrorKind::kReadOnly, "root-owned 0755 state directory: " + describe(e));
    c.check(e.message.find(path.string()) != std::string::npos, "message names the database: " + e.message);
    c.check(e.message.find("Permission denied") != std::string::npos, "message says why: " + e.message);

    const StoreError e2 = open_failure([&] { open_state_db(state / "new.db"); });
    c.check(e2.kind == StoreErrorKind::kReadOnly, "new database in a root-owned directory: " + describe(e2));
    c.check(!fs::exists(state / "new.db"), "nothing created");

    const StoreError e3 = open_failure([&] { open_state_db(in_open_dir); });
    c.check(e3.kind == StoreErrorKind::kReadOnly, "root-owned 0644 database: " + describe(e3));
    c.check(e3.message.find("file is not writable") != std::string::npos, "message says why: " + e3.message);
    check_cli_read_only_open(c, path, "root-owned 0755 directory, uid 65534");
    c.check(read_bytes(path) == before && read_bytes(in_open_dir) == before_open, "databases unchanged");
  });
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(read_bytes(in_open_dir), before_open);
}

}  // namespace
}  // namespace allowdrift::store
