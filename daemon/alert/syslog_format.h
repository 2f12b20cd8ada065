// The bytes of one syslog datagram, as glibc's syslog(3) writes them to /dev/log:
//
//   <PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE
//
// (RFC 3164 style, local time, no host name; PRI = facility * 8 + severity). Both journald and rsyslog's imuxsock
// parse exactly this on /dev/log; neither reads RFC 5424 there (systemd/systemd#19251, rsyslog/rsyslog#437;
// research/reliability.md §4). Pure, so the config loader can validate a facility name and tests can pin bytes.
#pragma once

#include "alert/alert_event.h"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::alert {

// syslog(3) facility codes (the LOG_* values divided by 8).
enum class SyslogFacility : std::uint8_t {
  kKern = 0,
  kUser = 1,
  kMail = 2,
  kDaemon = 3,
  kAuth = 4,
  kSyslog = 5,
  kLpr = 6,
  kNews = 7,
  kUucp = 8,
  kCron = 9,
  kAuthpriv = 10,
  kFtp = 11,
  kLocal0 = 16,
  kLocal1 = 17,
  kLocal2 = 18,
  kLocal3 = 19,
  kLocal4 = 20,
  kLocal5 = 21,
  kLocal6 = 22,
  kLocal7 = 23,
};

// "daemon", "local3", ... (lowercase, as in syslog.conf). nullopt for anything else.
std::optional<SyslogFacility> parse_syslog_facility(std::string_view name);
std::string_view to_string(SyslogFacility facility);
// For error messages: "kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0, ...".
std::string syslog_facility_names();

int syslog_priority(SyslogFacility facility, Severity severity);

// `local_time` is the time of the message in the machine's time zone (what syslog(3) stamps). The message is sent
// as given: render it with syslog_message() first, which guarantees a single line.
std::string syslog_datagram(SyslogFacility facility, Severity severity, const std::tm& local_time,
                            std::string_view ident, long pid, std::string_view message);

}  // namespace allowdrift::alert
