#include "net/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allowdrift::net {
namespace {

TEST(HttpsUrl, ParsesNameHostPortTarget) {
  const auto u = parse_https_url("https://Example.COM:8443/a/b.json?x=1#frag");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "example.com");
  EXPECT_FALSE(u->ip_literal);
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/a/b.json?x=1");
  EXPECT_EQ(u->text, "https://example.com:8443/a/b.json?x=1");
  EXPECT_EQ(u->host_port(), "example.com:8443");
}

TEST(HttpsUrl, DefaultsAndLiterals) {
  const auto plain = parse_https_url("https://ip-ranges.amazonaws.com");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, 443);
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(plain->text, "https://ip-ranges.amazonaws.com/");

  const auto v4 = parse_https_url("https://127.0.0.1:9443/x");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->ip_literal);
  EXPECT_EQ(v4->host, "127.0.0.1");

  const auto v6 = parse_https_url("https://[::1]:9443/x");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->ip_literal);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_port(), "[::1]:9443");
  EXPECT_EQ(v6->text, "https://[::1]:9443/x");

  const auto explicit_default = parse_https_url("https://example.com:443?q");
  ASSERT_TRUE(explicit_default);
  EXPECT_EQ(explicit_default->text, "https://example.com/?q");
}

TEST(HttpsUrl, PortsUpTo65535) {
  // Not its low 16 bits: ":83979" is no typo for 18443.
  EXPECT_EQ(parse_https_url("https://example.com:65535/x")->port, 65535);
  EXPECT_EQ(parse_https_url("https://example.com:00443/x")->port, 443);
  EXPECT_THAT(parse_https_url("https://example.com:83979/x").error().message, ::testing::HasSubstr("'83979'"));
}

TEST(HttpsUrl, Rejects) {
  for (const char* bad : {"http://example.com/", "ftp://example.com/", "example.com", "", "https:///path",
                          "https://user:secret@example.com/", "https://example.com:0/", "https://exa mple.com/",
                          "https://example.com:65536/", "https://example.com:83979/", "https://example.com:0443000/",
                          "https://example.com:abc/"}) {
    const auto u = parse_https_url(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().kind, FetchErrorKind::kConfig) << bad;
    EXPECT_EQ(u.error().message.find("secret"), std::string::npos);
  }
}

TEST(ResolveLocation, RelativeAndAbsolute) {
  const std::string base = "https://example.com/lists/v1/ips.txt?x=1";
  const std::pair<const char*, const char*> cases[] = {
      {"/other", "https://example.com/other"},
      {"v2.txt", "https://example.com/lists/v1/v2.txt"},
      {"../v2/ips.txt", "https://example.com/lists/v2/ips.txt"},
      {"?y=2", "https://example.com/lists/v1/ips.txt?y=2"},
      {"//cdn.example.net/ips.txt", "https://cdn.example.net/ips.txt"},
      {"https://mirror.example.org/a", "https://mirror.example.org/a"},
      {"http://example.com/insecure", "http://example.com/insecure"},  // resolved; the fetcher refuses it
  };
  for (const auto& [location, expected] : cases) {
    const auto r = resolve_location(base, location);
    ASSERT_TRUE(r) << location;
    EXPECT_EQ(*r, expected) << location;
  }
}

TEST(ResolveLocation, BadLocationIsARedirectError) {
  const auto r = resolve_location("https://example.com/", "http://[bad");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchErrorKind::kRedirect);
}

}  // namespace
}  // namespace allowdrift::net
