#include "diff/diff_report.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>

namespace allowdrift::diff {
namespace {

namespace json = boost::json;

struct Fixture {
  feeds::PlainList published;
  feeds::PlainList local;
  ListDiff diff;
};

Fixture make(std::string_view published, std::string_view local) {
  Fixture f{feeds::parse_plain_list(published, {.keep_origins = true}),
            feeds::parse_plain_list(local, {.keep_origins = true}),
            {}};
  EXPECT_TRUE(f.published.ok());
  EXPECT_TRUE(f.local.ok());
  f.diff = compare_lists(f.published.ips, f.published.domains, f.local.ips, f.local.domains);
  return f;
}

std::string bare(const ListDiff& d, Side side) {
  std::string out;
  {
    OutputSink sink([&](std::string_view s) { out.append(s); }, 8);  // tiny buffer: exercises flushing
    write_bare_list(d, side, sink);
  }
  return out;
}

TEST(DiffReport, BareListIsMinimalCidrsThenDomains) {
  const auto f = make("10.0.0.0/24\n2001:db8::/64\n10.0.1.0/24\nmail.example.com\n10.0.2.7\n", "10.0.1.0/24\n");
  EXPECT_EQ(bare(f.diff, Side::kMissing), "10.0.0.0/24\n10.0.2.7/32\n2001:db8::/64\nmail.example.com\n");
  EXPECT_EQ(bare(f.diff, Side::kStale), "");
}

TEST(DiffReport, RangeSplitsIntoMinimalBlocks) {
  const auto f = make("10.0.0.1-10.0.0.9\n", "");
  EXPECT_EQ(bare(f.diff, Side::kMissing), "10.0.0.1/32\n10.0.0.2/31\n10.0.0.4/30\n10.0.0.8/31\n");
}

TEST(DiffReport, TextNamesTheLineEachBlockCameFrom) {
  const auto f = make("# published\n104.16.0.0/13\n104.24.0.0/14\n2405:8100::/32\n", "104.16.0.0/12\n");
  std::string out;
  {
    OutputSink sink([&](std::string_view s) { out.append(s); });
    write_text_report(f.diff, {"pub.txt", f.published}, {"local.txt", f.local}, sink);
  }
  EXPECT_NE(out.find("missing (published, not allowed locally): 0 IPv4 blocks, 1 IPv6 block, 0 domains"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("2405:8100::/32"), std::string::npos);
  EXPECT_NE(out.find("pub.txt:4"), std::string::npos);
  EXPECT_NE(out.find("stale (allowed locally, no longer published): 1 IPv4 block (262144 addresses)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("104.28.0.0/14"), std::string::npos);
  EXPECT_NE(out.find("part of 104.16.0.0/12 in local.txt:1"), std::string::npos) << out;
}

TEST(DiffReport, TextSaysNoneWhenASideIsEmpty) {
  const auto f = make("192.0.2.0/24\n", "192.0.2.0/24\n");
  std::string out;
  {
    OutputSink sink([&](std::string_view s) { out.append(s); });
    write_text_report(f.diff, {"p", f.published}, {"l", f.local}, sink);
  }
  EXPECT_NE(out.find("missing (published, not allowed locally): none"), std::string::npos) << out;
  EXPECT_NE(out.find("stale (allowed locally, no longer published): none"), std::string::npos) << out;
}

TEST(DiffReport, JsonCarriesBlocksOriginsAndWarnings) {
  const auto f = make("192.0.2.0/24\n*.example.com\n", "192.0.2.1/25\nexample.com\n");
  const auto doc = json::parse(json_report(f.diff, {"p", f.published}, {"l", f.local}, Side::kBoth));
  EXPECT_EQ(doc.at("drift"), true);
  const auto& missing_ips = doc.at("missing").at("ips").as_array();
  ASSERT_EQ(missing_ips.size(), 1U);
  EXPECT_EQ(missing_ips[0].at("cidr"), "192.0.2.128/25");
  EXPECT_EQ(missing_ips[0].at("from").at(0).at("line"), 1);
  EXPECT_EQ(missing_ips[0].at("from").at(0).at("entry"), "192.0.2.0/24");
  EXPECT_EQ(doc.at("missing").at("domains").at(0).at("domain"), "*.example.com");
  EXPECT_EQ(doc.at("stale").at("domains").at(0).at("domain"), "example.com");
  EXPECT_EQ(doc.at("stale").at("domains").at(0).at("line"), 2);
  EXPECT_EQ(doc.at("local").at("warning_count"), 1);
  EXPECT_EQ(doc.at("local").at("warnings").at(0).at("line"), 1);
}

TEST(DiffReport, JsonOnlyIsAnArrayOfStrings) {
  const auto f = make("192.0.2.0/24\nexample.com\n", "");
  const auto doc = json::parse(json_report(f.diff, {"p", f.published}, {"l", f.local}, Side::kMissing));
  EXPECT_EQ(doc, (json::array{"192.0.2.0/24", "example.com"}));
  const auto none = json::parse(json_report(f.diff, {"p", f.published}, {"l", f.local}, Side::kStale));
  EXPECT_EQ(none, json::array{});
}

}  // namespace
}  // namespace allowdrift::diff
