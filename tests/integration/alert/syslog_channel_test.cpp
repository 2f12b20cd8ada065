// The syslog channel against a real Unix datagram socket standing in for /dev/log (research/reliability.md §4.5):
// exact bytes on the wire, PRI numbers, a receiver that stops reading (delivery must fail fast, never hang), a
// receiver that restarts (the channel reconnects), and vendor control characters kept off the wire.
#include "alert/syslog_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

namespace allowdrift::alert {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::time_t kNov7 = 1730966405;  // 2024-11-07T08:00:05Z: a one-digit day shows glibc's padding

// A bound SOCK_DGRAM socket at a path: what journald's /dev/log is.
class Listener {
 public:
  explicit Listener(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.native().size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
  }
  ~Listener() {
    ::close(fd_);
    std::error_code ec;
    fs::remove(path_, ec);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The next datagram, or nullopt after `wait`.
  std::optional<std::string> receive(std::chrono::milliseconds wait = 2000ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
    std::string buffer(65536, '\0');
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

class SyslogChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // syslog(3) stamps local time; pin the zone so the expected bytes are exact.
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    dir_ = fs::temp_directory_path() / ("allowdrift-syslog-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = dir_ / "log";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  SyslogOptions options(SyslogFacility facility = SyslogFacility::kDaemon) const {
    SyslogOptions o;
    o.socket_path = path_.string();
    o.facility = facility;
    o.clock = [] { return kNov7; };
    return o;
  }

  static AlertEvent drift() {
    AlertEvent e;
    e.kind = EventKind::kDriftNew;
    e.severity = Severity::kCritical;
    e.check = "sdp-mail";
    e.target = "mail-allow";
    e.summary = "1 published prefix missing from mail-allow";
    e.fields = {{"missing", "1"}, {"stale", "0"}};
    e.sample = {{"missing", "203.0.113.0/24"}};
    return e;
  }

  std::string prefix(int pri) const {
    return "<" + std::to_string(pri) + ">Nov  7 08:00:05 allowdrift[" + std::to_string(::getpid()) + "]: ";
  }

  fs::path dir_;
  fs::path path_;
};

TEST_F(SyslogChannelTest, SendsTheGlibcLineExactly) {
  Listener listener(path_);
  SyslogChannel channel(options());
  EXPECT_EQ(channel.describe(), "syslog " + path_.string() + " facility=daemon");
  ASSERT_EQ(channel.deliver(drift()), std::nullopt);
  // daemon (3) * 8 + crit (2) = 26.
  EXPECT_EQ(listener.receive(), prefix(26) +
                                    "event=drift severity=crit check=sdp-mail target=mail-allow missing=1 stale=0 "
                                    "missing_sample=203.0.113.0/24 summary=\"1 published prefix missing from "
                                    "mail-allow\"");
}

TEST_F(SyslogChannelTest, PriorityIsFacilityTimesEightPlusSeverity) {
  Listener listener(path_);
  struct Case {
    SyslogFacility facility;
    Severity severity;
    int pri;
  };
  for (const Case& c :
       {Case{SyslogFacility::kDaemon, Severity::kWarning, 28}, Case{SyslogFacility::kUser, Severity::kInfo, 14},
        Case{SyslogFacility::kAuth, Severity::kError, 35}, Case{SyslogFacility::kLocal0, Severity::kNotice, 133},
        Case{SyslogFacility::kLocal7, Severity::kCritical, 186}}) {
    SyslogChannel channel(options(c.facility));
    AlertEvent e;
    e.kind = EventKind::kFetchFailing;
    e.severity = c.severity;
    e.source = "aws";
    ASSERT_EQ(channel.deliver(e), std::nullopt);
    const auto got = listener.receive();
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->starts_with(prefix(c.pri))) << *got;
  }
}

TEST_F(SyslogChannelTest, ControlCharactersFromVendorDataNeverReachTheWire) {
  Listener listener(path_);
  SyslogChannel channel(options());
  AlertEvent e;
  e.kind = EventKind::kFetchFailing;
  e.severity = Severity::kError;
  e.source = "vendor";
  e.summary = "fetch failed: HTTP 500\n<13>Nov  7 08:00:05 sshd[1]: Accepted password for root\x1b[2J";
  e.fields = {{"error", std::string("body\r\n\0\x7f", 8)}};
  e.sample = {{"last",
               "\xE2\x80\xAE"
               "moc.elpmaxe"}};
  ASSERT_EQ(channel.deliver(e), std::nullopt);
  const auto got = listener.receive();
  ASSERT_TRUE(got);
  for (char ch : *got) {
    const auto c = static_cast<unsigned char>(ch);
    EXPECT_TRUE(c >= 0x20 && c != 0x7F) << "byte " << static_cast<int>(c) << " in " << *got;
  }
  EXPECT_EQ(got->find("\xE2\x80\xAE"), std::string::npos);
  EXPECT_NE(
      got->find(
          R"(summary="fetch failed: HTTP 500\x0a<13>Nov  7 08:00:05 sshd[1]: Accepted password for root\x1b[2J")"),
      std::string::npos)
      << *got;
  EXPECT_NE(got->find(R"(error="body\x0d\x0a\x00\x7f")"), std::string::npos) << *got;
}

TEST_F(SyslogChannelTest, AFullReceiverMakesDeliveryFailFastNotHang) {
  Listener listener(path_);  // never reads
  SyslogChannel channel(options());
  const auto started = Clock::now();
  std::optional<std::string> failure;
  int sent = 0;
  for (; sent < 100000 && !failure; ++sent) {
    const auto before = Clock::now();
    failure = channel.deliver(drift());
    ASSERT_LT(Clock::now() - before, 500ms) << "a send blocked";
  }
  ASSERT_TRUE(failure) << "the queue never filled after " << sent << " datagrams";
  EXPECT_NE(failure->find("queue is full"), std::string::npos) << *failure;
  EXPECT_EQ(channel.dropped(), 1u);
  EXPECT_LT(Clock::now() - started, 10s);
  // Still refused while nobody reads; accepted again once the receiver drains a datagram, and that line says how
  // many were refused before it (the next one no longer does).
  EXPECT_TRUE(channel.deliver(drift()));
  EXPECT_EQ(channel.dropped(), 2u);
  ASSERT_TRUE(listener.receive());
  EXPECT_EQ(channel.deliver(drift()), std::nullopt);
  std::string last;  // the queue holds every line sent before the refusals, then this one
  while (const auto line = listener.receive(100ms)) last = *line;
  EXPECT_NE(last.find(" syslog_refused=2"), std::string::npos) << last;
  EXPECT_EQ(channel.deliver(drift()), std::nullopt);
  const auto next = listener.receive();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->find("syslog_refused"), std::string::npos) << *next;
}

TEST_F(SyslogChannelTest, ReconnectsWhenTheReceiverRestarts) {
  SyslogChannel channel(options());
  // Nothing listening yet (journald not started): a clear failure, no exception, no hang.
  const auto missing = channel.deliver(drift());
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->find("cannot connect to " + path_.string()), std::string::npos) << *missing;
  {
    Listener first(path_);
    ASSERT_EQ(channel.deliver(drift()), std::nullopt);
    EXPECT_TRUE(first.receive());
  }
  // journald restarted: a new socket at the same path. The old connection is refused; the channel reconnects.
  Listener second(path_);
  ASSERT_EQ(channel.deliver(drift()), std::nullopt);
  EXPECT_TRUE(second.receive());
}

TEST_F(SyslogChannelTest, UnusableSocketPathIsAnErrorValue) {
  SyslogOptions o = options();
  o.socket_path = std::string(200, 'x');
  SyslogChannel channel(o);
  const auto failure = channel.deliver(drift());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("too long"), std::string::npos) << *failure;
}

}  // namespace
}  // namespace allowdrift::alert
