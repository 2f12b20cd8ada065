// The HTML list format on the ServiceDesk Plus Cloud general FAQ: fixtures derived from the real Chinese page
// (tests/data/pages/README.md), the real error pages stored by scheduled fetchers, and small hand-made pages.
#include "feeds/html_list.h"
#include "feeds/html_text.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace allowdrift::feeds {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

std::string read_data(const std::string& relative) { return allowdrift::testing::read_test_data(relative); }

// The data centers of the SDP Cloud mail-fetch FAQ, anchored on their host names; EU through the page's typo.
HtmlListSpec sdp_spec() {
  HtmlListSpec spec;
  spec.sections = {
      {"us", {"sdpondemand.manageengine.com"}, {}, {}},
      {"eu", {"sdpondemand.manageengine.eu"}, {"sdpondemand.manageine.eu"}, {}},
      {"au", {"servicedeskplus.net.au"}, {}, {}},
      {"in", {"sdpondemand.manageengine.in"}, {}, {}},
      {"cn", {"servicedeskplus.cn"}, {}, {}},
      {"jp", {"servicedeskplus.jp"}, {}, {}},
  };
  return spec;
}

const std::map<std::string, std::vector<std::string>>& expected_sdp() {
  static const std::map<std::string, std::vector<std::string>> kExpected = {
      {"us",
       {"136.143.187.53/32", "136.143.186.53/32", "136.143.191.166/32", "204.141.43.166/32", "136.143.183.166/32",
        "204.141.33.166/32"}},
      {"eu",
       {"31.186.226.139/32", "87.252.213.139/32", "185.20.209.139/32", "84.207.209.139/32", "89.36.170.139/32",
        "89.36.170.124/32", "87.252.213.124/32", "31.186.243.139/32", "185.230.214.139/32"}},
      {"au", {"101.97.36.40/32", "103.91.166.40/32"}},
      {"in", {"103.89.75.3/32", "169.148.146.11/32", "103.89.74.11/32"}},
      {"cn", {"163.53.93.63/32", "124.251.121.54/32"}},
      {"jp", {"193.118.160.40/32", "193.118.161.40/32"}},
  };
  return kExpected;
}

ExtractedList extract_ok(const std::string& page, const HtmlListSpec& spec) {
  auto result = extract_html(page, spec);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? *result : ExtractedList{};
}

std::string error_of(const std::string& page, const HtmlListSpec& spec) {
  auto result = extract_html(page, spec);
  EXPECT_FALSE(result.has_value());
  return result ? std::string() : result.error().message;
}

void expect_sdp_sections(const ExtractedList& list) {
  ASSERT_EQ(list.sections.size(), 6u);
  for (const auto& section : list.sections) {
    SCOPED_TRACE(section.name);
    const auto& want = expected_sdp().at(section.name);
    EXPECT_EQ(section.ip_entries, want.size());
    EXPECT_THAT(section.ips.to_cidr_strings(), UnorderedElementsAreArray(want));
    EXPECT_THAT(section.domains, IsEmpty());
  }
  std::vector<std::string> names;
  for (const auto& section : list.sections) names.push_back(section.name);
  EXPECT_THAT(names, ElementsAre("us", "eu", "au", "in", "cn", "jp"));
  EXPECT_EQ(list.rejected_tokens, 0u);
  // EU is found only through the page's typo, and says so.
  EXPECT_THAT(list.warnings, ElementsAre(HasSubstr("sdpondemand.manageine.eu")));
}

class SdpFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(SdpFixture, YieldsEachDataCenterAndNothingFromTheChrome) {
  const ExtractedList list = extract_ok(read_data(std::string("pages/") + GetParam()), sdp_spec());
  expect_sdp_sections(list);
  // Sidebar, footer, header navigation, <style> and <script> addresses are all in 192.0.2.0/24, 198.51.100.0/24
  // or 203.0.113.0/24; none may leak into any section.
  for (const auto& section : list.sections)
    for (const auto& cidr : section.ips.to_cidr_strings()) {
      EXPECT_FALSE(cidr.starts_with("192.0.2.") || cidr.starts_with("198.51.100.") || cidr.starts_with("203.0.113."))
          << section.name << ": " << cidr;
    }
}

