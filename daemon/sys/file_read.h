// Reading a configuration or allowlist file the way an admin expects: the whole file or a clear reason why not.
// A world-writable file is refused (anyone on the machine could widen an allowlist or point the daemon elsewhere),
// so is anything but a regular file, and a size cap keeps a runaway file from filling memory.
#pragma once

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace allowdrift::sys {

struct FileError {
  enum class Kind : std::uint8_t { kNotFound, kPermission, kUnsafe, kTooLarge, kIo };
  Kind kind = Kind::kIo;
  std::string message;  // names the path and the reason
};

class FileErrorException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_exception_from_error(const FileError& e, const boost::source_location&) {
  throw FileErrorException(e.message);
}

template <class T>
using FileResult = boost::system::result<T, FileError>;

// What identifies a version of a file without reading it: equal identities mean an unchanged file (an editor that
// writes a new file and renames it changes the inode; an in-place write changes mtime and usually size).
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint32_t mode = 0;
  std::string to_string() const;  // "dev:ino:size:mtime_ns"
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

// stat(2) of a regular file, following symlinks; anything else (a directory, a FIFO) is kIo with the reason.
FileResult<FileIdentity> identify_file(const std::string& path);

struct FileReadOptions {
  std::size_t max_bytes = 64u << 20;
  bool refuse_world_writable = true;
};

struct FileContents {
  std::string bytes;
  FileIdentity identity;  // taken from the open descriptor, so it describes exactly the bytes read
};

FileResult<FileContents> read_file(const std::string& path, const FileReadOptions& options);

}  // namespace allowdrift::sys
