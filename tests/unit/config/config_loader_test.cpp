#include "config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <filesystem>
#include <fstream>
#include <string>

namespace allowdrift::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ConfigResult parse(const std::string& text) { return parse_config(text, "/etc/allowdrift/allowdrift.toml", {}); }

std::string errors_of(const ConfigResult& r) {
  std::string out;
  if (!r) {
    for (const auto& m : r.error().messages) out += m + "\n";
  }
  return out;
}

// The minimal file of issue 7, verbatim: it must load as written.
constexpr const char* kMinimal = R"(state_dir = "/var/lib/allowdrift"

[[source]]
name = "sdp-us"
preset = "sdp-cloud-us"          # optional: url = "https://mirror.example/faq.html"

[[source]]
name = "cloudflare"
url = "https://www.cloudflare.com/ips-v4"
format = "text"
interval = "6h"

[[target]]
name = "mail-allow"
spec = "nft:inet/filter/sdp_mail"

[[check]]
name = "sdp-mail"
sources = ["sdp-us"]
target = "mail-allow"
report = ["missing", "stale"]

[[alert]]
type = "syslog"
facility = "daemon"
)";

TEST(ConfigLoader, LoadsTheMinimalFileAsWritten) {
  const auto r = parse(kMinimal);
  ASSERT_TRUE(r) << errors_of(r);
  EXPECT_EQ(r->state_dir, "/var/lib/allowdrift");
  ASSERT_EQ(r->sources.size(), 2u);
  EXPECT_EQ(r->sources[0].name, "sdp-us");
  EXPECT_EQ(r->sources[0].preset, "sdp-cloud-us");
  EXPECT_THAT(r->sources[0].spec.url, HasSubstr("sdpondemand"));
  EXPECT_EQ(r->sources[0].spec.source_format(), feeds::SourceFormat::kHtml);
  EXPECT_EQ(r->sources[1].spec.url, "https://www.cloudflare.com/ips-v4");
  EXPECT_EQ(r->sources[1].spec.source_format(), feeds::SourceFormat::kText);
  EXPECT_EQ(r->sources[1].fetch.interval, std::chrono::hours{6});
  ASSERT_EQ(r->targets.size(), 1u);
  EXPECT_EQ(r->targets[0].spec.kind, firewall::TargetKind::kNftSet);
  EXPECT_EQ(r->targets[0].spec.family, "inet");
  EXPECT_EQ(r->targets[0].spec.table, "filter");
  EXPECT_EQ(r->targets[0].spec.name, "sdp_mail");
  ASSERT_EQ(r->checks.size(), 1u);
  EXPECT_THAT(r->checks[0].sources, ElementsAre("sdp-us"));
  EXPECT_TRUE(r->checks[0].report_missing);
  EXPECT_TRUE(r->checks[0].report_stale);
  ASSERT_EQ(r->alerts.size(), 1u);
  EXPECT_EQ(r->alerts[0].type, AlertType::kSyslog);
  EXPECT_EQ(r->alerts[0].facility, "daemon");
}

TEST(ConfigLoader, GlobalDefaultsFlowIntoSourcesAndCanBeOverridden) {
  const auto r = parse(R"(
interval = "2h"
retries = 5
[[source]]
name = "a"
url = "https://example.com/a.txt"
format = "text"
[[source]]
name = "b"
url = "https://example.com/b.txt"
format = "text"
retries = 1
[[target]]
name = "t"
spec = "file:local.txt"
[[check]]
name = "c"
sources = ["a", "b"]
target = "t"
)");
  ASSERT_TRUE(r) << errors_of(r);
  EXPECT_EQ(r->sources[0].fetch.interval, std::chrono::hours{2});
  EXPECT_EQ(r->sources[0].fetch.retries, 5);
  EXPECT_EQ(r->sources[1].fetch.retries, 1);
  // Relative paths are relative to the config file's directory.
  EXPECT_EQ(r->targets[0].spec.path, "/etc/allowdrift/local.txt");
}

