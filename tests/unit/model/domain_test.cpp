#include "model/domain_pattern.h"
#include "model/domain_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allowdrift::model {
namespace {

DomainPattern pattern(std::string_view text) {
  auto p = parse_domain_pattern(text);
  EXPECT_TRUE(p.has_value()) << text << ": " << (p ? "" : p.error().message);
  return p ? *p : DomainPattern{};
}

std::string rejection(std::string_view text) {
  auto p = parse_domain_pattern(text);
  EXPECT_FALSE(p.has_value()) << text << " was accepted as " << (p ? p->to_string() : "");
  return p ? "" : p.error().message;
}

DomainSet set_of(std::initializer_list<std::string_view> items) {
  DomainSet s;
  for (auto item : items) s.add(pattern(item));
  return s;
}

TEST(DomainPattern, NormalizesCaseAndTrailingDot) {
  EXPECT_EQ(pattern("Mail.Example.COM."), (DomainPattern{"mail.example.com", false}));
  EXPECT_EQ(pattern("*.Example.com"), (DomainPattern{"example.com", true}));
  EXPECT_EQ(pattern("*.example.com").to_string(), "*.example.com");
  EXPECT_EQ(pattern("xn--bcher-kva.example").name, "xn--bcher-kva.example");
  EXPECT_EQ(pattern("_dmarc.example.com").name, "_dmarc.example.com");
}

TEST(DomainPattern, InternationalizedNamesBecomePunycode) {
  EXPECT_EQ(pattern("bücher.example").name, "xn--bcher-kva.example");
  EXPECT_EQ(pattern("Bücher.Example.").name, "xn--bcher-kva.example");
  EXPECT_EQ(pattern("*.münchen.de"), (DomainPattern{"xn--mnchen-3ya.de", true}));
  DomainSet s;
  s.add(pattern("xn--bcher-kva.example"));
  EXPECT_TRUE(s.covers(pattern("bücher.example")));
}

TEST(DomainPattern, RejectsWithReason) {
  EXPECT_NE(rejection("").find("empty"), std::string::npos);
  EXPECT_NE(rejection("example..com").find("empty label"), std::string::npos);
  EXPECT_NE(rejection("-bad.example.com").find("'-'"), std::string::npos);
  EXPECT_NE(rejection("bad-.example.com").find("'-'"), std::string::npos);
  EXPECT_NE(rejection("autodiscover.*.onmicrosoft.com").find("leftmost label"), std::string::npos);
  EXPECT_NE(rejection("*example.com").find("leftmost label"), std::string::npos);
  EXPECT_NE(rejection(".wikipedia.org").find("leading '.'"), std::string::npos);
  EXPECT_NE(rejection("b\xc3.example").find("internationalized"), std::string::npos);  // invalid UTF-8
  EXPECT_NE(rejection("localhost").find("two labels"), std::string::npos);
  EXPECT_NE(rejection("1.2.3.4").find("numeric last label"), std::string::npos);
  EXPECT_NE(rejection("exa mple.com").find("not allowed"), std::string::npos);
  EXPECT_NE(rejection("<!doctype").find("not allowed"), std::string::npos);
  EXPECT_NE(rejection(std::string(64, 'a') + ".com").find("63"), std::string::npos);
  std::string long_name;
  for (int i = 0; i < 51; ++i) long_name += "abcd.";  // 258 characters
  long_name += "com";
  EXPECT_NE(rejection(long_name).find("253"), std::string::npos);
}

TEST(DomainPattern, ErrorQuotesTokenSafely) {
  const std::string msg = rejection("evil\x1b[31m.com");
  EXPECT_EQ(msg.find('\x1b'), std::string::npos);
  EXPECT_NE(msg.find("\\x1b"), std::string::npos);
}

TEST(DomainSet, ExactCoversOnlyItself) {
  const auto local = set_of({"mail.example.com"});
  EXPECT_TRUE(local.covers(pattern("mail.example.com")));
  EXPECT_TRUE(local.covers(pattern("MAIL.example.com.")));
  EXPECT_FALSE(local.covers(pattern("example.com")));
  EXPECT_FALSE(local.covers(pattern("a.mail.example.com")));
  EXPECT_FALSE(local.covers(pattern("*.example.com")));
  EXPECT_FALSE(local.covers(pattern("*.mail.example.com")));
}

TEST(DomainSet, WildcardCoversNamesStrictlyBelowAtAnyDepth) {
  const auto local = set_of({"*.example.com"});
  EXPECT_TRUE(local.covers(pattern("mail.example.com")));
  EXPECT_TRUE(local.covers(pattern("a.b.example.com")));
  EXPECT_FALSE(local.covers(pattern("example.com")));
  EXPECT_FALSE(local.covers(pattern("badexample.com")));  // a suffix match on text would be wrong
  EXPECT_FALSE(local.covers(pattern("example.com.evil.net")));
}

TEST(DomainSet, PublishedWildcardNeedsSameOrParentWildcard) {
  EXPECT_TRUE(set_of({"*.example.com"}).covers(pattern("*.example.com")));
  EXPECT_TRUE(set_of({"*.com"}).covers(pattern("*.example.com")));
  EXPECT_TRUE(set_of({"*.example.com"}).covers(pattern("*.pkg.example.com")));
  EXPECT_FALSE(set_of({"example.com"}).covers(pattern("*.example.com")));
  EXPECT_FALSE(set_of({"a.example.com", "b.example.com"}).covers(pattern("*.example.com")));
  EXPECT_FALSE(set_of({"*.pkg.example.com"}).covers(pattern("*.example.com")));
}

TEST(DomainSet, DifferenceIsSortedByLabelsFromTheRight) {
  const auto published = set_of({"b.example.com", "*.example.net", "a.example.com", "example.com", "*.example.com"});
  const auto local = set_of({"*.example.net"});
  std::vector<std::string> got;
  for (const auto& p : published.difference(local)) got.push_back(p.to_string());
  EXPECT_EQ(got, (std::vector<std::string>{"example.com", "*.example.com", "a.example.com", "b.example.com"}));
}

TEST(DomainSet, DuplicatesCollapse) {
  const auto s = set_of({"example.com", "EXAMPLE.com.", "*.example.com", "*.Example.com"});
  EXPECT_EQ(s.size(), 2U);
}

}  // namespace
}  // namespace allowdrift::model
