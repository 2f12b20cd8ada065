// A SQLite VFS that wraps the default one and counts the syncs of write-ahead log files, calling a hook at each,
// and notes which threads write to them: tests see when commits reach the disk, and from where. Installed as the
// default VFS for the lifetime of the object (the connections opened meanwhile use it); one at a time.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace allowdrift::testing {

class CountingVfs {
 public:
  CountingVfs() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "allowdrift-counting";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
    vfs_.pAppData = this;
    vfs_.xOpen = &CountingVfs::open;
    sqlite3_vfs_register(&vfs_, 1);
  }
  ~CountingVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(base_, 1);
  }
  CountingVfs(const CountingVfs&) = delete;
  CountingVfs& operator=(const CountingVfs&) = delete;

  int wal_syncs() const { return wal_syncs_; }
  std::function<void()> on_wal_sync;  // called after each WAL sync
  // The threads that wrote to a WAL file (commits append their pages there).
  std::set<std::thread::id> wal_writers() const {
    std::lock_guard lock(mu_);
    return wal_writers_;
  }

 private:
  // Our file: the methods below, then the base VFS's file object right after it.
  struct File {
    sqlite3_file base;
    CountingVfs* owner;
    bool wal;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  static File* self(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* opened, int open_flags, int* flags_out) {
    auto* owner = static_cast<CountingVfs*>(vfs->pAppData);
    auto* file = reinterpret_cast<File*>(opened);
    file->owner = owner;
    file->wal = (open_flags & SQLITE_OPEN_WAL) != 0;
    file->base.pMethods = nullptr;
    const int rc = owner->base_->xOpen(owner->base_, name, file->real(), open_flags, flags_out);
    if (rc != SQLITE_OK || file->real()->pMethods == nullptr) return rc;
    owner->methods_ = *file->real()->pMethods;  // the same table for every file of the base VFS
    owner->methods_.xClose = [](sqlite3_file* f) { return self(f)->real()->pMethods->xClose(self(f)->real()); };
    owner->methods_.xRead = [](sqlite3_file* f, void* buf, int n, sqlite3_int64 at) {
      return self(f)->real()->pMethods->xRead(self(f)->real(), buf, n, at);
    };
    owner->methods_.xWrite = [](sqlite3_file* f, const void* buf, int n, sqlite3_int64 at) {
      if (self(f)->wal) {
        std::lock_guard lock(self(f)->owner->mu_);
        self(f)->owner->wal_writers_.insert(std::this_thread::get_id());
      }
      return self(f)->real()->pMethods->xWrite(self(f)->real(), buf, n, at);
    };
    owner->methods_.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
      return self(f)->real()->pMethods->xTruncate(self(f)->real(), size);
    };
    owner->methods_.xSync = [](sqlite3_file* f, int flags) {
      const int result = self(f)->real()->pMethods->xSync(self(f)->real(), flags);
      if (self(f)->wal) {
        ++self(f)->owner->wal_syncs_;
        if (self(f)->owner->on_wal_sync) self(f)->owner->on_wal_sync();
      }
      return result;
    };
    owner->methods_.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
      return self(f)->real()->pMethods->xFileSize(self(f)->real(), size);
    };
    owner->methods_.xLock = [](sqlite3_file* f, int level) {
      return self(f)->real()->pMethods->xLock(self(f)->real(), level);
    };
    owner->methods_.xUnlock = [](sqlite3_file* f, int level) {
      return self(f)->real()->pMethods->xUnlock(self(f)->real(), level);
    };
    owner->methods_.xCheckReservedLock = [](sqlite3_file* f, int* out) {
      return self(f)->real()->pMethods->xCheckReservedLock(self(f)->real(), out);
    };
    owner->methods_.xFileControl = [](sqlite3_file* f, int op, void* arg) {
      return self(f)->real()->pMethods->xFileControl(self(f)->real(), op, arg);
    };
    owner->methods_.xSectorSize = [](sqlite3_file* f) {
      return self(f)->real()->pMethods->xSectorSize(self(f)->real());
    };
    owner->methods_.xDeviceCharacteristics = [](sqlite3_file* f) {
      return self(f)->real()->pMethods->xDeviceCharacteristics(self(f)->real());
    };
    owner->methods_.xShmMap = [](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
      return self(f)->real()->pMethods->xShmMap(self(f)->real(), page, size, extend, out);
    };
    owner->methods_.xShmLock = [](sqlite3_file* f, int offset, int n, int flags) {
      return self(f)->real()->pMethods->xShmLock(self(f)->real(), offset, n, flags);
    };
    owner->methods_.xShmBarrier = [](sqlite3_file* f) { self(f)->real()->pMethods->xShmBarrier(self(f)->real()); };
    owner->methods_.xShmUnmap = [](sqlite3_file* f, int remove) {
      return self(f)->real()->pMethods->xShmUnmap(self(f)->real(), remove);
    };
    owner->methods_.xFetch = [](sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
      return self(f)->real()->pMethods->xFetch(self(f)->real(), at, n, out);
    };
    owner->methods_.xUnfetch = [](sqlite3_file* f, sqlite3_int64 at, void* p) {
      return self(f)->real()->pMethods->xUnfetch(self(f)->real(), at, p);
    };
    file->base.pMethods = &owner->methods_;
    return rc;
  }

  sqlite3_vfs* base_ = nullptr;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  int wal_syncs_ = 0;
  mutable std::mutex mu_;
  std::set<std::thread::id> wal_writers_;
};

}  // namespace allowdrift::testing
