// The live readers in process: their change signal stays put while only counters, timestamps and ipset timeouts
// move, and moves when a rule or a set member changes. Each test moves this process into a new network namespace
// (ctest runs every test in its own process), so it needs root: label privileged.
#include "firewall/allowlist_reader.h"
#include "firewall/target_spec.h"
#include "sys/child_process.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

namespace allowdrift::firewall {
namespace {

using namespace std::chrono_literals;

void sh(const std::string& script) {
  sys::ProcessOptions options;
  options.stdin_bytes = script;
  auto r = sys::run_process({"sh", "-e"}, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->succeeded()) << script << "\n" << r->describe() << ": " << r->err;
}

// Loopback up, then a few UDP datagrams through OUTPUT and INPUT: the chains' packet counters move.
void traffic() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  ASSERT_EQ(::ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  ASSERT_EQ(::ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 5; ++i) ::sendto(fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  ::close(fd);
}

std::unique_ptr<AllowlistReader> reader(const std::string& spec) {
  auto parsed = parse_target_spec(spec);
  EXPECT_TRUE(parsed);
  return make_reader(*parsed, ReaderOptions{});
}

class LiveSignal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_FAIL() << "needs root (a network namespace, iptables, ipset) (ctest label privileged; scripts/test.sh runs "
                      "it with sudo)";
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
  }
};

TEST_F(LiveSignal, IptablesSignalFollowsRulesAndSetsNotCounters) {
  sh("ipset create vendors hash:net timeout 600\n"
     "ipset add vendors 198.51.100.0/24 timeout 300\n"
     "printf '*filter\\n:INPUT ACCEPT [0:0]\\n:ALLOW - [0:0]\\n-A INPUT -j ALLOW\\n"
     "-A ALLOW -s 192.0.2.0/24 -j ACCEPT\\n-A ALLOW -m set --match-set vendors src -j ACCEPT\\nCOMMIT\\n' | "
     "iptables-restore\n");
  auto r = reader("iptables:ALLOW");
  const auto first = r->change_signal();
  ASSERT_TRUE(first) << first.error().message;
  auto list = r->read();
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->ip_set().to_cidr_strings(), (std::vector<std::string>{"192.0.2.0/24", "198.51.100.0/24"}));

  traffic();
  std::this_thread::sleep_for(1100ms);  // the "# Generated ... on" second and the member's timeout move
  const auto idle = r->change_signal();
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->value, first->value);

  sh("ipset add vendors 203.0.113.0/24");
  const auto set_changed = r->change_signal();
  ASSERT_TRUE(set_changed);
  EXPECT_NE(set_changed->value, idle->value);

  sh("iptables -A ALLOW -s 10.0.0.0/8 -j ACCEPT");
  const auto rule_changed = r->change_signal();
  ASSERT_TRUE(rule_changed);
  EXPECT_NE(rule_changed->value, set_changed->value);
  EXPECT_EQ(r->read()->ip_set().to_cidr_strings(),
            (std::vector<std::string>{"10.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}));
}

TEST_F(LiveSignal, IpsetSignalIgnoresCountersAndTimeouts) {
  sh("ipset create vendors hash:net timeout 600 counters\nipset add vendors 198.51.100.0/24 timeout 300\n");
  auto r = reader("ipset:vendors");
  const auto first = r->change_signal();
  ASSERT_TRUE(first) << first.error().message;
  std::this_thread::sleep_for(1100ms);
  const auto idle = r->change_signal();
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->value, first->value);
  sh("ipset del vendors 198.51.100.0/24");
  const auto emptied = r->change_signal();
  ASSERT_TRUE(emptied);
  EXPECT_NE(emptied->value, idle->value);
  const auto list = r->read();
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());  // the set exists and is empty: an empty allowlist, not an error
  EXPECT_TRUE(list->warnings.empty());

  auto missing = reader("ipset:nosuch")->change_signal();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ReadErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message, "ipset nosuch does not exist (sets present: vendors)");
}

}  // namespace
}  // namespace allowdrift::firewall