INSTANTIATE_TEST_SUITE_P(Markup, SdpFixture,
                         ::testing::Values("sdp-general-faq-zh-p.html", "sdp-general-faq-zh-br.html",
                                           "sdp-general-faq-zh-li.html", "sdp-general-faq-en-div.html"));

TEST(HtmlList, EnglishAndChineseGiveTheSameSections) {
  const ExtractedList zh = extract_ok(read_data("pages/sdp-general-faq-zh-p.html"), sdp_spec());
  const ExtractedList en = extract_ok(read_data("pages/sdp-general-faq-en-div.html"), sdp_spec());
  ASSERT_EQ(zh.sections.size(), en.sections.size());
  for (std::size_t i = 0; i < zh.sections.size(); ++i) {
    EXPECT_EQ(zh.sections[i].name, en.sections[i].name);
    EXPECT_EQ(zh.sections[i].ips, en.sections[i].ips) << zh.sections[i].name;
  }
}

TEST(HtmlList, SignedUrlAndTimestampDoNotChangeTheExtractedSets) {
  const std::string page = read_data("pages/sdp-general-faq-zh-br.html");
  std::string changed = page;
  for (auto [from, to] : {std::pair<std::string, std::string>{"Qm9ndXNTaWduYXR1cmU", "T3RoZXJTaWduYXR1cmU"},
                          {"2025-06-04 10:32", "2025-07-01 08:15"},
                          {"\"ts\": 1717488000", "\"ts\": 1719821700"}}) {
    const auto at = changed.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    changed.replace(at, from.size(), to);
  }
  ASSERT_NE(page, changed);
  const ExtractedList a = extract_ok(page, sdp_spec());
  const ExtractedList b = extract_ok(changed, sdp_spec());
  ASSERT_EQ(a.sections.size(), b.sections.size());
  for (std::size_t i = 0; i < a.sections.size(); ++i) {
    EXPECT_EQ(a.sections[i].ips, b.sections[i].ips);
    EXPECT_EQ(a.sections[i].domains, b.sections[i].domains);
  }
}

TEST(HtmlList, TheStoredCopyIsTextNotHtml) {
  // The archive kept the page's text only: it must be refused, not read as a list.
  const std::string text = read_data("pages/manageengine-sdp-cloud-general-faq-zh-mail-fetch-ips.excerpt.txt");
  EXPECT_THAT(error_of(text, sdp_spec()), HasSubstr("not an HTML page"));
}

TEST(HtmlList, MissingAnchorIsAnError) {
  HtmlListSpec spec = sdp_spec();
  spec.sections.push_back({"ca", {"servicedeskplus.ca"}, {}, {}});
  EXPECT_THAT(error_of(read_data("pages/sdp-general-faq-zh-p.html"), spec),
              HasSubstr("section \"ca\": none of its anchors ('servicedeskplus.ca') appears"));
}

TEST(HtmlList, AliasIsNeededForTheEuTypo) {
  HtmlListSpec spec = sdp_spec();
  spec.sections[1].aliases.clear();
  EXPECT_THAT(error_of(read_data("pages/sdp-general-faq-zh-li.html"), spec), HasSubstr("section \"eu\""));
}

TEST(HtmlList, EmptySectionIsAnError) {
  const std::string page =
      "<html><body><ol><li><p>If you are using sdpondemand.manageengine.com, allow:</p><p>192.0.2.1</p></li>"
      "<li><p>If you are using servicedeskplus.jp, allow the following IP addresses:</p><p>(to follow)</p></li>"
      "<li><p>198.51.100.1</p></li></ol></body></html>";
  HtmlListSpec spec;
  spec.sections = {{"us", {"sdpondemand.manageengine.com"}, {}, {}}, {"jp", {"servicedeskplus.jp"}, {}, {}}};
  EXPECT_EQ(error_of(page, spec), "section \"jp\" holds no entries");
}