TEST(ConfigLoader, ErrorsCarryFileLineAndKey) {
  const auto r = parse(R"(state_dir = "/x"
[[source]]
name = "a"
url = "https://example.com/a.txt"
format = "text"
intervall = "6h"
retries = "three"
[[target]]
name = "t"
spec = "nft:inet/filter"
[[check]]
name = "c"
sources = ["a", "nope"]
target = "t"
report = ["missing", "gone"]
)");
  ASSERT_FALSE(r);
  const auto all = errors_of(r);
  EXPECT_THAT(all, HasSubstr("/etc/allowdrift/allowdrift.toml:6: key 'intervall' in [[source]] 'a': unknown key"));
  EXPECT_THAT(all, HasSubstr("/etc/allowdrift/allowdrift.toml:7: key 'retries' in [[source]] 'a': expected an "
                             "integer, got a string"));
  EXPECT_THAT(all, HasSubstr(":10: key 'spec' in [[target]] 't': target 'nft:inet/filter': expected FAMILY/TABLE/SET"));
  EXPECT_THAT(all, HasSubstr(":13: key 'sources' in [[check]] 'c': no [[source]] named 'nope'"));
  EXPECT_THAT(all, HasSubstr(":15: key 'report' in [[check]] 'c': report takes \"missing\" and/or \"stale\", not "
                             "'gone'"));
}

TEST(ConfigLoader, ErrorsComeInFileOrder) {
  // The loader reads every [[source]], then every [[target]], then every [[check]]: the messages still follow
  // the file. And a check may come before the sources and target it names.
  const auto r = parse(R"([[check]]
name = "c"
sources = ["a", "nope"]
target = "t"
[[target]]
name = "t"
spec = "file:/x"
colour = "red"
[[source]]
name = "a"
url = "https://example.com/a.txt"
format = "text"
intervall = "6h"
)");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().messages.size(), 3u) << errors_of(r);
  EXPECT_THAT(r.error().messages[0], HasSubstr(":3: key 'sources' in [[check]] 'c': no [[source]] named 'nope'"));
  EXPECT_THAT(r.error().messages[1], HasSubstr(":8: key 'colour'"));
  EXPECT_THAT(r.error().messages[2], HasSubstr(":13: key 'intervall'"));
}

TEST(ConfigLoader, NamesMustBeNonEmptyAndChecksNameASourceOnce) {
  const auto r = parse(R"([[source]]
name = ""
url = "https://example.com/a.txt"
format = "text"
[[source]]
name = "b"
url = "https://example.com/b.txt"
format = "text"
[[target]]
name = ""
spec = "file:/x"
[[check]]
name = ""
sources = ["b", "b"]
target = "t"
)");
  ASSERT_FALSE(r);
  const auto all = errors_of(r);
  EXPECT_THAT(all, HasSubstr(":2: key 'name' in [[source]] #1: source name '' must be 1 to 64 letters"));
  EXPECT_THAT(all, HasSubstr(":10: key 'name' in [[target]] #1: target name '' must be 1 to 64 letters"));
  EXPECT_THAT(all, HasSubstr(":13: key 'name' in [[check]] #1: check name '' must be 1 to 64 letters"));
  EXPECT_THAT(all, HasSubstr(":14: key 'sources' in [[check]] #1: source 'b' is named twice"));
}

