#include "firewall/plain_file.h"
#include "firewall/allowlist_matchers.h"
#include "test_data.h"

#include <gtest/gtest.h>

namespace {

namespace firewall = allowdrift::firewall;
namespace model = allowdrift::model;
namespace at = allowdrift::testing;
using at::allows;
using at::allows_any;
using at::error_of;

// The plain list derived from the toomuchio nginx file (tests/data/README.md, "Derived").
TEST(PlainFile, CloudflareList) {
  constexpr const char* kFile = "local/cloudflare-nginx-toomuchio.list";
  const auto text = at::read_test_data(kFile);
  auto r = firewall::parse_plain_file(text, kFile);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->ips.size(), 20u);
  EXPECT_TRUE(allows(*r, "104.16.0.0/12"));
  EXPECT_FALSE(allows_any(*r, "2405:8100::/32"));
  EXPECT_EQ(r->ips.front().origin, std::string(kFile) + ":2");  // line 1 is the "derived from" comment
}

TEST(PlainFile, DomainsWarningsAndOrigins) {
  auto r = firewall::parse_plain_file("# local\n192.0.2.1/24\nmail.example.com\n*.example.net\n", "local.txt");
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(at::cidrs(*r), (std::vector<std::string>{"192.0.2.0/24"}));
  EXPECT_EQ(at::domains(*r), (std::vector<std::string>{"mail.example.com", "*.example.net"}));
  EXPECT_EQ(r->domains[1].origin, "local.txt:4");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].rfind("local.txt:2: ", 0), 0u) << r->warnings[0];
}

TEST(PlainFile, AllOrNothing) {
  auto r = firewall::parse_plain_file("192.0.2.0/24\n010.0.0.1\n300.1.1.1\n", "local.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, firewall::ReadErrorKind::kParse);
  EXPECT_EQ(r.error().message.rfind("local.txt:2: ", 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find("(and 1 more errors)"), std::string::npos) << r.error().message;
}

TEST(PlainFile, EmptyIsEmpty) {
  auto r = firewall::parse_plain_file("# nothing\n\n", "local.txt");
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_TRUE(r->empty());
}

}  // namespace
