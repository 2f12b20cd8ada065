// `allowdrift history` and `allowdrift changes`: a real state database built with the store in a temporary
// directory, read by the real binary; output, JSON and exit status checked. The pure renderers are tested directly
// at the end.
#include "cli/store_report.h"
#include "process_runner.h"
#include "store/snapshot_store.h"
#include "store/state_db.h"
#include "store/store_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using store::SnapshotStatus;
using store::testing::read_bytes;
using store::testing::snapshot_of;
using ::testing::HasSubstr;
using ::testing::Not;

using allowdrift::testing::ProcessResult;

// Unix ms of a UTC day and hour.
std::int64_t at(std::chrono::year_month_day day, int hour = 6) {
  using namespace std::chrono;
  return duration_cast<milliseconds>((sys_days{day} + hours{hour}).time_since_epoch()).count();
}

// The ids of what the fixture recorded, for explicit FROM/TO arguments.
struct Ids {
  std::int64_t cf_first = 0;     // accepted, 104.16.0.0/12 (re-confirmed once)
  std::int64_t cf_rejected = 0;  // rejected: an HTML error page
  std::int64_t cf_split = 0;     // accepted, the /12 as /13 + /14 (the /14 104.28.0.0/14 gone)
  std::int64_t cf_suspect = 0;   // suspect, newest
  std::int64_t sdp_first = 0;
  std::int64_t sdp_second = 0;
  std::int64_t single = 0;
};

class CliStore : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.path() / "state.db";
    store::Database db = store::open_state_db(db_path_);
    store::SnapshotStore s(db);
    using namespace std::chrono;

    auto first = snapshot_of("cloudflare", at(2024y / October / 1), "104.16.0.0/12\n173.245.48.0/20\n2400:cb00::/32\n");
    first.etag = "\"v1\"";
    first.final_url = "https://www.cloudflare.com/ips-v4";
    ids_.cf_first = s.record(first).snapshot_id;
    first.fetched_at = at(2024y / October / 2);
    EXPECT_FALSE(s.record(first).created);  // same content: only confirmed_at moves

    store::SnapshotInput rejected;
    rejected.source = "cloudflare";
    rejected.fetched_at = at(2024y / October / 3);
    rejected.status = SnapshotStatus::kRejected;
    rejected.reason = "HTML error page where a list was expected";
    rejected.body_sha256 = "ab";
    ids_.cf_rejected = s.record(rejected).snapshot_id;

    auto split = snapshot_of("cloudflare", at(2024y / October / 29),
                             "104.16.0.0/13\n104.24.0.0/14\n173.245.48.0/20\n2400:cb00::/32\n");
    split.change_token = "2024-10-29-1";
    ids_.cf_split = s.record(split).snapshot_id;

    ids_.cf_suspect =
        s.record(snapshot_of("cloudflare", at(2024y / October / 30), "104.16.0.0/13\n", SnapshotStatus::kSuspect))
            .snapshot_id;

    store::SnapshotInput sdp;
    sdp.source = "sdp";
    sdp.fetched_at = at(2024y / November / 1);
    const auto com1 = feeds::parse_plain_list("136.143.190.0/23\n");
    const auto eu1 = feeds::parse_plain_list("185.20.209.0/24\nmail.example.eu\n");
    sdp.sections = {{"sdpondemand.manageengine.com", com1.ips, com1.domains.patterns()},
                    {"sdpondemand.manageengine.eu", eu1.ips, eu1.domains.patterns()}};
    ids_.sdp_first = s.record(sdp).snapshot_id;
    sdp.fetched_at = at(2024y / November / 2);
    const auto com2 = feeds::parse_plain_list("136.143.188.0/23\n");
    const auto eu2 = feeds::parse_plain_list("185.20.209.0/24\nmail.example.eu\nsmtp.example.eu\n");
    sdp.sections = {{"sdpondemand.manageengine.com", com2.ips, com2.domains.patterns()},
                    {"sdpondemand.manageengine.eu", eu2.ips, eu2.domains.patterns()}};
    ids_.sdp_second = s.record(sdp).snapshot_id;

    ids_.single = s.record(snapshot_of("single", at(2024y / November / 3), "192.0.2.0/24\n")).snapshot_id;
  }

  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), ALLOWDRIFT_BINARY);
    return testing::run_process(std::move(args), dir_.path());
  }

  // `allowdrift COMMAND --db <fixture> ARGS...`
  ProcessResult run_db(const std::string& command, std::vector<std::string> args) {
    args.insert(args.begin(), {command, "--db", db_path_.string()});
    return run(std::move(args));
  }

  static std::string id(std::int64_t v) { return std::to_string(v); }

  store::testing::TempDir dir_;
  fs::path db_path_;
  Ids ids_;
};

