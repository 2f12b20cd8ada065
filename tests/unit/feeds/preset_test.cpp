// The shipped presets (config/presets/, embedded at build time) on the real copies in tests/data/, with concrete
// members and counts; and the preset file's error reporting.
#include "feeds/preset.h"
#include "test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace allowdrift::feeds {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string read_file(const std::string& relative) { return allowdrift::testing::read_test_data(relative); }

const PresetCatalog& catalog() {
  static const PresetCatalog c = [] {
    auto loaded = PresetCatalog::load(embedded_preset_files());
    EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().message);
    return loaded ? *loaded : PresetCatalog{};
  }();
  return c;
}

SourceSpec spec(const std::string& name, const std::map<std::string, std::string>& params = {}) {
  const Preset* p = catalog().find(name);
  EXPECT_NE(p, nullptr) << name;
  if (p == nullptr) return {};
  auto s = instantiate(*p, params);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  return s ? *s : SourceSpec{};
}

ExtractedList run(const std::string& name, const std::string& file,
                  const std::map<std::string, std::string>& params = {}) {
  auto list = extract(read_file(file), spec(name, params));
  EXPECT_TRUE(list.has_value()) << name << " on " << file << ": " << (list ? "" : list.error().message);
  return list ? *list : ExtractedList{};
}

std::vector<std::string> cidrs(const ExtractedList& l, std::size_t section = 0) {
  return l.sections.at(section).ips.to_cidr_strings();
}

TEST(Presets, EveryShippedPresetLoadsAndInstantiates) {
  std::set<std::string> names;
  for (const auto& f : embedded_preset_files()) {
    auto presets = parse_presets(f.text, std::string(f.name));
    ASSERT_TRUE(presets.has_value()) << presets.error().message;
    for (const auto& p : *presets) EXPECT_TRUE(names.insert(p.name).second) << "duplicate preset " << p.name;
  }
  EXPECT_EQ(names.size(), catalog().all().size());
  for (const auto& p : catalog().all()) {
    std::map<std::string, std::string> params;
    for (const auto& r : p.required) params[r] = "test";
    auto s = instantiate(p, params);
    EXPECT_TRUE(s.has_value()) << p.name << ": " << (s ? "" : s.error().message);
    if (s) {
      EXPECT_TRUE(s->url.starts_with("https://")) << p.name;
    }
  }
  for (const char* expected : {"sdp-cloud-us", "sdp-cloud-eu", "sdp-cloud-in", "sdp-cloud-au", "sdp-cloud-cn",
                               "sdp-cloud-jp", "sdp-cloud-domains", "microsoft365-exchange", "aws", "github", "google",
                               "google-cloud", "cloudflare-v4", "cloudflare-v6", "atlassian", "oracle", "zscaler-hubs"})
    EXPECT_NE(catalog().find(expected), nullptr) << expected;
}

// ServiceDesk Plus Cloud: the US data center yields exactly its 6 addresses, from every markup variant of the page
// and from its English wording (fixtures derived from the real Chinese FAQ, tests/data/pages/README.md).
TEST(Presets, SdpCloudPerDataCenter) {
  for (const char* page : {"pages/sdp-general-faq-zh-p.html", "pages/sdp-general-faq-zh-br.html",
                           "pages/sdp-general-faq-zh-li.html", "pages/sdp-general-faq-en-div.html"}) {
    SCOPED_TRACE(page);
    const auto us = run("sdp-cloud-us", page);
    ASSERT_EQ(us.sections.size(), 1U);
    EXPECT_EQ(us.sections[0].name, "us");
    EXPECT_THAT(cidrs(us), ElementsAre("136.143.183.166/32", "136.143.186.53/32", "136.143.187.53/32",
                                       "136.143.191.166/32", "204.141.33.166/32", "204.141.43.166/32"));
    EXPECT_EQ(cidrs(run("sdp-cloud-eu", page)).size(), 9U);  // through the page's "manageine.eu" typo
    EXPECT_EQ(cidrs(run("sdp-cloud-au", page)).size(), 2U);
    EXPECT_EQ(cidrs(run("sdp-cloud-in", page)).size(), 3U);
    EXPECT_EQ(cidrs(run("sdp-cloud-cn", page)).size(), 2U);
    EXPECT_EQ(cidrs(run("sdp-cloud-jp", page)).size(), 2U);
    EXPECT_EQ(run("sdp-cloud-mail", page).sections.size(), 6U);
    EXPECT_EQ(cidrs(run("sdp-cloud-mail", page, {{"dc", "in"}})),
              (std::vector<std::string>{"103.89.74.11/32", "103.89.75.3/32", "169.148.146.11/32"}));
  }
}

