#include "alert/syslog_format.h"

#include <gtest/gtest.h>

namespace allowdrift::alert {
namespace {

std::tm at(int mon, int mday, int hour, int min, int sec) {
  std::tm t{};
  t.tm_mon = mon;
  t.tm_mday = mday;
  t.tm_hour = hour;
  t.tm_min = min;
  t.tm_sec = sec;
  return t;
}

TEST(SyslogFormat, MatchesGlibc) {
  // Captured from glibc syslog(3) with LOG_DAEMON|LOG_WARNING and LOG_PID (research/reliability.md §4.1):
  //   <28>Nov 27 21:06:01 adm-drift[23596]: drift source=aws added=3 removed=1
  EXPECT_EQ(syslog_datagram(SyslogFacility::kDaemon, Severity::kWarning, at(10, 27, 21, 6, 1), "adm-drift", 23596,
                            "drift source=aws added=3 removed=1"),
            "<28>Nov 27 21:06:01 adm-drift[23596]: drift source=aws added=3 removed=1");
  // A one-digit day is padded with a space (strftime's %e), as glibc does.
  EXPECT_EQ(syslog_datagram(SyslogFacility::kLocal7, Severity::kInfo, at(0, 3, 0, 0, 9), "allowdrift", 1, "x"),
            "<190>Jan  3 00:00:09 allowdrift[1]: x");
}

TEST(SyslogFormat, FacilityNames) {
  EXPECT_EQ(parse_syslog_facility("daemon"), SyslogFacility::kDaemon);
  EXPECT_EQ(parse_syslog_facility("user"), SyslogFacility::kUser);
  EXPECT_EQ(parse_syslog_facility("auth"), SyslogFacility::kAuth);
  EXPECT_EQ(parse_syslog_facility("authpriv"), SyslogFacility::kAuthpriv);
  EXPECT_EQ(parse_syslog_facility("local0"), SyslogFacility::kLocal0);
  EXPECT_EQ(parse_syslog_facility("local7"), SyslogFacility::kLocal7);
  EXPECT_EQ(parse_syslog_facility("local8"), std::nullopt);
  EXPECT_EQ(parse_syslog_facility("DAEMON"), std::nullopt);
  EXPECT_EQ(parse_syslog_facility(""), std::nullopt);
  EXPECT_EQ(to_string(SyslogFacility::kLocal3), "local3");
  EXPECT_TRUE(syslog_facility_names().starts_with("kern, user, mail, daemon, auth,"));
  EXPECT_TRUE(syslog_facility_names().ends_with("local6, local7"));
}

TEST(SyslogFormat, Priority) {
  EXPECT_EQ(syslog_priority(SyslogFacility::kKern, Severity::kCritical), 2);
  EXPECT_EQ(syslog_priority(SyslogFacility::kDaemon, Severity::kCritical), 26);
  EXPECT_EQ(syslog_priority(SyslogFacility::kLocal7, Severity::kInfo), 190);
}

}  // namespace
}  // namespace allowdrift::alert