TEST(HtmlList, SectionEndsWithItsListItem) {
  const std::string page =
      "<html><body><ol><li><p>Using sdpondemand.manageengine.com? Allow</p><p>192.0.2.1</p><p>192.0.2.2</p></li>"
      "<li><p>Unrelated question</p><p>198.51.100.1</p></li></ol><p>203.0.113.1</p></body></html>";
  HtmlListSpec spec;
  spec.sections = {{"us", {"sdpondemand.manageengine.com"}, {}, {}}};
  const ExtractedList list = extract_ok(page, spec);
  ASSERT_EQ(list.sections.size(), 1u);
  EXPECT_THAT(list.sections[0].ips.to_cidr_strings(), ElementsAre("192.0.2.1/32", "192.0.2.2/32"));
}

TEST(HtmlList, AnchorAloneInAListItemOpensTheEnclosingList) {
  // Hosts as list items of their own, each followed by items with its addresses.
  const std::string page =
      "<html><body><ul><li>sdpondemand.manageengine.com</li><li>192.0.2.1</li><li>192.0.2.7</li>"
      "<li>servicedeskplus.jp</li><li>198.51.100.1</li></ul><p>203.0.113.1</p></body></html>";
  HtmlListSpec spec;
  spec.sections = {{"us", {"sdpondemand.manageengine.com"}, {}, {}}, {"jp", {"servicedeskplus.jp"}, {}, {}}};
  const ExtractedList list = extract_ok(page, spec);
  ASSERT_EQ(list.sections.size(), 2u);
  EXPECT_THAT(list.sections[0].ips.to_cidr_strings(), ElementsAre("192.0.2.1/32", "192.0.2.7/32"));
  EXPECT_THAT(list.sections[1].ips.to_cidr_strings(), ElementsAre("198.51.100.1/32"));
}

TEST(HtmlList, WithoutSectionsTheMainBodyIsOneSection) {
  const std::string page =
      "<html><head><title>Ranges</title><script>var x='192.0.2.99';</script></head><body>"
      "<nav>198.51.100.9</nav><article><p>Allow 192.0.2.0/24, 2001:db8::/32 and&nbsp;203.0.113.5.</p>"
      "<p>Version 1.2.3 released at 10:30; see https://192.0.2.200/list or mail ops@example.com.</p></article>"
      "<aside>203.0.113.200</aside><div class=\"site-footer\">203.0.113.201</div></body></html>";
  const ExtractedList list = extract_ok(page, HtmlListSpec{});
  ASSERT_EQ(list.sections.size(), 1u);
  EXPECT_EQ(list.sections[0].name, "");
  EXPECT_THAT(list.sections[0].ips.to_cidr_strings(), ElementsAre("192.0.2.0/24", "203.0.113.5/32", "2001:db8::/32"));
  EXPECT_EQ(list.rejected_tokens, 0u);
}

TEST(HtmlList, DomainsOnlyWhenAskedAndNeverTheAnchor) {
  const std::string page =
      "<html><body><main><p>Users of sdpondemand.manageengine.com must reach:</p>"
      "<p>css.zohostatic.com<br>JS.ZohoStatic.com<br>*.zohocdn.com</p><p>e.g. index.html, Node.js and 192.0.2.1</p>"
      "</main></body></html>";
  HtmlListSpec spec;
  spec.sections = {{"us", {"sdpondemand.manageengine.com"}, {}, EntryKinds{false, true}}};
  const ExtractedList list = extract_ok(page, spec);
  ASSERT_EQ(list.sections.size(), 1u);
  std::vector<std::string> names;
  for (const auto& d : list.sections[0].domains) names.push_back(d.to_string());
  EXPECT_THAT(names, UnorderedElementsAreArray({"css.zohostatic.com", "js.zohostatic.com", "*.zohocdn.com"}));
  EXPECT_TRUE(list.sections[0].ips.empty());
}