TEST(Presets, SdpCloudDomains) {
  const auto list = run("sdp-cloud-domains", "pages/sdp-admin-faq-en-p.html");
  std::vector<std::string> names;
  for (const auto& d : list.sections.at(0).domains) names.push_back(d.to_string());
  EXPECT_THAT(names, ElementsAre("sdpondemand.manageengine.com", "accounts.zoho.com", "contacts.zoho.com",
                                 "css.zohostatic.com", "image.zohostatic.com", "js.zohostatic.com"));
}

// The example: AWS 2026-08-22 15:17 minus 11:57 adds exactly 1.178.86.0/24 for EC2.
TEST(Presets, AwsEc2Change) {
  const auto before = run("aws", "published/aws-ip-ranges-2026-08-22-1157.json", {{"service", "EC2"}});
  const auto after = run("aws", "published/aws-ip-ranges-2026-08-22-1517.json", {{"service", "EC2"}});
  EXPECT_EQ(after.sections[0].ips.difference(before.sections[0].ips).to_cidr_strings(),
            std::vector<std::string>{"1.178.86.0/24"});
  EXPECT_TRUE(before.sections[0].ips.difference(after.sections[0].ips).empty());
  EXPECT_EQ(after.change_token, "1787411825");
  EXPECT_EQ(after.total_ip_entries(), 1924U + 2230U);  // jq '[.prefixes[]|select(.service=="EC2")]|length' + v6
  const auto region =
      run("aws", "published/aws-ip-ranges-2026-08-22-1517.json", {{"service", "EC2"}, {"region", "ap-southeast-3"}});
  EXPECT_LT(region.total_ip_entries(), after.total_ip_entries());
}

TEST(Presets, GithubGoogleCloudflare) {
  EXPECT_THAT(cidrs(run("github", "published/github-meta-2025-07-21.json", {{"key", "hooks"}})),
              ElementsAre("140.82.112.0/20", "143.55.64.0/20", "185.199.108.0/22", "192.30.252.0/22", "2606:50c0::/32",
                          "2a0a:a440::/29"));
  auto missing = extract(read_file("published/github-meta-2025-07-21.json"), spec("github", {{"key", "no_such"}}));
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("no_such: no such key"));

  const auto goog = run("google", "published/google-goog-json-2026-08-21.json");
  EXPECT_EQ(goog.total_ip_entries(), 99U + 15U);  // jq '[.prefixes[].ipv4Prefix//empty]|length' -> 99; v6 -> 15
  EXPECT_EQ(cidrs(run("cloudflare-v4", "published/cloudflare-ips-v4-2024-10-29.txt")).size(), 15U);
}

