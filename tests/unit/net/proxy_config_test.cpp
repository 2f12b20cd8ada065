#include "net/proxy_config.h"

#include <gtest/gtest.h>

#include <map>

namespace allowdrift::net {
namespace {

TEST(ProxyUrl, ParsesCredentialsHostPort) {
  const auto p = parse_proxy_url("http://alice:s%40cret@Proxy.Corp:3128/");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->host, "proxy.corp");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(p->password, "s@cret");
  EXPECT_EQ(to_string(*p), "http://alice:***@proxy.corp:3128");
}

TEST(ProxyUrl, DefaultsAndForms) {
  const auto bare = parse_proxy_url("proxy.corp:8080");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->host, "proxy.corp");
  EXPECT_EQ(bare->port, 8080);
  EXPECT_FALSE(bare->user);
  EXPECT_EQ(to_string(*bare), "http://proxy.corp:8080");

  const auto no_port = parse_proxy_url("http://10.0.0.1");
  ASSERT_TRUE(no_port);
  EXPECT_EQ(no_port->port, 1080);

  const auto v6 = parse_proxy_url("http://[fd00::1]:3128");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fd00::1");
  EXPECT_EQ(to_string(*v6), "http://[fd00::1]:3128");

  const auto user_only = parse_proxy_url("http://bob@proxy:3128");
  ASSERT_TRUE(user_only);
  EXPECT_EQ(user_only->user, "bob");
  EXPECT_FALSE(user_only->password);
  EXPECT_EQ(to_string(*user_only), "http://bob@proxy:3128");

  EXPECT_FALSE(bare->from_environment);
  ProxyConfig from_env;
  from_env.from_environment = true;
  EXPECT_EQ(to_string(from_env), "from https_proxy / no_proxy");
}

TEST(ProxyUrl, RejectsWithoutLeakingThePassword) {
  for (const char* bad :
       {"https://u:hunter2@proxy:3128", "socks5://u:hunter2@proxy:1080", "http://u:hunter2@proxy:0",
        "http://u:hunter2@proxy:3128/path", "http://u:hunter2@:3128", "http://u:hunter2@proxy:3128?q"}) {
    const auto p = parse_proxy_url(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().kind, FetchErrorKind::kConfig);
    EXPECT_EQ(p.error().message.find("hunter2"), std::string::npos) << p.error().message;
  }
}

TEST(NoProxy, Matches) {
  EXPECT_TRUE(no_proxy_matches("*", "anything.example"));
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("example.com", "www.example.com"));
  EXPECT_TRUE(no_proxy_matches(".example.com", "www.example.com"));
  EXPECT_TRUE(no_proxy_matches(".example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("localhost, 127.0.0.1 ,internal:8443", "internal"));
  EXPECT_TRUE(no_proxy_matches("LOCALHOST", "localhost"));
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(no_proxy_matches("[::1]", "::1"));
  EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com"));
  EXPECT_FALSE(no_proxy_matches("www.example.com", "example.com"));
  EXPECT_FALSE(no_proxy_matches("", "example.com"));
  EXPECT_FALSE(no_proxy_matches(",,", "example.com"));
}

TEST(ProxyEnvironment, HonoursNoProxyAndCase) {
  std::map<std::string, std::string> env = {{"HTTPS_PROXY", "http://u:p@proxy:3128"}, {"no_proxy", ".internal"}};
  const GetEnv getenv = [&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  const auto used = proxy_from_environment("ip-ranges.amazonaws.com", getenv);
  ASSERT_TRUE(used);
  ASSERT_TRUE(*used);
  EXPECT_EQ((*used)->host, "proxy");
  EXPECT_EQ((*used)->password, "p");

  const auto bypassed = proxy_from_environment("api.internal", getenv);
  ASSERT_TRUE(bypassed);
  EXPECT_FALSE(*bypassed);

  env["https_proxy"] = "ftp://u:topsecret@proxy";  // the lower-case name wins, like curl
  const auto bad = proxy_from_environment("example.com", getenv);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("topsecret"), std::string::npos);

  env.clear();
  const auto none = proxy_from_environment("example.com", getenv);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

}  // namespace
}  // namespace allowdrift::net
