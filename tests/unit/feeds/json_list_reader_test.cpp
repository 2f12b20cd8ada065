// extract_json reads the document once, evaluating the selectors on the parser's events (json_select_stream.h), and
// JsonListReader does the same with the bytes in pieces. Both must say exactly what the walk over the parsed
// document says (extract_json_value): the same lists, the same warnings, the same error messages, paths and
// positions included, however the input is cut. tests/fuzz/json_list_fuzzer.cpp checks the same on random input;
// these are the real feeds and the cases that need held-back elements.
#include "feeds/json_list.h"
#include "test_data.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace allowdrift::feeds {
namespace {

std::string read_file(const std::string& relative) {
  return allowdrift::testing::read_test_data("published/" + relative);
}

JsonListSpec spec(std::initializer_list<std::string_view> selectors, std::string_view token = {}) {
  JsonListSpec out;
  out.sections.push_back({"", {}});
  for (auto s : selectors) out.sections.back().selectors.push_back(*JsonSelector::compile(s));
  if (!token.empty()) out.change_token = *JsonSelector::compile(token);
  return out;
}

// Everything a result says, as text.
std::string describe(const model::ParseResult<ExtractedList>& r) {
  if (!r) return "error: " + r.error().message;
  std::string out;
  for (const auto& s : r->sections) {
    out += "[" + s.name + " " + std::to_string(s.ip_entries) + " ip " + std::to_string(s.domain_entries) + " dn:";
    for (const auto& c : s.ips.to_cidr_strings()) out += " " + c;
    for (const auto& d : s.domains) out += " " + d.to_string();
    out += "] ";
  }
  out += "token " + r->change_token.value_or("-");
  for (const auto& w : r->warnings) out += " | " + w;
  return out;
}

std::string in_pieces(std::string_view bytes, const JsonListSpec& s, std::size_t piece) {
  JsonListReader reader(s);
  for (std::size_t at = 0; at < bytes.size(); at += piece) reader.write(bytes.substr(at, piece));
  return describe(reader.finish());
}

// The document walk's result, and checks that the streaming forms say the same.
std::string same_every_way(std::string_view bytes, const JsonListSpec& s, std::initializer_list<std::size_t> pieces) {
  const auto doc = parse_json_document(bytes, s.limits);
  const auto expected = doc ? describe(extract_json_value(*doc, s)) : "error: " + doc.error().message;
  EXPECT_EQ(describe(extract_json(bytes, s)), expected);
  for (auto piece : pieces) EXPECT_EQ(in_pieces(bytes, s, piece), expected) << "pieces of " << piece;
  return expected;
}

TEST(JsonListReader, RealFeedsInAnyPieces) {
  const auto azure = read_file("azure-servicetags-public-2025-07-22-change363.json");
  // Filters decided early (name comes first) and late (properties.region is a level down), every tag, the token.
  same_every_way(azure, spec({"values[name=AzureCloud.westeurope].properties.addressPrefixes"}, "changeNumber"),
                 {4093, 65536});
  same_every_way(azure, spec({"values[properties.region=westeurope|northeurope].properties.addressPrefixes"}), {65536});
  same_every_way(azure, spec({"values[].properties.addressPrefixes"}), {65536});

  // AWS: `service` comes after `ip_prefix` in every item, so each item's prefix waits for its filter.
  const auto aws = read_file("aws-ip-ranges-2026-08-22-1517.json");
  const auto ec2 = same_every_way(
      aws, spec({"prefixes[service=EC2].ip_prefix", "ipv6_prefixes[service=EC2].ipv6_prefix"}, "syncToken"),
      {1000, 65536});
  EXPECT_EQ(ec2.substr(0, 15), "[ 4154 ip 0 dn:") << "jq: 1924 + 2230 EC2 prefixes";

  // Microsoft 365 (CRLF, array-valued filter fields, skip rules), Oracle (a filter inside a filtered element).
  auto m365 = spec({"[serviceArea=Exchange].ips?", "[serviceArea=Exchange].urls?", "[category=Optimize].ips?"});
  m365.skip_tokens = {"autodiscover.*.onmicrosoft.com", "*cdn.onenote.net"};
  const auto m365_file = read_file("microsoft-365-endpoints-worldwide-noipv6-crlf.json");
  same_every_way(m365_file, m365, {1, 7, 4096});
  const auto oracle = read_file("oracle-public-ip-ranges-2025-07-21.json");
  same_every_way(oracle, spec({"regions[region=eu-frankfurt-1].cidrs[tags=OSN].cidr"}, "last_updated_timestamp"),
                 {1, 333});
}

TEST(JsonListReader, HeldBackElementsFollowTheirFilters) {
  // The filter field comes after the selected value: the value waits. An invalid entry in an item the filter drops
  // is never looked at; in an item it keeps, it rejects the document, with its path.
  const std::string doc =
      R"({"p":[{"ip":"192.0.2.0/24","s":"EC2"},{"ip":"not an address","s":"S3"},{"ip":"198.51.100.0/24","s":"EC2"}]})";
  EXPECT_EQ(same_every_way(doc, spec({"p[s=EC2].ip"}), {1, 5}), "[ 2 ip 0 dn: 192.0.2.0/24 198.51.100.0/24] token -");
  EXPECT_TRUE(same_every_way(doc, spec({"p[s=S3].ip"}), {1, 5})
                  .starts_with("error: invalid entry at p[1].ip: 'not an address': "));
  // An error held in an item is reported only when the item passes; the first error in walk order wins.
  const std::string missing = R"({"p":[{"x":1,"s":"S3"},{"s":"EC2"},{"ip":"192.0.2.1","s":"EC2"}]})";
  EXPECT_EQ(same_every_way(missing, spec({"p[s=EC2].ip"}), {1, 3}),
            "error: p[1].ip: no such key in the document (write 'key?' where the key may be absent)");
  // Filters are judged in order: a later filter's missing field does not count once an earlier one failed.
  const std::string order = R"({"p":[{"ip":"192.0.2.1","s":"S3"},{"ip":"192.0.2.2","s":"EC2","r":"x"}]})";
  EXPECT_EQ(same_every_way(order, spec({"p[s=EC2,r=x].ip"}), {1, 2}), "[ 1 ip 0 dn: 192.0.2.2/32] token -");
  EXPECT_EQ(same_every_way(order, spec({"p[r=x,s=EC2].ip"}), {1, 2}),
            "error: p[0].r: no such key (filter [r=...]; write '?=' if it may be absent)");
  // Nested: the inner items wait for their own filter and for the outer one.
  const std::string nested = R"({"r":[{"c":[{"ip":"192.0.2.1","t":["A"]},{"ip":"192.0.2.2","t":["B","A"]}],"n":"one"},)"
                             R"({"c":[{"ip":"192.0.2.3","t":["A"]}],"n":"two"}]})";
  EXPECT_EQ(same_every_way(nested, spec({"r[n=one].c[t=A].ip"}), {1, 4}),
            "[ 2 ip 0 dn: 192.0.2.1/32 192.0.2.2/32] token -");
  // A change token inside filtered items: exactly one must pass.
  EXPECT_EQ(same_every_way(doc, spec({"p[s=EC2].ip"}, "p[s=EC2].s"), {1}),
            "error: change token: selector 'p[s=EC2].s' selects more than one value (p[0].s and p[2].s)");
}

TEST(JsonListReader, MalformedDocumentsSayTheSameInPieces) {
  const auto s = spec({"a"});
  for (const char* doc : {"",
                          " \r\n",
                          "\xEF\xBB\xBF{\"a\":[]}",
                          "\xEF\xBB",
                          "{\"a\":[\"192.0.2.0/24\"",
                          "{\"a\":[\"192.0.2.0/24\"]} x",
                          "{\"a\":[]}{\"a\":[]}",
                          "{\"a\":NaN}",
                          "{\"a\":-Infinity}",
                          "{\"a\":tru}",
                          "{\"a\":t }",
                          "{\"a\":-1e999}",
                          "{\"a\":[\"x\xc6\xc8y\"]}",
                          "{\"a\":[\"\xe2\x82\"]}",
                          "{\"a\":\"\\ud800\\u0041\"}",
                          "{\"a\":\"\\u12G4\"}",
                          "{\"a\":[],}",
                          "{\"a\":[]} // c\n",
                          "{\"b\":{\"c\":1,\"c\":2}}",
                          "  \n <html><title>502 Bad",
                          "<?xml version=\"1.0\"?><Error/>",
                          "\n\n{\"a\":[1,2 3]}"}) {
    SCOPED_TRACE(doc);
    same_every_way(doc, s, {1, 2, 3});
  }
  auto small = s;
  small.limits.max_bytes = 16;
  EXPECT_EQ(same_every_way("{\"a\":[\"192.0.2.0/24\"]}", small, {1, 5}),
            "error: not accepted: a JSON document of 22 bytes, over the limit of 16");
  EXPECT_NE(same_every_way("{\"a\":" + std::string(70, '[') + std::string(70, ']') + "}", s, {1, 9})
                .find("nested deeper than 64 levels"),
            std::string::npos);
}

}  // namespace
}  // namespace allowdrift::feeds
