// `stale_scope = "published"` end to end: a shared allowlist also holds entries no source ever published; only
// what a source published and then dropped is stale. Checked through the real binary, on the run that stores the
// shorter list (its content handed on from the refresh) and on the next one (read back from the state database).
#include "app/once_fixture.h"

#include <fstream>

namespace allowdrift {
namespace {

using ::testing::ElementsAre;
using testing::OnceTest;
using testing::without_line;

class OnceStaleScopeTest : public OnceTest {
 protected:
  std::string config_with_scope(const std::string& scope) {
    const auto path = write_config();
    std::ofstream(path, std::ios::app) << "stale_scope = \"" << scope << "\"\n";
    return path;
  }
  static std::vector<std::string> stale(const Run& r) { return strings(check(r).at("stale")); }
};

TEST_F(OnceStaleScopeTest, OnlyWhatTheSourceOncePublishedIsStale) {
  // The shared allowlist: Cloudflare's real list plus a documentation prefix no source publishes.
  serve(current_);
  allow(current_ + "\n198.51.100.0/24\n");
  auto config = config_with_scope("published");

  auto r = once(config);
  EXPECT_EQ(r.status, 0) << r.err << boost::json::serialize(r.report);
  EXPECT_EQ(outcome(r), "baseline");
  EXPECT_TRUE(stale(r).empty());

  // Cloudflare drops 104.24.0.0/14 (a small shrink: accepted). Still allowed here, it is now stale; and the
  // firewall lost 131.0.72.0/22, which the new list still has: missing.
  serve(previous_);
  allow(without_line(current_, "131.0.72.0/22") + "\n198.51.100.0/24\n");
  r = once(config);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(outcome(r), "changed");
  EXPECT_THAT(stale(r), ElementsAre("104.24.0.0/14"));
  EXPECT_THAT(strings(check(r).at("missing")), ElementsAre("131.0.72.0/22"));
  const auto stored_now = check(r);

  // The next run compares the stored lists (the refresh confirms, it stores nothing): the same answer.
  r = once(config);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(outcome(r), "unchanged");
  EXPECT_EQ(check(r).at("missing"), stored_now.at("missing"));
  EXPECT_EQ(check(r).at("stale"), stored_now.at("stale"));
  EXPECT_EQ(check(r).at("broad"), stored_now.at("broad"));
  allow(current_ + "\n198.51.100.0/24\n");

  // Scoped to the whole target, the prefix nobody published is stale too.
  config = config_with_scope("target");
  r = once(config);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_THAT(stale(r), ElementsAre("104.24.0.0/14", "198.51.100.0/24"));

  // The vendor publishes the prefix again and the firewall drops the documentation prefix: in sync.
  serve(current_);
  allow(current_);
  r = once(config_with_scope("published"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(stale(r).empty());
}

}  // namespace
}  // namespace allowdrift