TEST(HtmlList, InvalidTokensCountAgainstTheTolerance) {
  const std::string page = "<html><body><p>192.0.2.1</p><p>010.0.0.1</p><p>192.0.2.300</p></body></html>";
  EXPECT_THAT(error_of(page, HtmlListSpec{}), HasSubstr("2 invalid token(s) on the page, tolerance 0"));
  HtmlListSpec tolerant;
  tolerant.max_rejected = 2;
  const ExtractedList list = extract_ok(page, tolerant);
  EXPECT_EQ(list.rejected_tokens, 2u);
  ASSERT_EQ(list.rejected_samples.size(), 2u);
  EXPECT_THAT(list.rejected_samples[0], HasSubstr("010.0.0.1"));
  EXPECT_THAT(list.sections[0].ips.to_cidr_strings(), ElementsAre("192.0.2.1/32"));
}

TEST(HtmlList, EntitiesAreDecoded) {
  const std::string page = "<html><body><p>&#49;92.0.2.1&nbsp;&amp;&#x20;192.0.2.3</p></body></html>";
  const ExtractedList list = extract_ok(page, HtmlListSpec{});
  EXPECT_THAT(list.sections[0].ips.to_cidr_strings(), ElementsAre("192.0.2.1/32", "192.0.2.3/32"));
}

class BadFetch : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(BadFetch, IsRejectedAsAnErrorPage) {
  const std::string page = read_data(std::string("published/") + GetParam().first);
  const std::string message = error_of(page, HtmlListSpec{});
  EXPECT_THAT(message, HasSubstr("an error page where a list was expected"));
  EXPECT_THAT(message, HasSubstr(GetParam().second));
  EXPECT_THAT(error_of(page, sdp_spec()), HasSubstr("an error page where a list was expected"));
  EXPECT_TRUE(html_error_page(page).has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Real, BadFetch,
    ::testing::Values(std::pair{"badfetch-cloudflare-ips-v4-http500-2024-10-29.html", "500 Internal Server Error"},
                      std::pair{"badfetch-cloudflare-ips-v6-challenge-page-2023-10-11.html", "Attention Required!"},
                      std::pair{"badfetch-github-meta-http504-2025-05-26.html", "504 Gateway Time-out"}));

TEST(HtmlList, NotHtmlIsRejected) {
  EXPECT_THAT(error_of(read_data("published/github-meta-2025-07-21.json"), HtmlListSpec{}),
              HasSubstr("not an HTML page: it starts with"));
  EXPECT_THAT(error_of("", HtmlListSpec{}), HasSubstr("the input is empty"));
  EXPECT_FALSE(html_error_page(read_data("pages/sdp-general-faq-zh-p.html")).has_value());
}

TEST(HtmlText, BlocksScopesAndChrome) {
  const HtmlText text = html_visible_text(
      "<html><head><title> A&amp;B </title></head><body><div id=\"breadcrumbNav\">Home</div>"
      "<div class=\"relatedArticles\">x</div><div class=\"canvas-holder\">kept</div>"
      "<ol><li><p>one<br>two</p></li></ol><p hidden>gone</p></body></html>");
  EXPECT_EQ(text.title, "A&B");
  std::vector<std::string> blocks;
  for (const auto& b : text.blocks) blocks.push_back(b.text);
  EXPECT_THAT(blocks, ElementsAre("kept", "one", "two"));
  ASSERT_EQ(text.blocks.size(), 3u);
  EXPECT_EQ(text.blocks[0].scope, 0u);
  EXPECT_EQ(text.scopes[text.blocks[1].scope].kind, ScopeKind::kListItem);
  EXPECT_TRUE(text.within(text.blocks[1].scope, 0));
  EXPECT_FALSE(text.within(0, text.blocks[1].scope));
}

}  // namespace
}  // namespace allowdrift::feeds
