#include "alert/syslog_format.h"

#include <array>
#include <cstdio>
#include <utility>

namespace allowdrift::alert {
namespace {

constexpr std::array<std::pair<std::string_view, SyslogFacility>, 20> kFacilities{{
    {"kern", SyslogFacility::kKern},     {"user", SyslogFacility::kUser},         {"mail", SyslogFacility::kMail},
    {"daemon", SyslogFacility::kDaemon}, {"auth", SyslogFacility::kAuth},         {"syslog", SyslogFacility::kSyslog},
    {"lpr", SyslogFacility::kLpr},       {"news", SyslogFacility::kNews},         {"uucp", SyslogFacility::kUucp},
    {"cron", SyslogFacility::kCron},     {"authpriv", SyslogFacility::kAuthpriv}, {"ftp", SyslogFacility::kFtp},
    {"local0", SyslogFacility::kLocal0}, {"local1", SyslogFacility::kLocal1},     {"local2", SyslogFacility::kLocal2},
    {"local3", SyslogFacility::kLocal3}, {"local4", SyslogFacility::kLocal4},     {"local5", SyslogFacility::kLocal5},
    {"local6", SyslogFacility::kLocal6}, {"local7", SyslogFacility::kLocal7},
}};

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::optional<SyslogFacility> parse_syslog_facility(std::string_view name) {
  for (const auto& [text, facility] : kFacilities) {
    if (text == name) return facility;
  }
  return std::nullopt;
}

std::string_view to_string(SyslogFacility facility) {
  for (const auto& [text, value] : kFacilities) {
    if (value == facility) return text;
  }
  return "user";
}

std::string syslog_facility_names() {
  std::string out;
  for (const auto& [text, facility] : kFacilities) {
    if (!out.empty()) out += ", ";
    out += text;
  }
  return out;
}

int syslog_priority(SyslogFacility facility, Severity severity) {
  return static_cast<int>(facility) * 8 + static_cast<int>(severity);
}

std::string syslog_datagram(SyslogFacility facility, Severity severity, const std::tm& local_time,
                            std::string_view ident, long pid, std::string_view message) {
  // glibc's "%h %e %T": the day of the month padded with a space ("Nov  7"), in the C locale whatever LC_TIME says.
  const int month = local_time.tm_mon >= 0 && local_time.tm_mon < 12 ? local_time.tm_mon : 0;
  char head[64];
  std::snprintf(head, sizeof head, "<%d>%s %2d %02d:%02d:%02d ", syslog_priority(facility, severity),
                kMonths[static_cast<std::size_t>(month)].data(), local_time.tm_mday, local_time.tm_hour,
                local_time.tm_min, local_time.tm_sec);
  std::string out = head;
  out.append(ident);
  out += '[';
  out += std::to_string(pid);
  out += "]: ";
  out.append(message);
  return out;
}

}  // namespace allowdrift::alert
