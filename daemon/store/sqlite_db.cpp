#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <unordered_map>

namespace allowdrift::store {

std::string_view to_string(StoreErrorKind kind) {
  switch (kind) {
    case StoreErrorKind::kCannotOpen:
      return "cannot_open";
    case StoreErrorKind::kNotADatabase:
      return "not_a_database";
    case StoreErrorKind::kCorrupt:
      return "corrupt";
    case StoreErrorKind::kBusy:
      return "busy";
    case StoreErrorKind::kFull:
      return "storage_full";
    case StoreErrorKind::kReadOnly:
      return "read_only";
    case StoreErrorKind::kIo:
      return "io";
    case StoreErrorKind::kSchemaTooNew:
      return "schema_too_new";
    case StoreErrorKind::kMigrationEdited:
      return "migration_edited";
    case StoreErrorKind::kMigrationFailed:
      return "migration_failed";
    case StoreErrorKind::kNotFound:
      return "not_found";
    case StoreErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

StoreErrorKind classify_sqlite_error(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreErrorKind::kBusy;
    case SQLITE_FULL:
      return StoreErrorKind::kFull;
    case SQLITE_READONLY:
      return StoreErrorKind::kReadOnly;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return StoreErrorKind::kCannotOpen;
    case SQLITE_NOTADB:
      return StoreErrorKind::kNotADatabase;
    case SQLITE_CORRUPT:
      return StoreErrorKind::kCorrupt;
    case SQLITE_IOERR:
      return StoreErrorKind::kIo;
    default:
      return StoreErrorKind::kInternal;
  }
}

namespace {

[[noreturn]] void throw_error(StoreErrorKind kind, const std::string& path, std::string_view context,
                              std::string_view detail) {
  std::string msg = "database " + path + ": " + std::string(context);
  if (!detail.empty()) msg += ": " + std::string(detail);
  throw StoreFailure(StoreError{kind, std::move(msg)});
}

}  // namespace

// --- StatementCache ---

// Idle prepared statements by SQL text. Several statements of one text can be out at once (one query nested in
// another's loop); each comes back when its Statement is destroyed.
class StatementCache {
 public:
  StatementCache() = default;
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache() { clear(); }

  sqlite3_stmt* take(std::string_view sql) {
    const auto it = idle_.find(std::string(sql));
    if (it == idle_.end()) return nullptr;
    sqlite3_stmt* s = it->second;
    idle_.erase(it);
    return s;
  }
  void give_back(sqlite3_stmt* s) {
    sqlite3_reset(s);  // also ends the read transaction a half-read query holds
    sqlite3_clear_bindings(s);
    if (idle_.size() >= kMaxIdle) {
      sqlite3_finalize(s);
      return;
    }
    idle_.emplace(sqlite3_sql(s), s);
  }
  void clear() {
    for (auto& [sql, s] : idle_) sqlite3_finalize(s);
    idle_.clear();
  }

 private:
  static constexpr std::size_t kMaxIdle = 128;  // the daemon's statements number a few dozen
  std::unordered_multimap<std::string, sqlite3_stmt*> idle_;
};

// --- Statement ---

void Statement::Release::operator()(sqlite3_stmt* s) const {
  if (cache != nullptr) {
    cache->give_back(s);
  } else {
    sqlite3_finalize(s);
  }
}

Statement::Statement(sqlite3_stmt* stmt, const std::string* db_path, StatementCache* cache)
    : stmt_(stmt, Release{cache}), db_path_(db_path) {}

namespace {
void check_bind(int rc, sqlite3_stmt* stmt, const std::string& path) {
  if (rc != SQLITE_OK) throw_error(classify_sqlite_error(rc), path, "bind", sqlite3_errmsg(sqlite3_db_handle(stmt)));
}
}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_.get(), index, value), stmt_.get(), *db_path_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  check_bind(sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
             stmt_.get(), *db_path_);
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  check_bind(sqlite3_bind_null(stmt_.get(), index), stmt_.get(), *db_path_);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind(index, std::nullopt);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  const int ext = sqlite3_extended_errcode(db);
  std::string detail = sqlite3_errmsg(db);
  sqlite3_reset(stmt_.get());
  throw_error(classify_sqlite_error(ext), *db_path_, sqlite3_sql(stmt_.get()), detail);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  const int n = sqlite3_column_bytes(stmt_.get(), index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n));
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL; }

// --- Database ---

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

void Database::CacheDeleter::operator()(StatementCache* c) const { delete c; }

Database::Database(sqlite3* db, std::string path)
    : db_(db), path_(std::make_unique<std::string>(std::move(path))), cache_(new StatementCache) {}

Database Database::open(const std::filesystem::path& path, Mode mode) {
  const int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path.string());
  if (rc != SQLITE_OK) {
    const std::string detail = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    throw_error(classify_sqlite_error(rc), path.string(), "cannot open", detail);
  }
  return db;
}

Statement Database::prepare(std::string_view sql) {
  if (sqlite3_stmt* cached = cache_->take(sql)) return Statement(cached, path_.get(), cache_.get());
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) fail(rc, "prepare: " + std::string(sql.substr(0, 80)));
  // Cached under sqlite3_sql(), the text of its one statement: text left after it would never match that key.
  const bool whole = tail == sql.data() + sql.size();
  return Statement(stmt, path_.get(), whole ? cache_.get() : nullptr);
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    const std::string detail = err != nullptr ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    // Name the statement ("COMMIT", a migration's first line): a disk-full error typically surfaces at COMMIT.
    std::string head = text.substr(0, std::min<std::size_t>(text.find('\n'), 60));
    throw_error(classify_sqlite_error(sqlite3_extended_errcode(db_.get())), *path_, head, detail);
  }
}

std::int64_t Database::pragma_int(std::string_view name) {
  auto st = prepare("PRAGMA " + std::string(name));
  return st.step() ? st.column_int64(0) : 0;
}

void Database::sync_wal() {
  sqlite3_file* wal = nullptr;  // the connection's WAL file, the one its commits append to
  if (const int rc = sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal); rc != SQLITE_OK) {
    fail(rc, "WAL file");
  }
  if (wal == nullptr || wal->pMethods == nullptr) return;
  // SQLite syncs its WAL with these flags at a commit under synchronous = FULL (fdatasync; the directory too after
  // the file was created).
  if (const int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL); rc != SQLITE_OK) {
    throw_error(classify_sqlite_error(rc), *path_, "WAL sync", sqlite3_errstr(rc));
  }
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
std::int64_t Database::changes() const { return sqlite3_changes64(db_.get()); }

void Database::release_memory() {
  cache_->clear();
  sqlite3_db_release_memory(db_.get());
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

void Database::fail(int rc, std::string_view context) const {
  throw_error(classify_sqlite_error(rc), *path_, context, sqlite3_errmsg(db_.get()));
}

// --- Transaction ---

Transaction::Transaction(Database& db) : db_(db), nested_(db.in_transaction()) {
  db_.exec(nested_ ? "SAVEPOINT nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      // A savepoint rolled back stays open until released: undo its work, then end it.
      db_.exec(nested_ ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK");
    } catch (const StoreFailure&) {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing else to undo.
    }
  }
}

void Transaction::commit() {
  db_.exec(nested_ ? "RELEASE nested" : "COMMIT");
  done_ = true;
}

}  // namespace allowdrift::store
