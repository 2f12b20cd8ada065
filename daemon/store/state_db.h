// Opens allowdrift's state database: checks the location, refuses files that are not ours or are damaged, sets
// the connection's pragmas and applies pending migrations. Nothing here ever deletes, recreates or overwrites an
// existing file.
#pragma once

#include "store/migrations.h"
#include "store/sqlite_db.h"

#include <chrono>
#include <filesystem>

namespace allowdrift::store {

struct StateDbOptions {
  std::chrono::milliseconds busy_timeout{5000};
  // WAL file size kept after a checkpoint; bounds disk use between checkpoints of a long-running daemon.
  std::int64_t journal_size_limit = 64LL * 1024 * 1024;
  bool quick_check = true;  // PRAGMA quick_check at open (a few ms on a small state DB)
};

// Opens or creates `path` read-write and migrates it. Throws StoreFailure with the path in the message.
Database open_state_db(const std::filesystem::path& path, const StateDbOptions& options = {},
                       std::span<const Migration> migrations = embedded_migrations());

// Opens an existing state database for reading (CLI queries); never creates or migrates it.
Database open_state_db_read_only(const std::filesystem::path& path, const StateDbOptions& options = {},
                                 std::span<const Migration> migrations = embedded_migrations());

}  // namespace allowdrift::store
