// Storage failures, classified so the daemon can react (retry on busy, alert once on a full disk, refuse to start
// on a corrupt or too-new database) and so that messages always name the database file.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace allowdrift::store {

enum class StoreErrorKind {
  kCannotOpen,       // missing directory, permission denied, read-only location
  kNotADatabase,     // the file is not SQLite, or not allowdrift's (application_id)
  kCorrupt,          // quick_check failed or SQLite reported corruption
  kBusy,             // locked by another process past the busy timeout
  kFull,             // disk or quota full
  kReadOnly,         // the database or its directory cannot be written
  kIo,               // other I/O error
  kSchemaTooNew,     // written by a newer allowdrift
  kMigrationEdited,  // an applied migration's text changed since
  kMigrationFailed,  // a migration failed and was rolled back
  kNotFound,         // a source or snapshot that does not exist
  kInternal,         // misuse or an unexpected SQLite result
};

std::string_view to_string(StoreErrorKind kind);

struct StoreError {
  StoreErrorKind kind = StoreErrorKind::kInternal;
  std::string message;  // names the database file
};

// Storage failures are I/O failures: the store throws them, and each caller catches them at the top of its task
// (a CLI command, one daemon cycle), so that one broken write never takes the process down.
class StoreFailure : public std::runtime_error {
 public:
  explicit StoreFailure(StoreError e) : std::runtime_error(e.message), error_(std::move(e)) {}
  const StoreError& error() const { return error_; }

 private:
  StoreError error_;
};

}  // namespace allowdrift::store
