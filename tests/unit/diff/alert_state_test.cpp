#include "diff/alert_state.h"

#include <gtest/gtest.h>

namespace allowdrift::diff {
namespace {

constexpr std::int64_t kHour = 3'600'000;

TEST(AlertState, FirstQuietObservationIsASilentBaseline) {
  const auto s = step(std::nullopt, "check:c", false, "", 1000, kHour);
  EXPECT_EQ(s.change, Change::kNone);
  EXPECT_FALSE(s.record.open);
}

TEST(AlertState, EachTransitionAlertsOnce) {
  auto s = step(std::nullopt, "check:c", true, "fp1", 1000, kHour);
  EXPECT_EQ(s.change, Change::kOpened);
  EXPECT_TRUE(s.record.open);
  EXPECT_EQ(s.record.since_ms, 1000);

  auto again = step(s.record, "check:c", true, "fp1", 2000, kHour);
  EXPECT_EQ(again.change, Change::kNone);  // unchanged: no repeat every tick
  EXPECT_EQ(again.record, s.record);

  auto changed = step(again.record, "check:c", true, "fp2", 3000, kHour);
  EXPECT_EQ(changed.change, Change::kChanged);
  EXPECT_EQ(changed.record.since_ms, 1000);  // the problem is still the one that opened at 1000
  EXPECT_EQ(changed.record.fingerprint, "fp2");

  auto resolved = step(changed.record, "check:c", false, "", 4000, kHour);
  EXPECT_EQ(resolved.change, Change::kResolved);
  EXPECT_FALSE(resolved.record.open);
  EXPECT_EQ(step(resolved.record, "check:c", false, "", 5000, kHour).change, Change::kNone);
  EXPECT_EQ(step(resolved.record, "check:c", true, "fp2", 6000, kHour).change, Change::kOpened);
}

TEST(AlertState, UnchangedOpenProblemRemindsAfterTheInterval) {
  const auto opened = step(std::nullopt, "fetch:s", true, "dns", 0, kHour);
  EXPECT_EQ(step(opened.record, "fetch:s", true, "dns", kHour - 1, kHour).change, Change::kNone);
  const auto reminded = step(opened.record, "fetch:s", true, "dns", kHour, kHour);
  EXPECT_EQ(reminded.change, Change::kReminder);
  EXPECT_EQ(reminded.record.last_sent_ms, kHour);
  EXPECT_EQ(step(reminded.record, "fetch:s", true, "dns", kHour + 10, kHour).change, Change::kNone);
  EXPECT_EQ(step(opened.record, "fetch:s", true, "dns", 100 * kHour, 0).change, Change::kNone);  // 0: no reminders
}

TEST(AlertState, FingerprintsAreStable) {
  // FNV-1a 64 of "a": a fixed value, so fingerprints stored before a restart or an upgrade still compare equal.
  EXPECT_EQ(fingerprint_of("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fingerprint_of(""), "cbf29ce484222325");
  EXPECT_NE(fingerprint_of("-192.0.2.0/24\n"), fingerprint_of("+192.0.2.0/24\n"));
}

}  // namespace
}  // namespace allowdrift::diff
