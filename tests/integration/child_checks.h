// What a forked test child found: failed checks (and notes that explain them), written back to the test process
// through a pipe with write_all. Privileged tests fork so that a private mount namespace or dropped privileges
// never leak into the test process.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>

namespace allowdrift::testing {

inline void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

class ChildChecks {
 public:
  void check(bool ok, const std::string& what) {
    if (!ok) failures_ += what + "\n";
  }
  void note(const std::string& what) { notes_ += what + "\n"; }
  bool ok() const { return failures_.empty(); }
  const std::string& failures() const { return failures_; }
  const std::string& notes() const { return notes_; }
  // The failures, then the notes; empty when every check passed.
  std::string report() const { return failures_.empty() ? "" : failures_ + "(notes)\n" + notes_; }

 private:
  std::string failures_;
  std::string notes_;
};

}  // namespace allowdrift::testing
