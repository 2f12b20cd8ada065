// `allowdrift allowlist` on the file-backed targets (firewalld, Postfix, nginx, squid, dnsmasq, plain files),
// through the real binary: text, --format json and --verbose output, warnings on stderr, exit statuses.
#include "../process_runner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using allowdrift::testing::ProcessResult;

class AllowlistFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allowdrift-allowlist-files-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {ALLOWDRIFT_BINARY, "allowlist"});
    return allowdrift::testing::run_process(std::move(args), dir_);
  }
  static std::string data(const std::string& relative) { return std::string(ALLOWDRIFT_TEST_DATA) + "/" + relative; }
  fs::path write(const std::string& name, const std::string& text, fs::perms perms = fs::perms(0644)) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    fs::permissions(path, perms);
    return path;
  }
  static std::size_t lines(const std::string& s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
  }
  fs::path dir_;
};

TEST_F(AllowlistFiles, NginxTextIsTheMinimalCidrList) {
  const auto r = run({"nginx:" + data("localfw/nginx/nginx-cloudflare-allow-2019-01-17-toomuchio.conf")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.out), 20u) << r.out;
  EXPECT_EQ(r.out.rfind("103.21.244.0/22\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n104.16.0.0/12\n"), std::string::npos) << r.out;  // Cloudflare's retired block
  EXPECT_EQ(r.out.find("2405:8100::/32"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(AllowlistFiles, FirewalldZoneJsonWithWarning) {
  const std::string path = data("localfw/firewalld/firewalld-zone-public-rich-rules-ssh-allowlist-mikch06.xml");
  const auto r = run({"--format", "json", "firewalld-zone:" + path});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(std::string(doc.at("target").as_string()), "firewalld-zone:" + path);
  EXPECT_EQ(doc.at("ips"),
            json::parse(R"(["62.171.108.7/32", "85.195.192.176/32", "147.88.200.97/32", "149.126.4.0/23"])"));
  ASSERT_EQ(doc.at("warnings").as_array().size(), 1u);
  EXPECT_EQ(std::string(doc.at("warnings").at(0).as_string()),
            path + ":15: '149.126.4.94/23' has host bits set; read as 149.126.4.0/23");
  EXPECT_NE(r.err.find("warning: " + path + ":15: '149.126.4.94/23' has host bits set"), std::string::npos) << r.err;
}

TEST_F(AllowlistFiles, PostfixCidrVerboseHasEveryRuleWithItsLine) {
  const std::string path = data("localfw/postfix/postfix-postscreen_access-mailcow-2026-08-04.cidr");
  const auto r = run({"--verbose", "postfix-cidr:" + path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.out), 2258u);  // awk '!/^#/ && NF {print $2}' FILE | sort | uniq -c: 2258 permit
  EXPECT_EQ(r.out.rfind("2a00:1450:4000::/36\t" + path + ":4\n", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("136.143.160.0/24\t" + path + ":"), std::string::npos);
}

TEST_F(AllowlistFiles, SquidAndDnsmasqDomainsInJsonVerbose) {
  const std::string squid = data("localfw/squid/squid-dstdomain-whitelist-timwebster9.txt");
  const auto r = run({"--format", "json", "--verbose", "squid:" + squid});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("ips"), json::parse(R"(["162.254.197.108/32"])"));
  const auto& domains = doc.at("domains").as_array();
  EXPECT_NE(std::find(domains.begin(), domains.end(), json::value("*.wikipedia.org")), domains.end());
  const auto& entries = doc.at("entries").as_array();
  EXPECT_EQ(entries.size(), 1u + 51u * 2 + 1u);
  EXPECT_EQ(entries.at(0), json::parse(R"({"entry": "162.254.197.108/32", "origin": ")" + squid + R"(:53"})"));

  const std::string dnsmasq = data("localfw/dnsmasq/dnsmasq-allowlist-handwritten.conf");
  const auto d = run({"dnsmasq:" + dnsmasq});
  EXPECT_EQ(d.status, 0) << d.err;
  EXPECT_EQ(d.out.rfind("atlassian.com\n*.atlassian.com\ngithub.com\n", 0), 0u) << d.out;
  EXPECT_NE(d.err.find("the domains of 4 sets are combined"), std::string::npos) << d.err;
}

TEST_F(AllowlistFiles, MynetworksAndPlainFile) {
  const auto m = run({"mynetworks:" + data("localfw/postfix/postfix-mynetworks-karmak23-bracketed-ipv6.txt")});
  EXPECT_EQ(m.status, 0) << m.err;
  EXPECT_EQ(m.out, "10.0.3.0/24\n127.0.0.0/8\n::1/128\n::ffff:127.0.0.0/104\n");
  const auto f = run({"file:" + data("local/cloudflare-nginx-toomuchio.list")});
  EXPECT_EQ(f.status, 0) << f.err;
  EXPECT_EQ(lines(f.out), 20u);
}

TEST_F(AllowlistFiles, UnreadableTargetsExitSevenWithTheKind) {
  const auto missing = run({"squid:" + (dir_ / "no-such-file").string()});
  EXPECT_EQ(missing.status, 7);
  EXPECT_TRUE(missing.out.empty());
  EXPECT_NE(missing.err.find("allowdrift allowlist: not-found: "), std::string::npos) << missing.err;

  const auto open = write("open.conf", "allow 192.0.2.0/24;\n", fs::perms(0666));
  const auto unsafe = run({"nginx:" + open.string()});
  EXPECT_EQ(unsafe.status, 7);
  EXPECT_NE(unsafe.err.find("allowdrift allowlist: unsafe-file: "), std::string::npos) << unsafe.err;
  EXPECT_NE(unsafe.err.find("world-writable"), std::string::npos) << unsafe.err;

  const auto bad = write("bad.cidr", "# ok\n192.0.2.0/24 OK\n192.0.2.300 OK\n");
  const auto parse = run({"postfix-cidr:" + bad.string()});
  EXPECT_EQ(parse.status, 7);
  EXPECT_TRUE(parse.out.empty()) << parse.out;
  EXPECT_NE(parse.err.find("allowdrift allowlist: parse: " + bad.string() + ":3: '192.0.2.300'"), std::string::npos)
      << parse.err;

  const auto ref = write("mynetworks", "127.0.0.0/8 /etc/postfix/more\n");
  const auto unsupported = run({"mynetworks:" + ref.string()});
  EXPECT_EQ(unsupported.status, 7);
  EXPECT_NE(unsupported.err.find("unsupported: " + ref.string() + ":1: '/etc/postfix/more' is a file reference"),
            std::string::npos)
      << unsupported.err;

  if (::geteuid() != 0) {  // root reads a mode 000 file anyway
    const auto closed = write("closed.xml", "<zone/>", fs::perms::none);
    const auto denied = run({"firewalld-zone:" + closed.string()});
    EXPECT_EQ(denied.status, 7);
    EXPECT_NE(denied.err.find("allowdrift allowlist: permission: "), std::string::npos) << denied.err;
  }
}

TEST_F(AllowlistFiles, BadSpecExitsTwo) {
  const auto empty_path = run({"nginx:"});
  EXPECT_EQ(empty_path.status, 2);
  EXPECT_NE(empty_path.err.find("target 'nginx:'"), std::string::npos) << empty_path.err;
  const auto unknown = run({"nginxx:/etc/nginx/nginx.conf"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("unknown kind 'nginxx'"), std::string::npos) << unknown.err;
  EXPECT_EQ(run({"--format", "yaml", "squid:" + data("localfw/squid/squid-dstdomain-graylist-waitingdot.txt")}).status,
            2);
}

}  // namespace
