// The JSON list format on real published copies (tests/data/published/). Expected numbers were computed with jq
// at authoring time; each jq command is next to its number.
#include "feeds/json_list.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

namespace allowdrift::feeds {
namespace {

std::string read_file(const std::string& relative) {
  return allowdrift::testing::read_test_data("published/" + relative);
}

JsonSelector sel(std::string_view text) {
  auto s = JsonSelector::compile(text);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? *s : *JsonSelector::compile("x");
}

JsonListSpec spec(std::initializer_list<std::string_view> selectors, std::string_view token = {}) {
  JsonListSpec out;
  out.sections.push_back({"", {}});
  for (auto s : selectors) out.sections.back().selectors.push_back(sel(s));
  if (!token.empty()) out.change_token = sel(token);
  return out;
}

ExtractedList extract_ok(const std::string& file, const JsonListSpec& s) {
  auto r = extract_json(read_file(file), s);
  EXPECT_TRUE(r) << file << ": " << (r ? "" : r.error().message);
  return r ? std::move(*r) : ExtractedList{};
}

std::string extract_error(std::string_view bytes, const JsonListSpec& s) {
  auto r = extract_json(bytes, s);
  EXPECT_FALSE(r) << "accepted: " << bytes.substr(0, 80);
  return r ? std::string() : r.error().message;
}

bool has(const std::vector<std::string>& v, std::string_view x) { return std::find(v.begin(), v.end(), x) != v.end(); }

model::IpEntry ip(std::string_view s) { return *model::parse_ip_entry(s); }

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// --- the real feeds -------------------------------------------------------------------------------------------

TEST(JsonList, AwsEc2AddsExactlyOnePrefixBetweenTwoPublications) {
  const auto ec2 = spec({"prefixes[service=EC2].ip_prefix", "ipv6_prefixes[service=EC2].ipv6_prefix"}, "syncToken");
  const auto before = extract_ok("aws-ip-ranges-2026-08-22-1157.json", ec2);
  const auto after = extract_ok("aws-ip-ranges-2026-08-22-1517.json", ec2);
  ASSERT_EQ(after.sections.size(), 1U);
  // jq '[.prefixes[]|select(.service=="EC2")]|length' -> 1923 / 1924;
  // jq '[.ipv6_prefixes[]|select(.service=="EC2")]|length' -> 2230 in both
  EXPECT_EQ(before.total_ip_entries(), 1923U + 2230U);
  EXPECT_EQ(after.total_ip_entries(), 1924U + 2230U);
  EXPECT_EQ(before.change_token, "1787399825");  // jq .syncToken
  EXPECT_EQ(after.change_token, "1787411825");
  // jq -n --slurpfile a 1157 --slurpfile b 1517 '[EC2 v4+v6 of b] - [EC2 v4+v6 of a]' -> ["1.178.86.0/24"]; a - b -> []
  EXPECT_EQ(after.sections[0].ips.difference(before.sections[0].ips).to_cidr_strings(),
            std::vector<std::string>{"1.178.86.0/24"});
  EXPECT_TRUE(before.sections[0].ips.difference(after.sections[0].ips).empty());
}

TEST(JsonList, AwsServiceAndRegionFilterWithCreateDateToken) {
  const auto list = extract_ok("aws-ip-ranges-2026-08-22-1517.json",
                               spec({"prefixes[service=EC2,region=ap-southeast-3].ip_prefix",
                                     "ipv6_prefixes[service=EC2, region=ap-southeast-3].ipv6_prefix"},
                                    "createDate"));
  // jq '[.prefixes[]|select(.service=="EC2" and .region=="ap-southeast-3")]|length' -> 24; ipv6_prefixes -> 29
  EXPECT_EQ(list.total_ip_entries(), 24U + 29U);
  EXPECT_TRUE(list.sections[0].ips.covers(ip("1.178.86.0/24")));
  EXPECT_TRUE(list.sections[0].ips.covers(ip("108.136.0.0/15")));
  EXPECT_FALSE(list.sections[0].ips.covers(ip("3.5.140.0/22")));  // EC2 ap-northeast-2
  EXPECT_EQ(list.change_token, "2026-08-22-15-17-05");
}

TEST(JsonList, GoogleGoogV4AndV6FromOptionalKeys) {
  const auto list = extract_ok("google-goog-json-2026-08-21.json",
                               spec({"prefixes[].ipv4Prefix?", "prefixes[].ipv6Prefix?"}, "syncToken"));
  // jq '[.prefixes[]|select(has("ipv4Prefix"))]|length' -> 99; ipv6Prefix -> 15; (.prefixes|length) -> 114
  EXPECT_EQ(list.total_ip_entries(), 99U + 15U);
  EXPECT_TRUE(list.sections[0].ips.covers(ip("8.8.8.0/24")));
  EXPECT_TRUE(list.sections[0].ips.covers(ip("2001:4860::/32")));
  EXPECT_EQ(list.change_token, "1787299542583");

  // Without '?' the first item lacking the key is an error naming it.
  EXPECT_CONTAINS(extract_error(read_file("google-goog-json-2026-08-21.json"), spec({"prefixes[].ipv6Prefix"})),
                  "prefixes[0].ipv6Prefix: no such key");
}

TEST(JsonList, GoogleCloudByScope) {
  const auto list = extract_ok("google-cloud-json-2026-08-21.json", spec({"prefixes[scope=us-central1].ipv4Prefix?"}));
  // jq '[.prefixes[]|select(.scope=="us-central1").ipv4Prefix // empty]|length' -> 107
  EXPECT_EQ(list.total_ip_entries(), 107U);
}

TEST(JsonList, GithubHooksAndDomainsActionsInSections) {
  JsonListSpec s;
  s.sections.push_back({"hooks", {sel("hooks")}});
  s.sections.push_back({"actions-domains", {sel("domains.actions")}});
  const auto list = extract_ok("github-meta-2025-07-21.json", s);
  ASSERT_EQ(list.sections.size(), 2U);
  // jq .hooks -> 6 entries, listed here
  EXPECT_EQ(list.sections[0].name, "hooks");
  EXPECT_EQ(list.sections[0].ip_entries, 6U);
  EXPECT_EQ(list.sections[0].ips.to_cidr_strings(),
            (std::vector<std::string>{"140.82.112.0/20", "143.55.64.0/20", "185.199.108.0/22", "192.30.252.0/22",
                                      "2606:50c0::/32", "2a0a:a440::/29"}));
  // jq '.domains.actions|length' -> 91 (first: "*.actions.githubusercontent.com")
  EXPECT_EQ(list.sections[1].domain_entries, 91U);
  EXPECT_EQ(list.sections[1].ip_entries, 0U);
  const auto& d = list.sections[1].domains;
  EXPECT_NE(std::find(d.begin(), d.end(), model::DomainPattern{"actions.githubusercontent.com", true}), d.end());
}

TEST(JsonList, GithubMissingKeyIsAnErrorNotAnEmptyList) {
  // This copy still has dependabot (jq '.dependabot|length' -> 3); GitHub later dropped it. Drop it here the same
  // way and the selector must fail, naming the key.
  auto doc = boost::json::parse(read_file("github-meta-2025-07-21.json"));
  ASSERT_EQ(doc.as_object().erase("dependabot"), 1U);
  const auto with = extract_ok("github-meta-2025-07-21.json", spec({"dependabot"}));
  EXPECT_EQ(with.total_ip_entries(), 3U);
  const auto message = extract_error(boost::json::serialize(doc), spec({"dependabot"}));
  EXPECT_EQ(message, "dependabot: no such key in the document (write 'key?' where the key may be absent)");
  EXPECT_CONTAINS(extract_error(read_file("github-meta-2025-07-21.json"), spec({"domains.dependabot"})),
                  "domains.dependabot: no such key");
}

TEST(JsonList, AzureByTagNameAndBySystemService) {
  const auto list =
      extract_ok("azure-servicetags-public-2025-07-22-change363.json",
                 spec({"values[name=AzureFrontDoor.Frontend].properties.addressPrefixes"}, "changeNumber"));
  // jq '.values[]|select(.name=="AzureFrontDoor.Frontend").properties.addressPrefixes|length' -> 192
  EXPECT_EQ(list.total_ip_entries(), 192U);
  EXPECT_TRUE(list.sections[0].ips.covers(ip("13.105.221.0/24")));
  EXPECT_EQ(list.change_token, "363");  // jq .changeNumber

  const auto westeurope = extract_ok("azure-servicetags-public-2025-07-22-change363.json",
                                     spec({"values[name=\"AzureCloud.westeurope\"].properties.addressPrefixes"}));
  // jq '.values[]|select(.name=="AzureCloud.westeurope").properties.addressPrefixes|length' -> 448
  EXPECT_EQ(westeurope.total_ip_entries(), 448U);
}

TEST(JsonList, AtlassianByProductAndDirectionOnArrayFields) {
  const auto list = extract_ok("atlassian-ip-ranges-2026-06-17.json",
                               spec({"items[product=jira,direction=egress].cidr"}, "syncToken"));
  // jq '[.items[]|select((.product|index("jira")) and (.direction|index("egress")))]|length' -> 94
  EXPECT_EQ(list.total_ip_entries(), 94U);
  EXPECT_TRUE(list.sections[0].ips.covers(ip("104.192.136.0/21")));
  EXPECT_TRUE(list.sections[0].ips.covers(ip("2401:1d80:3000::/36")));
  EXPECT_EQ(list.change_token, "1781669326");  // jq .syncToken (a number)
}

TEST(JsonList, OracleAllRegionsAndOneRegionByTag) {
  const auto all =
      extract_ok("oracle-public-ip-ranges-2025-07-21.json", spec({"regions[].cidrs[].cidr"}, "last_updated_timestamp"));
  // jq '[.regions[].cidrs[].cidr]|length' -> 896
  EXPECT_EQ(all.total_ip_entries(), 896U);
  EXPECT_EQ(all.change_token, "2025-07-21T07:13:25.457838");
  const auto osn = extract_ok("oracle-public-ip-ranges-2025-07-21.json",
                              spec({"regions[region=eu-frankfurt-1].cidrs[tags=OSN].cidr"}));
  // jq '[.regions[]|select(.region=="eu-frankfurt-1").cidrs[]|select(.tags|index("OSN")).cidr]|length' -> 16
  EXPECT_EQ(osn.total_ip_entries(), 16U);
  EXPECT_TRUE(osn.sections[0].ips.covers(ip("147.154.128.0/19")));
}

TEST(JsonList, DatadogProductsAndVersion) {
  const auto list = extract_ok("datadog-ip-ranges-2026-06-30.json",
                               spec({"synthetics.prefixes_ipv4", "synthetics.prefixes_ipv6"}, "version"));
  // jq '.synthetics.prefixes_ipv4|length' -> 113; prefixes_ipv6 -> 0
  EXPECT_EQ(list.total_ip_entries(), 113U);
  EXPECT_EQ(list.change_token, "62");  // jq .version
  const auto hooks = extract_ok("datadog-ip-ranges-2026-06-30.json", spec({"webhooks.prefixes_ipv4"}));
  EXPECT_EQ(hooks.total_ip_entries(), 35U);  // jq '.webhooks.prefixes_ipv4|length'
  EXPECT_TRUE(hooks.sections[0].ips.covers(ip("100.28.212.0/22")));
}

TEST(JsonList, FastlyImpervaAndZscalerRecommended) {
  const auto fastly = extract_ok("fastly-public-ip-list-2024-10-08.json", spec({"addresses", "ipv6_addresses"}));
  EXPECT_EQ(fastly.total_ip_entries(), 19U + 2U);  // jq '.addresses|length, .ipv6_addresses|length'
  EXPECT_TRUE(fastly.sections[0].ips.covers(ip("151.101.0.0/16")));
  EXPECT_TRUE(fastly.sections[0].ips.covers(ip("2a04:4e42::/32")));

  const auto imperva = extract_ok("imperva-ips-api-response-2026-06-30.json", spec({"ipRanges", "ipv6Ranges"}));
  EXPECT_EQ(imperva.total_ip_entries(), 11U + 1U);  // jq '.ipRanges|length, .ipv6Ranges|length'
  EXPECT_TRUE(imperva.sections[0].ips.covers(ip("2a02:e980::/29")));

  const auto zscaler = extract_ok("zscaler-net-recommended-2025-06-30.json", spec({"hubPrefixes"}));
  EXPECT_EQ(zscaler.total_ip_entries(), 80U);  // jq '.hubPrefixes|length'
  EXPECT_TRUE(zscaler.sections[0].ips.covers(ip("165.225.0.0/17")));
}

TEST(JsonList, SalesforceStyleArrayValuedPrefixesAreFlattened) {
  // The shape of https://ip-ranges.salesforce.com/ip-ranges.json (no real copy in published/).
  const std::string doc =
      R"({"syncToken":"1720000000","createDate":"2024-07-03-10-00-00","prefixes":[)"
      R"({"region":"us-east-1","provider":"AWS","ip_prefix":["192.0.2.0/25","192.0.2.128/25"]},)"
      R"({"region":"eu-west-1","provider":"Hyperforce","ip_prefix":["198.51.100.0/24","2001:db8::/48"]}]})";
  auto r = extract_json(doc, spec({"prefixes[].ip_prefix"}, "syncToken"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->total_ip_entries(), 4U);
  EXPECT_EQ(r->sections[0].ips.to_cidr_strings(),
            (std::vector<std::string>{"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/48"}));
  EXPECT_EQ(r->change_token, "1720000000");
  auto bad = extract_json(R"({"prefixes":[{"ip_prefix":["192.0.2.0/25","192.0.2.999/32"]}]})",
                          spec({"prefixes[provider?=AWS|Hyperforce].ip_prefix", "prefixes[].ip_prefix"}));
  ASSERT_FALSE(bad);
  EXPECT_CONTAINS(bad.error().message, "invalid entry at prefixes[0].ip_prefix[1]: '192.0.2.999/32'");
}

TEST(JsonList, ZscalerCenrThroughQuotedKeyAndWildcards) {
  const auto list = extract_ok("zscaler-net-cenr-2026-08-21.json", spec({"\"zscaler.net\".*.*[].range"}));
  // jq '[.["zscaler.net"][][][].range]|length' -> 935 (673 distinct)
  EXPECT_EQ(list.total_ip_entries(), 935U);
  EXPECT_TRUE(list.sections[0].ips.covers(ip("2a03:eec0:3900::/40")));  // "continent : EMEA" / "city : Abu Dhabi II"
}

TEST(JsonList, Microsoft365ExchangeIpsAndUrlsWithCountedSkipRule) {
  const auto file = read_file("microsoft-365-endpoints-worldwide-noipv6-crlf.json");
  auto s = spec({"[serviceArea=Exchange].ips?", "[serviceArea=Exchange].urls?"});
  // Without a skip rule the per-tenant wildcard rejects the whole document, with its path: endpoint id 8 is [2].
  EXPECT_CONTAINS(extract_error(file, s), "invalid entry at [2].urls[1]: ");
  EXPECT_CONTAINS(extract_error(file, s), "autodiscover.*.onmicrosoft.com");

  s.skip_tokens = {"autodiscover.*.onmicrosoft.com", "*cdn.onenote.net"};
  auto r = extract_json(file, s);
  ASSERT_TRUE(r) << r.error().message;
  // jq '[.[]|select(.serviceArea=="Exchange").ips[]?]|length' -> 31; .urls[]? -> 10, one of them skipped
  EXPECT_EQ(r->total_ip_entries(), 31U);
  EXPECT_EQ(r->total_domain_entries(), 9U);
  EXPECT_TRUE(r->sections[0].ips.covers(ip("40.96.0.0/13")));
  const auto& d = r->sections[0].domains;
  EXPECT_NE(std::find(d.begin(), d.end(), model::DomainPattern{"protection.outlook.com", true}), d.end());
  EXPECT_TRUE(
      has(r->warnings, "skipped 1 'autodiscover.*.onmicrosoft.com' by the source's skip rule, first at [2].urls[1]"));

  // Every endpoint set: jq '[.[].ips[]?]|length' -> 51, '[.[].urls[]?]|length' -> 199, two skipped.
  const auto all = extract_json(file, [&] {
    auto a = spec({"[].ips?", "[].urls?"});
    a.skip_tokens = s.skip_tokens;
    return a;
  }());
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->total_ip_entries(), 51U);
  EXPECT_EQ(all->total_domain_entries(), 197U);
  EXPECT_TRUE(has(all->warnings, "skipped 1 '*cdn.onenote.net' by the source's skip rule, first at [21].urls[0]"));

  // Filters on a boolean and on alternatives: required Optimize/Allow endpoints of Exchange.
  const auto opt = extract_ok("microsoft-365-endpoints-worldwide-noipv6-crlf.json",
                              spec({"[serviceArea=Exchange,category=Optimize|Allow,required=true].ips?"}));
  // jq '[.[]|select(.serviceArea=="Exchange" and (.category=="Optimize" or .category=="Allow") and
  //   .required==true).ips[]?]|length' -> 20
  EXPECT_EQ(opt.total_ip_entries(), 20U);
}

// --- what is not a feed ---------------------------------------------------------------------------------------

TEST(JsonList, HtmlErrorPagesAreRejectedWithWhatTheyAre) {
  const auto s = spec({"hooks"});
  EXPECT_EQ(extract_error(read_file("badfetch-github-meta-http504-2025-05-26.html"), s),
            "not accepted: an HTML document where JSON was expected (heading \"504 Gateway Time-out\")");
  EXPECT_EQ(extract_error(read_file("badfetch-cloudflare-ips-v4-http500-2024-10-29.html"), s),
            "not accepted: an HTML document where JSON was expected (title \"500 Internal Server Error\")");
  EXPECT_EQ(extract_error(read_file("badfetch-cloudflare-ips-v6-challenge-page-2023-10-11.html"), s),
            "not accepted: an HTML document where JSON was expected (title \"Attention Required! | Cloudflare\")");
  EXPECT_CONTAINS(extract_error("<?xml version=\"1.0\"?><Error>AccessDenied</Error>", s), "XML or other markup");
}

TEST(JsonList, MalformedDocumentsAreRejectedWhole) {
  const auto s = spec({"a"});
  EXPECT_CONTAINS(extract_error("", s), "an empty document");
  EXPECT_CONTAINS(extract_error(" \r\n", s), "an empty document");
  EXPECT_CONTAINS(extract_error("\xEF\xBB\xBF{\"a\":[\"192.0.2.0/24\"]}", s), "byte order mark");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"", s), "truncated");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"]} x", s), "data after the end of the document at line 1");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"]}{\"a\":[]}", s), "data after the end");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"],\"n\":NaN}", s), "NaN and Infinity are not JSON");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"],\"n\":-Infinity}", s), "not valid JSON");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"],\"n\":-1e999}", s), "would read as Infinity");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"],\n\"n\":\"\xff\"}", s), "line 2");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"],}", s), "not valid JSON");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"] // c\n}", s), "comments are not JSON");
  EXPECT_EQ(extract_error("{\"a\":[\"192.0.2.0/24\"],\"b\":{\"c\":1,\"c\":2}}", s),
            "not accepted: duplicate key b.c (the JSON object repeats a member name; which one counts is undefined)");
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"],\"a\":[\"198.51.100.0/24\"]}", s), "duplicate key a ");

  std::string deep(10000, '[');
  EXPECT_CONTAINS(extract_error("{\"a\":" + deep, s), "nested deeper than 64 levels");
  std::string ok63 = "{\"a\":[\"192.0.2.0/24\"],\"b\":" + std::string(62, '[') + std::string(62, ']') + "}";
  EXPECT_TRUE(extract_json(ok63, s));

  auto small = s;
  small.limits.max_bytes = 16;
  EXPECT_CONTAINS(extract_error("{\"a\":[\"192.0.2.0/24\"]}", small), "22 bytes, over the limit of 16");
}