TEST(ConfigLoader, UrlsAreCheckedAsTheFetcherWillParseThem) {
  const auto source_with = [](const std::string& url) {
    return parse("[[source]]\nname = \"a\"\nurl = \"" + url +
                 "\"\nformat = \"text\"\n[[target]]\nname = \"t\"\nspec = \"file:/x\"\n[[check]]\nname = \"c\"\n"
                 "sources = [\"a\"]\ntarget = \"t\"\n");
  };
  EXPECT_TRUE(source_with("https://example.com:8443/a.txt"));
  for (const char* bad : {"https://", "https://example.com:83979/a.txt", "https://exa mple.com/a", "https://h:abc/"}) {
    const auto r = source_with(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(errors_of(r), HasSubstr(":3: key 'url' in [[source]] 'a': ")) << bad;
  }
  // A webhook's URL may hold its secret: the message does not repeat it.
  const auto hook =
      parse(std::string(kMinimal) + "[[alert]]\ntype = \"webhook\"\nurl = \"https://hooks.example:99999/T0/s3cr3t\"\n");
  ASSERT_FALSE(hook);
  EXPECT_THAT(errors_of(hook), HasSubstr("a webhook url must be a valid https:// URL"));
  EXPECT_THAT(errors_of(hook), ::testing::Not(HasSubstr("s3cr3t")));
}

TEST(ConfigLoader, FetchSettingsThatContradictEachOtherAreErrors) {
  const auto with = [](const std::string& global, const std::string& source) {
    return parse(global + "[[source]]\nname = \"a\"\nurl = \"https://example.com/a.txt\"\nformat = \"text\"\n" +
                 source + "[[target]]\nname = \"t\"\nspec = \"file:/x\"\n[[check]]\nname = \"c\"\n" +
                 "sources = [\"a\"]\ntarget = \"t\"\n");
  };
  EXPECT_TRUE(with("interval = \"1d\"\n", "max_age = \"2d\"\naccept_suspect_after = \"36h\"\n"));
  EXPECT_THAT(errors_of(with("", "interval = \"1d\"\nmax_age = \"1h\"\n")),
              HasSubstr(":5: key 'interval' in [[source]] 'a': interval (1d) must be shorter than max_age (1h)"));
  EXPECT_THAT(errors_of(with("max_age = \"1d\"\naccept_suspect_after = \"2d\"\n", "")),
              HasSubstr("accept_suspect_after (2d) must be shorter than max_age (1d)"));
  // Not written: its default gives way (half of max_age), so a shorter max_age alone is no error.
  const auto short_age = with("max_age = \"1d\"\n", "");
  ASSERT_TRUE(short_age) << errors_of(short_age);
  EXPECT_EQ(short_age->sources[0].fetch.accept_suspect_after, std::chrono::hours(12));
  EXPECT_EQ(with("", "")->sources[0].fetch.accept_suspect_after, std::chrono::hours(48));
}

TEST(ConfigLoader, TomlSyntaxErrorsHaveTheirLine) {
  const auto r = parse("state_dir = \"/x\"\n\n[[source]\nname = 1\n");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().messages.front(), HasSubstr("/etc/allowdrift/allowdrift.toml:3: "));
}

TEST(ConfigLoader, RefusesAmbiguousOrIncompleteSources) {
  const auto both = parse(R"(
[[source]]
name = "a"
preset = "cloudflare-v4"
format = "json"
[[source]]
name = "b"
[[source]]
name = "c"
url = "http://example.com/list.txt"
format = "text"
[[source]]
name = "d"
preset = "no-such-preset"
[[source]]
name = "a"
url = "https://example.com/x"
format = "json"
[[target]]
name = "t"
spec = "file:/x"
[[check]]
name = "k"
sources = ["a"]
target = "t"
)");
  ASSERT_FALSE(both);
  const auto all = errors_of(both);
  EXPECT_THAT(all, HasSubstr(":5: key 'format' in [[source]] 'a': a [[source]] with a preset takes its format"));
  EXPECT_THAT(all, HasSubstr("'b' needs a preset or a url"));
  EXPECT_THAT(all, HasSubstr(":10: key 'url' in [[source]] 'c': only https:// URLs are fetched"));
  EXPECT_THAT(all, HasSubstr(":14: key 'preset' in [[source]] 'd': no preset named 'no-such-preset' (known: "));
  EXPECT_THAT(all, HasSubstr("a [[source]] named 'a' already exists"));
  EXPECT_THAT(all, HasSubstr(":18: key 'format' in [[source]] 'a': a json source needs a select"));
}

