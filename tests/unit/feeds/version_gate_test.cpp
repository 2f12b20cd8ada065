// The version gate of sources with a version endpoint. The documents follow the shape Microsoft documents for
// https://endpoints.office.com/version/Worldwide (no real capture of that endpoint is in shared/data).
#include "feeds/version_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allowdrift::feeds {
namespace {

using ::testing::HasSubstr;

JsonSelector selector(std::string_view text) {
  auto s = JsonSelector::compile(text);
  EXPECT_TRUE(s.has_value());
  return *s;
}

TEST(VersionGate, ParsesTheLatestVersion) {
  auto v = parse_version(R"({"instance": "Worldwide", "latest": "2026070100"})", selector("latest"));
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(*v, "2026070100");
  // The all-instances form: an array; pick the Worldwide one.
  auto all = parse_version(
      R"([{"instance": "Worldwide", "latest": "2026070100"}, {"instance": "China", "latest": "2026050100"}])",
      selector("[instance=Worldwide].latest"));
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(*all, "2026070100");
}

TEST(VersionGate, RejectsDocumentsWithoutAVersion) {
  auto missing = parse_version(R"({"instance": "Worldwide"})", selector("latest"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("latest"));
  EXPECT_FALSE(parse_version("<html><title>429 Too Many Requests</title></html>", selector("latest")).has_value());
}

TEST(VersionGate, DecidesWhetherToFetchTheList) {
  EXPECT_EQ(check_version(std::nullopt, "2026070100"), VersionCheck::kFirst);
  EXPECT_EQ(check_version("2026070100", "2026070100"), VersionCheck::kUnchanged);
  EXPECT_EQ(check_version("2026060100", "2026070100"), VersionCheck::kMoved);
  EXPECT_EQ(check_version("2026080100", "2026070100"), VersionCheck::kWentBackwards);
  EXPECT_EQ(check_version("v1", "v2-b"), VersionCheck::kMoved);  // not comparable, different: fetch
}

}  // namespace
}  // namespace allowdrift::feeds