TEST(JsonList, SchemaMismatchNamesThePath) {
  EXPECT_EQ(extract_error("{\"prefixes\":{}}", spec({"prefixes[].ip_prefix"})),
            "prefixes: expected an array for '[...]', found an object");
  EXPECT_EQ(extract_error("{\"prefixes\":[{\"ip_prefix\":\"192.0.2.0/24\"},{\"ip_prefix\":7}]}",
                          spec({"prefixes[].ip_prefix"})),
            "prefixes[1].ip_prefix: expected a string or an array of strings, found a number");
  EXPECT_EQ(extract_error("{\"p\":[{\"ip_prefix\":[\"192.0.2.0/24\",null]}]}", spec({"p[].ip_prefix"})),
            "p[0].ip_prefix[1]: expected a string, found null");
  EXPECT_EQ(extract_error("{\"p\":[{\"s\":\"EC2\"},{\"x\":1}]}", spec({"p[s=EC2].ip"})),
            "p[0].ip: no such key in the document (write 'key?' where the key may be absent)");
  EXPECT_EQ(extract_error("{\"p\":[{\"s\":\"S3\"},{\"x\":1}]}", spec({"p[s=EC2].ip"})),
            "p[1].s: no such key (filter [s=...]; write '?=' if it may be absent)");
  EXPECT_EQ(extract_error("{\"p\":[\"x\"]}", spec({"p[s=EC2].ip"})),
            "p[0]: expected an object to filter on, found a string");
  EXPECT_EQ(extract_error("[1]", spec({"a"})), "a: expected an object holding this key, found an array");
  EXPECT_CONTAINS(extract_error("{\"a\":[],\"t\":{}}", spec({"a"}, "t")), "change token at t: expected a string");
  EXPECT_CONTAINS(extract_error("{\"a\":[],\"t\":[\"1\",\"2\"]}", spec({"a"}, "t[]")), "more than one value");
}

