// Alerts to the local syslog socket (/dev/log: journald or rsyslog), one datagram per event in the format glibc's
// syslog(3) uses (syslog_format.h), with the event's severity and a configured facility.
//
// It never blocks the daemon (research/reliability.md §4.3: sendto() on /dev/log blocks when journald is slow,
// systemd/systemd#16456): the socket is non-blocking and a full receive queue (EAGAIN) is reported as "not
// delivered" at once, and counted; the next line that gets through carries syslog_refused=N. The caller keeps the
// event and tries again later. A socket that went away
// (journald restarting: ECONNREFUSED, ENOENT, ENOTCONN) is reconnected once per delivery.
#pragma once

#include "alert/alert_channel.h"
#include "alert/alert_render.h"
#include "alert/syslog_format.h"

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>

namespace allowdrift::alert {

struct SyslogOptions {
  std::string socket_path = "/dev/log";
  SyslogFacility facility = SyslogFacility::kDaemon;
  std::string ident = "allowdrift";
  RenderOptions render;
  // The message time, for tests; unset: the wall clock. Stamped in the local time zone, as syslog(3) does.
  std::function<std::time_t()> clock;
};

class SyslogChannel : public AlertChannel {
 public:
  explicit SyslogChannel(SyslogOptions options);
  ~SyslogChannel() override;
  SyslogChannel(const SyslogChannel&) = delete;
  SyslogChannel& operator=(const SyslogChannel&) = delete;

  std::string describe() const override;  // "syslog /dev/log facility=daemon"
  std::optional<std::string> deliver(const AlertEvent& event) override;

  // Sends one already rendered message line (deliver() renders, then calls this).
  std::optional<std::string> send_line(Severity severity, std::string_view message);

  // Datagrams refused because the receiver's queue was full, since start (for STATUS= and logs).
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::optional<std::string> connect_socket();
  void close_socket();

  SyslogOptions options_;
  int fd_ = -1;
  std::uint64_t dropped_ = 0;
  std::uint64_t refused_since_sent_ = 0;  // named in the next line that gets through (syslog_refused=N)
};

}  // namespace allowdrift::alert
