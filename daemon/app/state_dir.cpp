#include "app/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace allowdrift::app {

boost::system::result<StateDirectory, std::string> StateDirectory::acquire(const std::string& dir) {
  if (dir.empty()) return std::string("state_dir is empty");
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
    return "cannot create state directory " + dir + ": " + std::strerror(errno);
  }
  const std::string lock = dir + "/lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return "cannot open " + lock + ": " + std::strerror(errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return "another allowdrift (the daemon or a --once run) holds " + lock + "; not running two checks on one state";
    }
    return "cannot lock " + lock + ": " + std::strerror(err);
  }
  return StateDirectory(dir, fd);
}

StateDirectory::StateDirectory(StateDirectory&& other) noexcept : dir_(std::move(other.dir_)), fd_(other.fd_) {
  other.fd_ = -1;
}

StateDirectory::~StateDirectory() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace allowdrift::app