TEST(JsonList, AnyInvalidEntryRejectsTheDocumentWithItsPath) {
  // reliability.md D3 entries, each in the middle of otherwise good data.
  for (const char* bad : {"942.180.233.122", "1.2.3.4/33", "010.0.0.1", "0x7f.0.0.1", "127.1", "192.0.2.1 ",
                          "2001:db8::1%eth0", "<!doctype html>", ""}) {
    const std::string doc = std::string("{\"p\":[{\"ip\":\"192.0.2.0/24\"},{\"ip\":\"") + bad + "\"}]}";
    const auto message = extract_error(doc, spec({"p[].ip"}));
    EXPECT_TRUE(message.starts_with("invalid entry at p[1].ip: ")) << bad << " -> " << message;
  }
  // Hostile keys are quoted and escaped in paths.
  EXPECT_EQ(extract_error("{\"a\\nb\":{\"c\":[\"1.2.3.4/33\"]}}", spec({"*.c"})).substr(0, 31),
            "invalid entry at \"a\\x0ab\".c[0]:");
}

TEST(JsonList, FiltersCompareTypesAsDocumented) {
  const std::string doc =
      R"({"p":[{"n":1,"b":true,"s":"1","ip":"192.0.2.1"},{"n":2,"b":false,"s":"true","ip":"192.0.2.2"}]})";
  const auto cidrs = [&](std::string_view selector) {
    auto r = extract_json(doc, spec({selector}));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->sections[0].ips.to_cidr_strings() : std::vector<std::string>{};
  };
  EXPECT_EQ(cidrs("p[n=1].ip"), std::vector<std::string>{"192.0.2.1/32"});
  EXPECT_EQ(cidrs("p[s=1].ip"), std::vector<std::string>{"192.0.2.1/32"});
  EXPECT_EQ(cidrs("p[b=true].ip"), std::vector<std::string>{"192.0.2.1/32"});
  EXPECT_EQ(cidrs("p[s=\"true\"].ip"), std::vector<std::string>{"192.0.2.2/32"});
  EXPECT_TRUE(cidrs("p[b=\"true\"].ip").empty());  // a quoted literal matches strings only
  EXPECT_EQ(cidrs("p[n=1|2].ip"), (std::vector<std::string>{"192.0.2.1/32", "192.0.2.2/32"}));
  EXPECT_TRUE(cidrs("p[x?=1].ip").empty());
}

