#include "alert/syslog_channel.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace allowdrift::alert {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

bool socket_gone(int err) { return err == ECONNREFUSED || err == ENOENT || err == ENOTCONN; }

}  // namespace

SyslogChannel::SyslogChannel(SyslogOptions options) : options_(std::move(options)) {}

SyslogChannel::~SyslogChannel() { close_socket(); }

std::string SyslogChannel::describe() const {
  return "syslog " + options_.socket_path + " facility=" + std::string(to_string(options_.facility));
}

void SyslogChannel::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<std::string> SyslogChannel::connect_socket() {
  close_socket();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (options_.socket_path.empty() || options_.socket_path.size() >= sizeof address.sun_path) {
    return "syslog socket path \"" + options_.socket_path + "\" is empty or too long";
  }
  std::memcpy(address.sun_path, options_.socket_path.data(), options_.socket_path.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "cannot create a syslog socket: " + errno_text(errno);
  // A datagram connect() only records the peer: it does not wait for anything.
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int err = errno;
    ::close(fd);
    return "cannot connect to " + options_.socket_path + ": " + errno_text(err);
  }
  fd_ = fd;
  return std::nullopt;
}

std::optional<std::string> SyslogChannel::deliver(const AlertEvent& event) {
  if (refused_since_sent_ == 0) return send_line(event.severity, syslog_message(event, options_.render));
  // The first line that gets through says how many were refused before it (they are tried again, but whoever
  // reads the log should know it had gaps).
  AlertEvent with_count = event;
  with_count.fields.emplace_back("syslog_refused", std::to_string(refused_since_sent_));
  return send_line(event.severity, syslog_message(with_count, options_.render));
}

std::optional<std::string> SyslogChannel::send_line(Severity severity, std::string_view message) {
  const std::time_t now = options_.clock ? options_.clock() : std::time(nullptr);
  std::tm local{};
  if (::localtime_r(&now, &local) == nullptr) local = std::tm{};
  const std::string datagram =
      syslog_datagram(options_.facility, severity, local, options_.ident, static_cast<long>(::getpid()), message);

  // One reconnect per delivery: journald restarting replaces its socket, and the old connection then refuses.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) {
      if (auto failed = connect_socket()) return failed;
    }
    const ssize_t sent = ::send(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) {
      if (static_cast<std::size_t>(sent) != datagram.size()) return "syslog datagram truncated";
      refused_since_sent_ = 0;
      return std::nullopt;
    }
    const int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      ++dropped_;
      ++refused_since_sent_;
      return "syslog receiver " + options_.socket_path + " is not keeping up (its queue is full); " +
             std::to_string(dropped_) + " datagrams refused so far";
    }
    if (err == EINTR) continue;
    close_socket();
    if (!socket_gone(err)) return "cannot send to " + options_.socket_path + ": " + errno_text(err);
  }
  return "cannot send to " + options_.socket_path + ": the receiver went away";
}

}  // namespace allowdrift::alert
