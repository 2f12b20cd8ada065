#include "config/quantity.h"

#include <gtest/gtest.h>

namespace allowdrift::config {
namespace {

using std::chrono::seconds;

TEST(Duration, ParsesUnitsAndCombinations) {
  EXPECT_EQ(*parse_duration("90s"), seconds{90});
  EXPECT_EQ(*parse_duration("15m"), seconds{900});
  EXPECT_EQ(*parse_duration("6h"), seconds{6 * 3600});
  EXPECT_EQ(*parse_duration("1d"), seconds{86400});
  EXPECT_EQ(*parse_duration("2w"), seconds{14 * 86400});
  EXPECT_EQ(*parse_duration("1h30m"), seconds{5400});
  EXPECT_EQ(*parse_duration("1d2h3m4s"), seconds{86400 + 7200 + 180 + 4});
  EXPECT_EQ(*parse_duration("0s"), seconds{0});
}

TEST(Duration, RejectsWhatIsNotADuration) {
  for (const char* bad : {"", "6", "h", "6 h", "6H", "-1h", "1.5h", "30m1h", "1h1h", "6hours", "1y", "4294967296s"}) {
    const auto r = parse_duration(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("duration"), std::string::npos) << r.error().message;
  }
}

TEST(Duration, FormatsBackToTheShortestText) {
  EXPECT_EQ(format_duration(seconds{5400}), "1h30m");
  EXPECT_EQ(format_duration(seconds{0}), "0s");
  EXPECT_EQ(format_duration(seconds{14 * 86400 + 1}), "2w1s");
  for (const auto s : {1, 59, 61, 3601, 86399, 1'000'000}) {
    EXPECT_EQ(*parse_duration(format_duration(seconds{s})), seconds{s});
  }
}

TEST(Size, ParsesBinaryAndDecimalUnits) {
  EXPECT_EQ(*parse_size("65536"), 65536u);
  EXPECT_EQ(*parse_size("512KiB"), 512u * 1024);
  EXPECT_EQ(*parse_size("32MiB"), 32u << 20);
  EXPECT_EQ(*parse_size("4MB"), 4'000'000u);
  EXPECT_EQ(*parse_size("1GiB"), 1ull << 30);
  for (const char* bad : {"", "MB", "4 MB", "4mb", "-1", "4TB", "99999999999999999999"}) {
    EXPECT_FALSE(parse_size(bad)) << bad;
  }
  EXPECT_FALSE(parse_size("18446744073709551615GiB"));
}

}  // namespace
}  // namespace allowdrift::config