TEST(JsonSelector, CompileErrorsNamePositionAndExpectation) {
  const auto err = [](std::string_view text) {
    auto s = JsonSelector::compile(text);
    EXPECT_FALSE(s) << text;
    return s ? std::string() : s.error().message;
  };
  EXPECT_EQ(err(""), "selector '': at character 1, expected a selector, e.g. prefixes[].ip_prefix, found the end");
  EXPECT_EQ(err("prefixes[service=EC2"),
            "selector 'prefixes[service=EC2': at character 21, expected ',' or ']' after a filter, found the end");
  EXPECT_EQ(err("prefixes..ip"),
            "selector 'prefixes..ip': at character 10, expected a key (name or \"quoted\"), '*' or '[', found '.'");
  EXPECT_EQ(err("a b"), "selector 'a b': at character 2, expected '.' or '[' between steps, found ' '");
  EXPECT_EQ(err("a[x]"), "selector 'a[x]': at character 4, expected '=' after the field name, found ']'");
  EXPECT_EQ(err("a[x=]"),
            "selector 'a[x=]': at character 5, expected a value (bare word or \"quoted\") after '=' or '|', found ']'");
  EXPECT_EQ(err("\"abc"), "selector '\"abc': at character 5, expected '\"' closing the quoted key, found the end");
  EXPECT_CONTAINS(err(std::string(2000, 'a')), "longer than 1024");
  std::string many;
  for (int i = 0; i < 40; ++i) many += "[]";
  EXPECT_CONTAINS(err(many), "more than 32 steps");
}

TEST(JsonSelector, KeepsPathsOfSelectedStrings) {
  const auto doc = boost::json::parse(R"({"p":[{"ip":["a.example","b.example"]},{"ip":"c.example"}],"k.x":{"y":"d"}})");
  const auto got = sel("p[].ip").select_strings(doc);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 3U);
  EXPECT_EQ((*got)[0].path, "p[0].ip[0]");
  EXPECT_EQ((*got)[1].path, "p[0].ip[1]");
  EXPECT_EQ((*got)[2].path, "p[1].ip");
  EXPECT_EQ((*got)[2].value, "c.example");
  const auto quoted = sel("\"k.x\".y").select_strings(doc);
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->at(0).path, "\"k.x\".y");
}

}  // namespace
}  // namespace allowdrift::feeds
