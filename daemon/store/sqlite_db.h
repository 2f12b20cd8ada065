// A thin RAII layer over the SQLite C API: one connection, prepared statements, transactions. Every failure
// becomes a StoreFailure with a kind and the database path; callers never see a raw SQLite code.
#pragma once

#include "store/store_error.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace allowdrift::store {

class StatementCache;

class Statement {
 public:
  // With a cache, the statement goes back to it (reset, bindings cleared) when this object is destroyed.
  Statement(sqlite3_stmt* stmt, const std::string* db_path, StatementCache* cache = nullptr);

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, const std::optional<std::string>& value);

  // True while a row is available; false when done. Throws on error.
  bool step();
  // Runs a statement that returns no rows, then resets it for reuse.
  void run();
  void reset();

  std::int64_t column_int64(int index) const;
  std::string column_text(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  bool column_is_null(int index) const;

 private:
  struct Release {
    StatementCache* cache = nullptr;
    void operator()(sqlite3_stmt* s) const;
  };
  std::unique_ptr<sqlite3_stmt, Release> stmt_;
  const std::string* db_path_;
};

// Statements come from a Database and must not outlive it (they return to its statement cache).
class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (and with kReadWrite creates) the file. Never overwrites or recreates an existing file: a file that is
  // not a SQLite database is refused with kNotADatabase.
  static Database open(const std::filesystem::path& path, Mode mode);

  // Compiled once per connection: a statement of the same text comes from the connection's cache (a --once run
  // prepares the same few dozen statements hundreds of times).
  Statement prepare(std::string_view sql);
  void exec(std::string_view sql);  // one or more statements without parameters
  std::int64_t last_insert_rowid() const;
  std::int64_t changes() const;
  bool in_transaction() const;
  // The value of a PRAGMA that reads one integer (user_version, synchronous, ...); 0 when it gives no row.
  std::int64_t pragma_int(std::string_view name);
  // Syncs the write-ahead log: every commit so far then survives a power cut, as under synchronous = FULL. For
  // commits made under synchronous = NORMAL (atomic and consistent, but the last ones may be lost to a power cut),
  // one sync for many commits instead of one each. For a database in WAL mode (open_state_db sees to it); a no-op
  // before its WAL is open.
  void sync_wal();
  // Frees the connection's page cache (sqlite3_db_release_memory) and its cached statements: for a process about
  // to sleep for hours.
  void release_memory();
  const std::string& path() const { return *path_; }

  // Translates the connection's current error into a StoreFailure.
  [[noreturn]] void fail(int rc, std::string_view context) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  Database(sqlite3* db, std::string path);

  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<std::string> path_;  // stable address for statements
  struct CacheDeleter {
    void operator()(StatementCache* c) const;
  };
  std::unique_ptr<StatementCache, CacheDeleter> cache_;  // destroyed (its statements finalized) before db_ closes
};

// BEGIN IMMEDIATE (the write lock up front, so a WAL reader is never promoted and hit by SQLITE_BUSY_SNAPSHOT);
// rolls back in the destructor unless commit() ran. Inside another transaction it is a savepoint, so a caller
// can group several stores' writes into one commit (one fsync) and each store still undoes its own part on error.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool nested_;
  bool done_ = false;
};

// Maps a SQLite result code to a kind.
StoreErrorKind classify_sqlite_error(int rc);

}  // namespace allowdrift::store