TEST(ConfigLoader, ValidatesAlertChannels) {
  const auto r = parse(R"(
[[source]]
name = "a"
url = "https://example.com/a.txt"
format = "text"
[[target]]
name = "t"
spec = "file:/x"
[[check]]
name = "k"
sources = ["a"]
target = "t"
[[alert]]
type = "syslog"
facility = "local9"
[[alert]]
type = "webhook"
url = "http://hooks.example/secret-token"
[[alert]]
type = "exec"
command = ["page-oncall"]
[[alert]]
type = "pager"
[[alert]]
type = "syslog"
events = ["drift", "nonsense"]
min_severity = "loud"
)");
  ASSERT_FALSE(r);
  const auto all = errors_of(r);
  EXPECT_THAT(all, HasSubstr("unknown syslog facility 'local9'"));
  EXPECT_THAT(all, HasSubstr("a webhook url must be https://"));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("secret-token")));  // the URL may hold a secret
  EXPECT_THAT(all, HasSubstr("starting with an absolute path"));
  EXPECT_THAT(all, HasSubstr("alert type must be \"syslog\", \"webhook\" or \"exec\", not 'pager'"));
  EXPECT_THAT(all, HasSubstr("unknown event 'nonsense'"));
  EXPECT_THAT(all, HasSubstr("min_severity must be critical, error, warning, notice or info, not 'loud'"));
}

TEST(ConfigLoader, ProxyPasswordNeverAppearsInErrors) {
  const auto r = parse("proxy = \"https://user:hunter2@proxy.example:3128\"\n");
  ASSERT_FALSE(r);
  EXPECT_THAT(errors_of(r), HasSubstr("key 'proxy'"));
  EXPECT_THAT(errors_of(r), ::testing::Not(HasSubstr("hunter2")));
}

// One source, target and check: the smallest file that loads, after `global` lines.
std::string with_global(const std::string& global, const std::string& source_extra = "") {
  return global + R"(
[[source]]
name = "a"
url = "https://example.com/a.txt"
format = "text"
)" + source_extra +
         R"(
[[target]]
name = "t"
spec = "file:local.txt"
[[check]]
name = "c"
sources = ["a"]
target = "t"
)";
}

TEST(ConfigLoader, ProxyFromEnvironmentIsOptIn) {
  const auto none = parse(with_global(""));
  ASSERT_TRUE(none) << errors_of(none);
  EXPECT_FALSE(none->proxy);

  const auto off = parse(with_global("proxy_from_environment = false\n"));
  ASSERT_TRUE(off) << errors_of(off);
  EXPECT_FALSE(off->proxy);

  const auto on = parse(with_global("proxy_from_environment = true\n"));
  ASSERT_TRUE(on) << errors_of(on);
  ASSERT_TRUE(on->proxy);
  EXPECT_TRUE(on->proxy->from_environment);

  const auto configured = parse(with_global("proxy = \"http://proxy.example:3128\"\n"));
  ASSERT_TRUE(configured) << errors_of(configured);
  ASSERT_TRUE(configured->proxy);
  EXPECT_FALSE(configured->proxy->from_environment);
  EXPECT_EQ(configured->proxy->host, "proxy.example");
  EXPECT_EQ(configured->proxy->port, 3128);
}

TEST(ConfigLoader, ProxyAndProxyFromEnvironmentExcludeEachOther) {
  const auto r = parse(with_global("proxy = \"http://proxy.example:3128\"\nproxy_from_environment = true\n"));
  ASSERT_FALSE(r);
  EXPECT_THAT(errors_of(r), HasSubstr(":2: key 'proxy_from_environment'"));
  EXPECT_THAT(errors_of(r), HasSubstr("either proxy or proxy_from_environment"));
  const auto wrong_type = parse(with_global("proxy_from_environment = \"yes\"\n"));
  ASSERT_FALSE(wrong_type);
  EXPECT_THAT(errors_of(wrong_type), HasSubstr("key 'proxy_from_environment'"));
}