TEST(Presets, Microsoft365AtlassianOracleZscaler) {
  const auto exchange = run("microsoft365-exchange", "published/microsoft-365-endpoints-worldwide-noipv6-crlf.json",
                            {{"clientrequestid", "b10c5ed1-bad1-445f-b386-b919946339a7"}});
  EXPECT_EQ(exchange.total_ip_entries(), 31U);     // jq '[.[]|select(.serviceArea=="Exchange").ips[]?]|length'
  EXPECT_EQ(exchange.total_domain_entries(), 9U);  // 10 urls, one skipped by the preset's rule (a counted warning)
  EXPECT_THAT(exchange.warnings, ::testing::Contains(HasSubstr("autodiscover.*.onmicrosoft.com")));
  EXPECT_EQ(
      run("atlassian", "published/atlassian-ip-ranges-2026-06-17.json", {{"product", "jira"}, {"direction", "egress"}})
          .total_ip_entries(),
      94U);
  EXPECT_EQ(
      run("oracle", "published/oracle-public-ip-ranges-2025-07-21.json", {{"region", "eu-frankfurt-1"}, {"tag", "OSN"}})
          .total_ip_entries(),
      16U);
  EXPECT_EQ(run("oracle", "published/oracle-public-ip-ranges-2025-07-21.json").total_ip_entries(), 896U);
  EXPECT_EQ(run("zscaler-hubs", "published/zscaler-net-recommended-2025-06-30.json").total_ip_entries(), 80U);
  EXPECT_EQ(run("zscaler-cenr", "published/zscaler-net-cenr-2026-08-21.json").total_ip_entries(), 935U);
}

TEST(Presets, ParameterErrors) {
  const Preset* aws = catalog().find("aws");
  ASSERT_NE(aws, nullptr);
  auto unknown = instantiate(*aws, {{"servise", "EC2"}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown parameter 'servise' (parameters: region, service)"));
  auto bad = instantiate(*aws, {{"service", "EC2]"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("'EC2]'"));
  auto m365 = instantiate(*catalog().find("microsoft365"), {});
  ASSERT_FALSE(m365.has_value());
  EXPECT_THAT(m365.error().message, HasSubstr("parameter 'clientrequestid' is required"));
  auto keep = instantiate(*catalog().find("sdp-cloud-mail"), {{"dc", "uk"}});
  ASSERT_FALSE(keep.has_value());
  EXPECT_THAT(keep.error().message, HasSubstr("no section named 'uk'"));
  auto http = instantiate(*aws, {}, std::string("http://mirror.example/ip-ranges.json"));
  EXPECT_FALSE(http.has_value());
  auto mirror = instantiate(*aws, {}, std::string("https://mirror.example/ip-ranges.json"));
  ASSERT_TRUE(mirror.has_value());
  EXPECT_EQ(mirror->url, "https://mirror.example/ip-ranges.json");
}

TEST(Presets, FileErrorsNameTheFileAndLine) {
  auto syntax = parse_presets("[[preset]]\nname = \"x\"\nurl = \n", "broken.toml");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_THAT(syntax.error().message, HasSubstr("broken.toml"));
  EXPECT_THAT(syntax.error().message, HasSubstr("3"));

  auto unknown_key = parse_presets(
      "[[preset]]\nname = \"x\"\nurl = \"https://a.example/\"\nformat = \"text\"\nsellect = []\n", "k.toml");
  ASSERT_FALSE(unknown_key.has_value());
  EXPECT_THAT(unknown_key.error().message, HasSubstr("unknown key 'sellect'"));
  EXPECT_THAT(unknown_key.error().message, HasSubstr("k.toml:5"));

  auto no_select =
      parse_presets("[[preset]]\nname = \"x\"\nurl = \"https://a.example/\"\nformat = \"json\"\n", "j.toml");
  ASSERT_FALSE(no_select.has_value());
  EXPECT_THAT(no_select.error().message, HasSubstr("needs 'select'"));

  const std::string base = "[[preset]]\nname = \"v\"\nbase = \"nothing\"\n";
  const std::array<PresetFile, 1> files{{{"v.toml", base}}};
  auto catalog_error = PresetCatalog::load(files);
  ASSERT_FALSE(catalog_error.has_value());
  EXPECT_THAT(catalog_error.error().message, HasSubstr("base 'nothing' is not a preset"));
}

}  // namespace
}  // namespace allowdrift::feeds
