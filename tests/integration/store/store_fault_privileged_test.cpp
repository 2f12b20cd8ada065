// Suite StoreFaultPrivileged needs root (ctest label "privileged"): disk full on a small tmpfs and a read-only
// bind mount, each in a private mount namespace of a forked child, and a child dropped to uid 65534; in the last
// two, the daemon's open is refused at start and the CLI's read-only open works or says why it cannot.
#include "child_checks.h"
#include "store_fault_util.h"
#include "store_test_util.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::store {
namespace {

using namespace fault_test;
using allowdrift::testing::ChildChecks;
using allowdrift::testing::private_mount_namespace;
using allowdrift::testing::run_in_child;
using allowdrift::testing::write_all;
using testing::read_bytes;
using testing::TempDir;

// The privileged cases need root; without it they fail loudly instead of being skipped.
void require_root(ChildChecks& c) {
  c.check(::geteuid() == 0, "this test needs root (ctest label 'privileged'); euid is " + std::to_string(::geteuid()));
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