TEST(ConfigLoader, MaxRedirectsDefaultsToFiveAndIsPerSource) {
  const auto defaults = parse(with_global(""));
  ASSERT_TRUE(defaults) << errors_of(defaults);
  EXPECT_EQ(defaults->fetch.max_redirects, 5);
  EXPECT_EQ(defaults->sources[0].fetch.max_redirects, 5);

  const auto global = parse(with_global("max_redirects = 2\n"));
  ASSERT_TRUE(global) << errors_of(global);
  EXPECT_EQ(global->sources[0].fetch.max_redirects, 2);

  const auto per_source = parse(with_global("max_redirects = 2\n", "max_redirects = 0\n"));
  ASSERT_TRUE(per_source) << errors_of(per_source);
  EXPECT_EQ(per_source->fetch.max_redirects, 2);
  EXPECT_EQ(per_source->sources[0].fetch.max_redirects, 0);

  for (const char* bad : {"max_redirects = -1\n", "max_redirects = 21\n", "max_redirects = \"5\"\n"}) {
    const auto r = parse(with_global("", bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(errors_of(r), HasSubstr("key 'max_redirects' in [[source]] 'a'")) << bad;
  }
}

TEST(ConfigLoader, RetentionKeysAndTheirBounds) {
  const auto defaults = parse(with_global(""));
  ASSERT_TRUE(defaults) << errors_of(defaults);
  EXPECT_EQ(defaults->keep_history, std::chrono::hours(180 * 24));
  EXPECT_EQ(defaults->keep_snapshots, 30);
  EXPECT_EQ(defaults->keep_fetch_log, std::chrono::hours(30 * 24));

  const auto set = parse(with_global("keep_history = \"30d\"\nkeep_snapshots = 5\nkeep_fetch_log = \"7d\"\n"));
  ASSERT_TRUE(set) << errors_of(set);
  EXPECT_EQ(set->keep_history, std::chrono::hours(30 * 24));
  EXPECT_EQ(set->keep_snapshots, 5);
  EXPECT_EQ(set->keep_fetch_log, std::chrono::hours(7 * 24));

  for (const char* bad :
       {"keep_history = \"1h\"\n", "keep_snapshots = 0\n", "keep_fetch_log = \"12h\"\n", "keep_snapshots = \"5\"\n"}) {
    const auto r = parse(with_global(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(errors_of(r), HasSubstr("key 'keep_")) << bad;
  }
}

// fetch_failing counts failures in the fetch log: a log pruned sooner than fail_alert_after intervals could never
// show enough of them.
TEST(ConfigLoader, FetchLogMustCoverTheFailuresThatRaiseAnAlert) {
  const auto r = parse(with_global("keep_fetch_log = \"1d\"\ninterval = \"12h\"\n", "fail_alert_after = 3\n"));
  ASSERT_FALSE(r);
  EXPECT_THAT(errors_of(r), HasSubstr("fail_alert_after (3) x interval (12h) is longer than keep_fetch_log (1d)"));
  const auto ok = parse(with_global("keep_fetch_log = \"2d\"\ninterval = \"12h\"\n", "fail_alert_after = 3\n"));
  EXPECT_TRUE(ok) << errors_of(ok);
}

TEST(ConfigLoader, AcceptSuspectAfterIsADurationOrNever) {
  const auto defaults = parse(with_global(""));
  ASSERT_TRUE(defaults) << errors_of(defaults);
  EXPECT_EQ(defaults->sources[0].fetch.accept_suspect_after, std::chrono::hours(48));
  const auto never = parse(with_global("accept_suspect_after = \"never\"\n"));
  ASSERT_TRUE(never) << errors_of(never);
  EXPECT_FALSE(never->sources[0].fetch.accept_suspect_after.has_value());
  const auto per_source = parse(with_global("accept_suspect_after = \"never\"\n", "accept_suspect_after = \"6h\"\n"));
  ASSERT_TRUE(per_source) << errors_of(per_source);
  EXPECT_EQ(per_source->sources[0].fetch.accept_suspect_after, std::chrono::hours(6));
  for (const char* bad :
       {"accept_suspect_after = \"0s\"\n", "accept_suspect_after = \"nevermore\"\n", "accept_suspect_after = 3\n"}) {
    const auto r = parse(with_global("", bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(errors_of(r), HasSubstr("key 'accept_suspect_after' in [[source]] 'a'")) << bad;
  }
}

TEST(ConfigLoader, RequiresAtLeastOneCheck) {
  const auto r = parse("state_dir = \"/x\"\n");
  ASSERT_FALSE(r);
  EXPECT_THAT(errors_of(r), HasSubstr("no [[check]]"));
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/allowdrift-config-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text, mode_t mode) {
    const auto path = dir_ + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::string dir_;
};

TEST_F(ConfigFileTest, LoadsAFileAndRefusesAWorldWritableOne) {
  const auto ok = write("ok.toml", kMinimal, 0640);
  const auto loaded = load_config(ok);
  ASSERT_TRUE(loaded) << errors_of(loaded);
  EXPECT_EQ(loaded->file, ok);

  const auto open = write("open.toml", kMinimal, 0666);
  const auto refused = load_config(open);
  ASSERT_FALSE(refused);
  EXPECT_THAT(errors_of(refused), HasSubstr("world-writable"));

  const auto missing = load_config(dir_ + "/none.toml");
  ASSERT_FALSE(missing);
  EXPECT_THAT(errors_of(missing), HasSubstr("No such file"));
}

TEST_F(ConfigFileTest, ACaFileMustGiveACertificate) {
  const std::string tail =
      "format = \"text\"\n[[target]]\nname = \"t\"\nspec = \"file:l.txt\"\n[[check]]\nname = \"k\"\n"
      "sources = [\"a\"]\ntarget = \"t\"\n";
  const auto with_ca = [&](const std::string& ca) {
    return write("c.toml",
                 "[[source]]\nname = \"a\"\nurl = \"https://example.com/a\"\nca_file = \"" + ca + "\"\n" + tail, 0644);
  };
  write("junk.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n", 0644);
  write("empty.pem", "", 0644);
  for (const char* bad : {"none.pem", "junk.pem", "empty.pem"}) {
    const auto loaded = load_config(with_ca(bad));
    ASSERT_FALSE(loaded) << bad;
    EXPECT_THAT(errors_of(loaded), HasSubstr(":4: key 'ca_file' in [[source]] 'a': ")) << bad;
    EXPECT_THAT(errors_of(loaded), HasSubstr(bad)) << bad;
  }
  // The daemon's own check, without OpenSSL: the file reads and holds a PEM certificate block (its fetch workers
  // and check-config parse it).
  for (const char* bad : {"none.pem", "empty.pem"}) {
    const auto loaded = load_config(with_ca(bad), "", Checks::kDaemon);
    ASSERT_FALSE(loaded) << bad;
    EXPECT_THAT(errors_of(loaded), HasSubstr(":4: key 'ca_file' in [[source]] 'a': ")) << bad;
  }
  EXPECT_TRUE(load_config(with_ca("junk.pem"), "", Checks::kDaemon));
  // --once's (kQuick) too: its fetch parses the file and reports a bad one as that source's failure.
  EXPECT_TRUE(load_config(with_ca("junk.pem"), "", Checks::kQuick));
  EXPECT_FALSE(load_config(with_ca("none.pem"), "", Checks::kQuick));
  // Checked only when a file is loaded: parse_config alone stays pure.
  EXPECT_TRUE(parse_config("[[source]]\nname = \"a\"\nurl = \"https://example.com/a\"\nca_file = \"none.pem\"\n" + tail,
                           dir_ + "/c.toml", {}));
}

TEST_F(ConfigFileTest, PresetsDirAddsPresets) {
  ::mkdir((dir_ + "/presets.d").c_str(), 0755);
  write("presets.d/local.toml",
        "[[preset]]\nname = \"corp-mirror\"\ndescription = \"internal list\"\nurl = \"https://corp.example/l.txt\"\n"
        "format = \"text\"\n",
        0644);
  const auto path = write("c.toml",
                          "presets_dir = \"presets.d\"\n[[source]]\nname = \"m\"\npreset = \"corp-mirror\"\n"
                          "[[target]]\nname = \"t\"\nspec = \"file:l.txt\"\n[[check]]\nname = \"k\"\n"
                          "sources = [\"m\"]\ntarget = \"t\"\n",
                          0644);
  const auto loaded = load_config(path);
  ASSERT_TRUE(loaded) << errors_of(loaded);
  EXPECT_EQ(loaded->sources[0].spec.url, "https://corp.example/l.txt");
  EXPECT_EQ(loaded->targets[0].spec.path, dir_ + "/l.txt");
}

}  // namespace
}  // namespace allowdrift::config
