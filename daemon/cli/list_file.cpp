#include "cli/list_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace allowdrift::cli {
namespace {

struct FdCloser {
  void operator()(const int* fd) const {
    if (*fd > STDIN_FILENO) ::close(*fd);
    delete fd;
  }
};

std::string describe_errno(const std::string& path, int err) {
  return "cannot read " + model::quote_token(path) + ": " + std::strerror(err);
}

}  // namespace

ListFileResult read_list_file(const std::string& path, feeds::PlainListOptions options) {
  ListFileResult result;
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      result.io_error = describe_errno(path, errno);
      return result;
    }
  }
  const std::unique_ptr<int, FdCloser> guard(new int(fd));

  feeds::PlainListParser parser(options);
  std::vector<char> buffer(std::size_t{1} << 20);
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      result.io_error = describe_errno(path, errno);  // e.g. EISDIR: a directory is not a list
      return result;
    }
    if (n == 0) break;
    parser.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  result.list = std::move(parser).finish();
  return result;
}

}  // namespace allowdrift::cli
