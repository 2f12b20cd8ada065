#include "sys/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace allowdrift::sys {
namespace {

FileError errno_error(const std::string& path, int err, std::string_view doing) {
  FileError e;
  e.kind = err == ENOENT || err == ENOTDIR ? FileError::Kind::kNotFound
           : err == EACCES || err == EPERM ? FileError::Kind::kPermission
                                           : FileError::Kind::kIo;
  e.message = std::string(doing) + " " + path + ": " + std::strerror(err);
  return e;
}

FileIdentity identity_of(const struct stat& st) {
  FileIdentity id;
  id.device = static_cast<std::uint64_t>(st.st_dev);
  id.inode = static_cast<std::uint64_t>(st.st_ino);
  id.size = static_cast<std::uint64_t>(st.st_size);
  id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  id.mode = static_cast<std::uint32_t>(st.st_mode);
  return id;
}

FileResult<FileIdentity> check_regular(const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) {
    return FileError{FileError::Kind::kIo, path + " is not a regular file"};
  }
  return identity_of(st);
}

struct FdCloser {
  void operator()(const int* fd) const {
    if (fd != nullptr) ::close(*fd);
  }
};

}  // namespace

std::string FileIdentity::to_string() const {
  return std::to_string(device) + ':' + std::to_string(inode) + ':' + std::to_string(size) + ':' +
         std::to_string(mtime_ns);
}

FileResult<FileIdentity> identify_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error(path, errno, "cannot stat");
  return check_regular(path, st);
}

FileResult<FileContents> read_file(const std::string& path, const FileReadOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return errno_error(path, errno, "cannot open");
  const std::unique_ptr<const int, FdCloser> guard(&fd);

  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(path, errno, "cannot stat");
  auto identity = check_regular(path, st);
  if (!identity) return identity.error();
  if (options.refuse_world_writable && (st.st_mode & S_IWOTH) != 0) {
    return FileError{FileError::Kind::kUnsafe, path + " is world-writable (mode " +
                                                   [&] {
                                                     char mode[8];
                                                     std::snprintf(mode, sizeof mode, "%04o",
                                                                   static_cast<unsigned>(st.st_mode & 07777));
                                                     return std::string(mode);
                                                   }() +
                                                   "); refusing to trust it: chmod o-w " + path};
  }
  if (static_cast<std::uint64_t>(st.st_size) > options.max_bytes) {
    return FileError{FileError::Kind::kTooLarge, path + " is " + std::to_string(st.st_size) +
                                                     " bytes, over the limit of " + std::to_string(options.max_bytes)};
  }

  FileContents contents;
  contents.identity = *identity;
  contents.bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t used = 0;
  for (;;) {
    if (used == contents.bytes.size()) {
      // The file may have grown since fstat: keep reading, within the cap.
      if (contents.bytes.size() >= options.max_bytes) {
        char probe = 0;
        const auto n = ::read(fd, &probe, 1);
        if (n == 0) break;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(path, errno, "cannot read");
        return FileError{FileError::Kind::kTooLarge,
                         path + " grew past the limit of " + std::to_string(options.max_bytes) + " bytes while read"};
      }
      contents.bytes.resize(std::min(options.max_bytes, std::max<std::size_t>(4096, contents.bytes.size() * 2)));
    }
    const auto n = ::read(fd, contents.bytes.data() + used, contents.bytes.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(path, errno, "cannot read");
    }
    used += static_cast<std::size_t>(n);
  }
  contents.bytes.resize(used);
  return contents;
}

}  // namespace allowdrift::sys