TEST_F(CliStore, HelpAndUsage) {
  const auto top = run({"--help"});
  EXPECT_EQ(top.status, 0);
  EXPECT_THAT(top.out, HasSubstr("history [SOURCE]"));
  EXPECT_THAT(top.out, HasSubstr("changes SOURCE [FROM] [TO]"));
  const auto h = run({"history", "--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_THAT(h.out, HasSubstr("/var/lib/allowdrift/state.db"));
  EXPECT_EQ(run({"changes", "--help"}).status, 0);

  EXPECT_EQ(run_db("history", {"--format", "xml"}).status, 2);
  EXPECT_EQ(run_db("history", {"--limit=-1", "cloudflare"}).status, 2);
  EXPECT_EQ(run_db("history", {"--limit", "many", "cloudflare"}).status, 2);
  EXPECT_EQ(run_db("history", {"cloudflare", "sdp"}).status, 2);
  EXPECT_EQ(run_db("history", {"--bogus"}).status, 2);
  const auto no_source = run_db("changes", {});
  EXPECT_EQ(no_source.status, 2);
  EXPECT_THAT(no_source.err, HasSubstr("expected a SOURCE"));
  EXPECT_EQ(run_db("changes", {"cloudflare", "1", "2", "3"}).status, 2);
  EXPECT_EQ(run_db("changes", {"--format", "yaml", "cloudflare"}).status, 2);
}

TEST_F(CliStore, HistoryOfAllSources) {
  const auto r = run_db("history", {});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // Header, then one line per source in name order: snapshots, last accepted id and its last confirmation, status
  // of what the latest fetch found.
  EXPECT_THAT(r.out, HasSubstr("SOURCE      SNAPSHOTS  LAST ACCEPTED  CONFIRMED (UTC)       LATEST\n"));
  EXPECT_THAT(r.out, HasSubstr("cloudflare          4  " + id(ids_.cf_split)));
  EXPECT_THAT(r.out, HasSubstr("2024-10-29T06:00:00Z  suspect\n"));
  EXPECT_THAT(r.out, HasSubstr("sdp                 2  " + id(ids_.sdp_second)));
  EXPECT_THAT(r.out, HasSubstr("2024-11-02T06:00:00Z  accepted\n"));
  EXPECT_THAT(r.out, HasSubstr("single              1  " + id(ids_.single)));
  EXPECT_LT(r.out.find("cloudflare"), r.out.find("sdp"));

  const auto j = run_db("history", {"--format", "json"});
  ASSERT_EQ(j.status, 0) << j.err;
  const auto doc = json::parse(j.out);
  const auto& sources = doc.at("sources").as_array();
  ASSERT_EQ(sources.size(), 3U);
  EXPECT_EQ(sources[0].at("source"), "cloudflare");
  EXPECT_EQ(sources[0].at("snapshots"), 4);
  EXPECT_EQ(sources[0].at("last_accepted").at("id"), ids_.cf_split);
  EXPECT_EQ(sources[0].at("last_accepted").at("confirmed_at"), "2024-10-29T06:00:00Z");
  EXPECT_EQ(sources[0].at("latest").at("status"), "suspect");
  EXPECT_EQ(sources[1].at("source"), "sdp");
  EXPECT_EQ(sources[1].at("latest").at("id"), ids_.sdp_second);
}

TEST_F(CliStore, HistoryOfOneSource) {
  const auto r = run_db("history", {"cloudflare"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cloudflare: 4 snapshots, newest first\n"));
  EXPECT_THAT(r.out,
              HasSubstr("ID  FETCHED (UTC)         CONFIRMED (UTC)       STATUS    IPS  DOMAINS  ADDED  REMOVED\n"));
  // Newest first; the first snapshot was fetched on the 1st and confirmed again on the 2nd.
  EXPECT_THAT(r.out, HasSubstr(" " + id(ids_.cf_first) +
                               "  2024-10-01T06:00:00Z  2024-10-02T06:00:00Z  accepted    3        0     +3       -0\n"
                               "    etag: \"v1\"  url: https://www.cloudflare.com/ips-v4\n"));
  EXPECT_THAT(r.out, HasSubstr(" " + id(ids_.cf_rejected) +
                               "  2024-10-03T06:00:00Z  2024-10-03T06:00:00Z  rejected    -        -      -        -\n"
                               "    reason: HTML error page where a list was expected\n"));
  // Per stored entry (CIDR blocks): /13, /14 added, /12 removed.
  EXPECT_THAT(r.out, HasSubstr(" " + id(ids_.cf_split) +
                               "  2024-10-29T06:00:00Z  2024-10-29T06:00:00Z  accepted    4        0     +2       -1\n"
                               "    token: 2024-10-29-1\n"));
  EXPECT_LT(r.out.find("suspect"), r.out.find("accepted"));
  EXPECT_LT(r.out.find("\n " + id(ids_.cf_split) + "  "), r.out.find("\n " + id(ids_.cf_first) + "  "));

  const auto limited = run_db("history", {"--limit", "1", "cloudflare"});
  ASSERT_EQ(limited.status, 0) << limited.err;
  EXPECT_THAT(limited.out, HasSubstr("cloudflare: the newest 1 of 4 snapshots (--limit 0 shows all)\n"));
  EXPECT_THAT(limited.out, HasSubstr("suspect"));
  EXPECT_THAT(limited.out, Not(HasSubstr("rejected")));

  const auto j = run_db("history", {"--format", "json", "cloudflare"});
  ASSERT_EQ(j.status, 0) << j.err;
  const auto doc = json::parse(j.out);
  EXPECT_EQ(doc.at("source"), "cloudflare");
  EXPECT_EQ(doc.at("total"), 4);
  const auto& snaps = doc.at("snapshots").as_array();
  ASSERT_EQ(snaps.size(), 4U);
  EXPECT_EQ(snaps[0].at("id"), ids_.cf_suspect);
  EXPECT_EQ(snaps[1].at("id"), ids_.cf_split);
  EXPECT_EQ(snaps[1].at("change_token"), "2024-10-29-1");
  EXPECT_EQ(snaps[1].at("added"), 2);
  EXPECT_EQ(snaps[1].at("removed"), 1);
  EXPECT_EQ(snaps[1].at("ips"), 4);
  EXPECT_TRUE(snaps[1].at("etag").is_null());
  EXPECT_EQ(snaps[2].at("status"), "rejected");
  EXPECT_EQ(snaps[2].at("reason"), "HTML error page where a list was expected");
  EXPECT_TRUE(snaps[2].at("ips").is_null());  // no content, not zero entries
  EXPECT_EQ(snaps[3].at("fetched_at"), "2024-10-01T06:00:00Z");
  EXPECT_EQ(snaps[3].at("confirmed_at"), "2024-10-02T06:00:00Z");
  EXPECT_EQ(snaps[3].at("etag"), "\"v1\"");
  EXPECT_EQ(snaps[3].at("final_url"), "https://www.cloudflare.com/ips-v4");
  EXPECT_EQ(snaps[3].at("content_sha256").as_string().size(), 64U);
}

// Defaults: TO is the last accepted snapshot (not the newer suspect one), FROM the accepted one before it (not the
// rejected one in between). The /12 replaced by /13 + /14 leaves its last /14 removed and nothing added.
TEST_F(CliStore, ChangesWithDefaultsAreCidrAware) {
  const auto r = run_db("changes", {"cloudflare"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "cloudflare: snapshot " + id(ids_.cf_first) + " (2024-10-01T06:00:00Z) -> snapshot " +
                       id(ids_.cf_split) + " (2024-10-29T06:00:00Z): 0 added, 1 removed\n  - 104.28.0.0/14\n");

  const auto j = run_db("changes", {"--format", "json", "cloudflare"});
  ASSERT_EQ(j.status, 0) << j.err;
  const auto doc = json::parse(j.out);
  EXPECT_EQ(doc.at("source"), "cloudflare");
  EXPECT_EQ(doc.at("from").at("id"), ids_.cf_first);
  EXPECT_EQ(doc.at("to").at("id"), ids_.cf_split);
  EXPECT_EQ(doc.at("to").at("status"), "accepted");
  const auto& sections = doc.at("sections").as_array();
  ASSERT_EQ(sections.size(), 1U);
  EXPECT_EQ(sections[0].at("section"), "");
  EXPECT_EQ(sections[0].at("added"), json::array());
  EXPECT_EQ(sections[0].at("removed"), json::array({"104.28.0.0/14"}));
}

// The administrator accepts the list held back as suspect: it becomes the accepted one, with what it changes
// printed; nothing is left to accept afterwards.
TEST_F(CliStore, AcceptTakesTheListHeldBackAsSuspect) {
  const auto r = run_db("accept", {"cloudflare"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "accepted snapshot " + id(ids_.cf_suspect) +
                       " of cloudflare, first fetched 2024-10-30T06:00:00Z, held back as suspect\n"
                       "  - 104.24.0.0/14\n  - 173.245.48.0/20\n  - 2400:cb00::/32\n");
  {
    store::Database db = store::open_state_db(db_path_);
    store::SnapshotStore s(db);
    const auto last = s.last_accepted("cloudflare");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->id, ids_.cf_suspect);
    EXPECT_THAT(last->reason, ::testing::StartsWith("accepted by an administrator (allowdrift accept) at "));
  }
  const auto again = run_db("accept", {"cloudflare"});
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.out, "allowdrift accept: cloudflare has no list held back (snapshot " + id(ids_.cf_suspect) +
                           " is the accepted one)\n");
  EXPECT_EQ(run_db("accept", {"single"}).status, 1);
  const auto unknown = run_db("accept", {"nosuch"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.err, HasSubstr("nosuch"));
  EXPECT_EQ(run_db("accept", {}).status, 2);
}

TEST_F(CliStore, ChangesWithExplicitIds) {
  // Backwards, and into the suspect snapshot: a suspect snapshot has content and can be compared.
  const auto back = run_db("changes", {"cloudflare", id(ids_.cf_split), id(ids_.cf_first)});
  ASSERT_EQ(back.status, 0) << back.err;
  EXPECT_THAT(back.out, HasSubstr(": 1 added, 0 removed\n  + 104.28.0.0/14\n"));

  const auto suspect = run_db("changes", {"cloudflare", id(ids_.cf_split), id(ids_.cf_suspect)});
  ASSERT_EQ(suspect.status, 0) << suspect.err;
  EXPECT_THAT(suspect.out, HasSubstr("-> snapshot " + id(ids_.cf_suspect) + " (2024-10-30T06:00:00Z, suspect)"));
  EXPECT_THAT(suspect.out, HasSubstr("  - 104.24.0.0/14\n  - 173.245.48.0/20\n  - 2400:cb00::/32\n"));

  // FROM alone: TO defaults to the last accepted snapshot.
  const auto from_only = run_db("changes", {"cloudflare", id(ids_.cf_suspect)});
  ASSERT_EQ(from_only.status, 0) << from_only.err;
  EXPECT_THAT(from_only.out, HasSubstr("-> snapshot " + id(ids_.cf_split) + " "));
  EXPECT_THAT(from_only.out, HasSubstr(": 3 added, 0 removed\n"));

  const auto same = run_db("changes", {"cloudflare", id(ids_.cf_split), id(ids_.cf_split)});
  ASSERT_EQ(same.status, 0) << same.err;
  EXPECT_THAT(same.out, HasSubstr(": 0 added, 0 removed\n  no changes\n"));
}

TEST_F(CliStore, ChangesNameTheSections) {
  const auto r = run_db("changes", {"sdp"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(": 2 added, 1 removed\n"
                               "section sdpondemand.manageengine.com: 1 added, 1 removed\n"
                               "  + 136.143.188.0/23\n"
                               "  - 136.143.190.0/23\n"
                               "section sdpondemand.manageengine.eu: 1 added, 0 removed\n"
                               "  + smtp.example.eu\n"));

  const auto j = run_db("changes", {"--format", "json", "sdp", id(ids_.sdp_first), id(ids_.sdp_second)});
  ASSERT_EQ(j.status, 0) << j.err;
  const auto doc = json::parse(j.out);
  const auto& sections = doc.at("sections").as_array();
  ASSERT_EQ(sections.size(), 2U);
  EXPECT_EQ(sections[0].at("section"), "sdpondemand.manageengine.com");
  EXPECT_EQ(sections[0].at("added"), json::array({"136.143.188.0/23"}));
  EXPECT_EQ(sections[0].at("removed"), json::array({"136.143.190.0/23"}));
  EXPECT_EQ(sections[1].at("section"), "sdpondemand.manageengine.eu");
  EXPECT_EQ(sections[1].at("added"), json::array({"smtp.example.eu"}));
}

TEST_F(CliStore, UnknownSourceListsTheKnownOnes) {
  for (const auto& command : {"history", "changes"}) {
    const auto r = run_db(command, {"cloudfare"});
    EXPECT_EQ(r.status, 2) << command;
    EXPECT_EQ(r.out, "") << command;
    EXPECT_THAT(r.err, HasSubstr("unknown source 'cloudfare' (known: cloudflare, sdp, single)")) << command;
  }
}

TEST_F(CliStore, ChangesRefusesSnapshotsThatCannotBeCompared) {
  const auto other = run_db("changes", {"sdp", id(ids_.cf_first), id(ids_.sdp_second)});
  EXPECT_EQ(other.status, 2);
  EXPECT_THAT(other.err, HasSubstr("snapshot " + id(ids_.cf_first) + " belongs to source 'cloudflare', not 'sdp'"));

  const auto rejected = run_db("changes", {"cloudflare", id(ids_.cf_first), id(ids_.cf_rejected)});
  EXPECT_EQ(rejected.status, 2);
  EXPECT_THAT(rejected.err, HasSubstr("snapshot " + id(ids_.cf_rejected) + " of 'cloudflare' was rejected"));
  EXPECT_THAT(rejected.err, HasSubstr("HTML error page"));

  const auto unknown = run_db("changes", {"cloudflare", "999", id(ids_.cf_split)});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no snapshot 999"));

  const auto unknown_to = run_db("changes", {"cloudflare", id(ids_.cf_first), "1000"});
  EXPECT_EQ(unknown_to.status, 2);
  EXPECT_THAT(unknown_to.err, HasSubstr("no snapshot 1000"));

  const auto not_an_id = run_db("changes", {"cloudflare", "latest"});
  EXPECT_EQ(not_an_id.status, 2);
  EXPECT_THAT(not_an_id.err, HasSubstr("FROM 'latest' is not a snapshot id"));

  const auto first = run_db("changes", {"single"});
  EXPECT_EQ(first.status, 2);
  EXPECT_THAT(first.err, HasSubstr("snapshot " + id(ids_.single) + " is the first accepted snapshot of 'single'"));
  for (const auto* r : {&other, &rejected, &unknown, &unknown_to, &not_an_id, &first}) EXPECT_EQ(r->out, "");
}

TEST_F(CliStore, StoreFailuresExitThreeAndNameTheFile) {
  const auto missing = dir_.path() / "nothing-here.db";
  const auto r = run({"history", "--db", missing.string()});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("allowdrift history: ", 0), 0U) << r.err;
  EXPECT_THAT(r.err, HasSubstr(missing.string()));
  EXPECT_FALSE(fs::exists(missing));  // read-only: never created

  const auto no_dir = dir_.path() / "no-such-dir" / "state.db";
  const auto c = run({"changes", "--db", no_dir.string(), "cloudflare"});
  EXPECT_EQ(c.status, 3);
  EXPECT_EQ(c.err.rfind("allowdrift changes: ", 0), 0U) << c.err;
  EXPECT_THAT(c.err, HasSubstr(no_dir.string()));

  const auto junk = dir_.path() / "junk.db";
  std::ofstream(junk, std::ios::binary) << "this is a text file, not SQLite; it must survive untouched\n";
  const auto before = read_bytes(junk);
  for (const auto& command : {"history", "changes"}) {
    const auto j = run({command, "--db", junk.string(), "cloudflare"});
    EXPECT_EQ(j.status, 3) << command;
    EXPECT_THAT(j.err, HasSubstr(junk.string())) << command;
    EXPECT_THAT(j.err, HasSubstr("not a database")) << command;
  }
  EXPECT_EQ(read_bytes(junk), before);
}

TEST_F(CliStore, RefusesANewerSchemaWithoutTouchingIt) {
  {
    store::Database db = store::Database::open(db_path_, store::Database::Mode::kReadWrite);
    db.exec("PRAGMA user_version = 99");
  }
  const auto before = read_bytes(db_path_);
  const auto r = run_db("history", {});
  EXPECT_EQ(r.status, 3);
  EXPECT_THAT(r.err, HasSubstr(db_path_.string()));
  EXPECT_THAT(r.err, HasSubstr("newer than this allowdrift"));
  EXPECT_EQ(read_bytes(db_path_), before);
}

// The daemon keeps its connection open while an admin runs the CLI.
TEST_F(CliStore, ReadsWhileTheDaemonHoldsTheDatabase) {
  store::Database db = store::open_state_db(db_path_);
  store::SnapshotStore s(db);
  s.record(
      snapshot_of("github", at(std::chrono::year_month_day{std::chrono::year{2024} / 12 / 1}), "192.30.252.0/22\n"));
  const auto r = run_db("history", {"github"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("github: 1 snapshot, newest first\n"));
}

// --- the pure renderers ---

TEST(StoreReport, FormatsUtcTimes) {
  EXPECT_EQ(cli::format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(cli::format_utc(1730181600000), "2024-10-29T06:00:00Z");
  EXPECT_EQ(cli::format_utc(1730181600042), "2024-10-29T06:00:00.042Z");
  EXPECT_EQ(cli::format_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(cli::format_utc(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(cli::format_utc(253402300800000), "253402300800000 ms since the epoch");
  EXPECT_EQ(cli::format_utc(std::numeric_limits<std::int64_t>::min()),
            std::to_string(std::numeric_limits<std::int64_t>::min()) + " ms since the epoch");
}

TEST(StoreReport, EscapesControlBytesFromVendorsInText) {
  store::SnapshotInfo s;
  s.id = 1;
  s.status = SnapshotStatus::kRejected;
  s.reason = "bad\x1b[2Jbody";
  s.etag = "\"e\ttag\"";
  const auto text = cli::text_history({"x", 1, {s}});
  EXPECT_THAT(text, HasSubstr("reason: bad\\x1b[2Jbody\n"));
  EXPECT_THAT(text, HasSubstr("etag: \"e\\x09tag\"\n"));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  // JSON keeps the value; the serializer escapes it.
  const auto doc = json::parse(cli::json_history({"x", 1, {s}}));
  EXPECT_EQ(doc.at("snapshots").at(0).at("reason"), "bad\x1b[2Jbody");
}

TEST(StoreReport, EmptyDatabaseAndSourceWithoutSnapshots) {
  EXPECT_EQ(cli::text_source_overview({}), "no sources in the database yet\n");
  EXPECT_EQ(cli::json_source_overview({}), "{\"sources\":[]}\n");
  EXPECT_EQ(cli::text_history({"aws", 0, {}}), "aws: no snapshots yet\n");
  const auto overview = cli::text_source_overview({{"aws", 0, std::nullopt, std::nullopt}});
  EXPECT_EQ(overview,
            "SOURCE  SNAPSHOTS  LAST ACCEPTED  CONFIRMED (UTC)  LATEST\n"
            "aws             0  -              -                -\n");
  EXPECT_EQ(cli::unknown_source_message("aws", {}),
            "unknown source 'aws' (the database holds no source yet: has the daemon fetched anything?)");
}

}  // namespace
}  // namespace allowdrift
