// The state directory of one allowdrift instance, held exclusively: the daemon and `--once` (cron, a timer) never
// run checks against the same state at once. The lock is an flock(2) on STATE_DIR/lock, released by the kernel
// when the process ends, however it ends.
#pragma once

#include <boost/system/result.hpp>

#include <string>

namespace allowdrift::app {

class StateDirectory {
 public:
  // Creates the directory (mode 0750) when missing and takes the lock without waiting; the error says who to
  // look for when the lock is held.
  static boost::system::result<StateDirectory, std::string> acquire(const std::string& dir);
  StateDirectory(StateDirectory&& other) noexcept;
  StateDirectory& operator=(StateDirectory&&) = delete;
  ~StateDirectory();
  std::string database_path() const { return dir_ + "/state.db"; }
  const std::string& path() const { return dir_; }

 private:
  StateDirectory(std::string dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  std::string dir_;
  int fd_ = -1;
};

}  // namespace allowdrift::app
