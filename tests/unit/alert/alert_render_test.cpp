#include "alert/alert_render.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <limits>
#include <string>

namespace allowdrift::alert {
namespace {

namespace json = boost::json;

AlertEvent drift_event() {
  AlertEvent e;
  e.kind = EventKind::kDriftNew;
  e.severity = Severity::kCritical;
  e.check = "sdp-mail";
  e.target = "mail-allow";
  e.summary = "2 published prefixes missing from mail-allow";
  e.fields = {{"missing", "2"}, {"stale", "0"}};
  e.sample = {{"missing", "203.0.113.0/24"}, {"missing", "198.51.100.7"}};
  e.at_ms = 1730181600000;  // 2024-10-29T06:00:00Z
  return e;
}

TEST(AlertRender, SyslogLineHasKeyValueFieldsInOrder) {
  EXPECT_EQ(syslog_message(drift_event()),
            "event=drift severity=crit check=sdp-mail target=mail-allow missing=2 stale=0 "
            "missing_sample=203.0.113.0/24,198.51.100.7 summary=\"2 published prefixes missing from mail-allow\"");
}

TEST(AlertRender, SyslogQuotesAndEscapesValues) {
  AlertEvent e;
  e.kind = EventKind::kFetchFailing;
  e.severity = Severity::kError;
  e.source = "aws";
  e.fields = {{"attempts", "3"}, {"error", "HTTP 503 \"Service\\Unavailable\""}, {"empty", ""}, {"eq", "a=b"}};
  EXPECT_EQ(syslog_message(e),
            "event=fetch_failing severity=err source=aws attempts=3 error=\"HTTP 503 \\\"Service\\\\Unavailable\\\"\" "
            "empty=\"\" eq=\"a=b\"");
}

TEST(AlertRender, ControlCharactersAndBadUtf8NeverReachTheLine) {
  AlertEvent e = drift_event();
  // A vendor error page trying to forge a second syslog line, plus a terminal escape, a bidi override, a lone
  // continuation byte and an overlong encoding of '/'.
  e.fields = {{"error", "bad\nallowdrift[1]: event=resolved\r\x1b[31m\u202Eevil\x80\xC0\xAF"}};
  e.sample = {{"missing", "203.0.113.0/24\n"}};
  const std::string line = syslog_message(e);
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    EXPECT_GE(c, 0x20u) << line;
    EXPECT_NE(c, 0x7Fu) << line;
  }
  EXPECT_NE(line.find(R"(error="bad\x0aallowdrift[1]: event=resolved\x0d\x1b[31m\u202eevil\x80\xc0\xaf")"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(R"(missing_sample="203.0.113.0/24\x0a")"), std::string::npos) << line;
}

TEST(AlertRender, KeysAreReducedToSafeCharacters) {
  AlertEvent e;
  e.fields = {{"bad key=\"x\"", "1"}};
  EXPECT_EQ(syslog_message(e), "event=drift severity=warning bad_key__x_=1");
}

TEST(AlertRender, SampleIsBoundedAndCountsTheRest) {
  AlertEvent e = drift_event();
  e.fields = {{"missing", "25"}};  // the total, while the event carries 12 entries
  e.sample.clear();
  for (int i = 0; i < 12; ++i) e.sample.emplace_back("missing", "192.0.2." + std::to_string(i));
  e.sample.emplace_back("stale", "198.51.100.0/24");
  RenderOptions options;
  options.max_sample = 3;
  const std::string line = syslog_message(e, options);
  EXPECT_NE(line.find("missing_sample=\"192.0.2.0,192.0.2.1,192.0.2.2 ... and 22 more\""), std::string::npos) << line;
  EXPECT_NE(line.find(" stale_sample=198.51.100.0/24 "), std::string::npos) << line;
}

TEST(AlertRender, SampleSurplusCountsWithoutATotalField) {
  AlertEvent e;
  e.kind = EventKind::kUpstreamChanged;
  e.source = "cloudflare";
  for (int i = 0; i < 5; ++i) e.sample.emplace_back("added", "10.0." + std::to_string(i) + ".0/24");
  RenderOptions options;
  options.max_sample = 2;
  EXPECT_EQ(syslog_message(e, options),
            "event=upstream_changed severity=warning source=cloudflare "
            "added_sample=\"10.0.0.0/24,10.0.1.0/24 ... and 3 more\"");
}

TEST(AlertRender, LongLinesShrinkSamplesThenSummaryThenFields) {
  AlertEvent e = drift_event();
  e.sample.clear();
  for (int i = 0; i < 200; ++i) e.sample.emplace_back("missing", "2001:db8:" + std::to_string(1000 + i) + "::/48");
  e.fields = {{"missing", "200"}, {"stale", "0"}};
  const std::string line = syslog_message(e);
  EXPECT_LE(line.size(), RenderOptions{}.max_line_bytes);
  EXPECT_NE(line.find(" ... and 190 more\""), std::string::npos) << line;
  EXPECT_NE(line.find("summary="), std::string::npos) << line;

  RenderOptions tight;
  tight.max_line_bytes = 120;
  const std::string short_line = syslog_message(e, tight);
  EXPECT_LE(short_line.size(), 120u);
  EXPECT_EQ(short_line.find("_sample="), std::string::npos) << short_line;
  EXPECT_TRUE(short_line.starts_with("event=drift severity=crit check=sdp-mail target=mail-allow missing=200 stale=0"))
      << short_line;

  e.summary = std::string(2000, 'x');
  for (int i = 0; i < 40; ++i) e.fields.emplace_back("f" + std::to_string(i), std::string(30, 'v'));
  const std::string cut = syslog_message(e, tight);
  EXPECT_LE(cut.size(), 120u);
  EXPECT_NE(cut.find("truncated=1"), std::string::npos) << cut;
}

TEST(AlertRender, LongValuesAreCutAtCharacterBoundaries) {
  AlertEvent e;
  e.fields = {{"error", std::string(300, 'a') + "\xC3\xA9"}};
  RenderOptions options;
  options.max_value_bytes = 10;
  EXPECT_EQ(syslog_message(e, options), "event=drift severity=warning error=aaaaaaa...");
  EXPECT_EQ(sanitize_text("ab\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8), "ab\xC3\xA9...");
  EXPECT_EQ(sanitize_text("ab\x1b\x1b", 8), "ab...");  // never half an escape
  EXPECT_EQ(sanitize_text("ab\x1b\x1b", 9), "ab\\x1b...");
  EXPECT_EQ(sanitize_text("short", 8), "short");
  EXPECT_EQ(sanitize_text("caf\xC3\xA9 \xE2\x80\xA8 ok"), "caf\xC3\xA9 \\u2028 ok");
}

TEST(AlertRender, JsonEventHasDocumentedFields) {
  RenderOptions options;
  options.host = "mx1.example.org";
  const json::value v = json::parse(event_json(drift_event(), options));
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("version").as_int64(), 1);
  EXPECT_EQ(o.at("event").as_string(), "drift");
  EXPECT_EQ(o.at("severity").as_string(), "crit");
  EXPECT_EQ(o.at("check").as_string(), "sdp-mail");
  EXPECT_TRUE(o.at("source").is_null());
  EXPECT_EQ(o.at("target").as_string(), "mail-allow");
  EXPECT_EQ(o.at("summary").as_string(), "2 published prefixes missing from mail-allow");
  EXPECT_EQ(o.at("at").as_string(), "2024-10-29T06:00:00.000Z");
  EXPECT_EQ(o.at("at_ms").as_int64(), 1730181600000);
  EXPECT_EQ(o.at("host").as_string(), "mx1.example.org");
  EXPECT_EQ(o.at("fields").at("missing").as_int64(), 2);
  EXPECT_EQ(o.at("fields").at("stale").as_int64(), 0);
  EXPECT_EQ(json::serialize(o.at("sample")), R"({"missing":["203.0.113.0/24","198.51.100.7"]})");
  EXPECT_EQ(json::serialize(o.at("more")), R"({"missing":0})");
  EXPECT_EQ(o.at("text").as_string(),
            "allowdrift [crit] drift: 2 published prefixes missing from mail-allow\n"
            "check=sdp-mail target=mail-allow host=mx1.example.org missing=2 stale=0\n"
            "missing: `203.0.113.0/24`, `198.51.100.7`");
}

TEST(AlertRender, JsonNumbersOnlyForCanonicalIntegers) {
  AlertEvent e;
  e.fields = {{"a", "12"}, {"b", "012"}, {"c", "-3"}, {"d", "3h"}, {"e", "99999999999999999999"},
              {"a", "13"}, {"f", "-0"}};
  const json::value v = json::parse(event_json(e));
  EXPECT_EQ(json::serialize(v.at("fields")),
            R"({"a":12,"b":"012","c":-3,"d":"3h","e":"99999999999999999999","f":"-0"})");
  EXPECT_TRUE(v.at("check").is_null());
  EXPECT_TRUE(v.at("host").is_null());
  EXPECT_EQ(v.at("at").as_string(), "1970-01-01T00:00:00.000Z");
}

TEST(AlertRender, JsonIsValidUtf8WhateverTheVendorSent) {
  AlertEvent e = drift_event();
  e.summary = "bad \xFF\xFE bytes\n and a \x1b escape";
  e.sample = {{"missing",
               "\xE2\x80\xAE"
               "evil"}};
  const std::string text = event_json(e);
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);  // Boost.JSON rejects invalid UTF-8
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(v.at("summary").as_string(), "bad \\xff\\xfe bytes\\x0a and a \\x1b escape");
  EXPECT_EQ(v.at("sample").at("missing").at(0).as_string(), "\\u202eevil");
}

TEST(AlertRender, ChatTextCannotPingOrLink) {
  AlertEvent e;
  e.kind = EventKind::kFetchFailing;
  e.severity = Severity::kError;
  e.source = "vendor";
  e.summary = "fetch failed: <!channel> <https://evil.example|click> & more";
  e.sample = {{"last", "a`b"}};
  const std::string text = chat_text(e);
  EXPECT_EQ(text,
            "allowdrift [err] fetch_failing: fetch failed: &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; "
            "more\nsource=vendor\nlast: `a'b`");
}

TEST(AlertRender, ChatTextBoundsTheSample) {
  AlertEvent e = drift_event();
  e.fields = {{"missing", "40"}};
  RenderOptions options;
  options.max_sample = 1;
  EXPECT_EQ(chat_text(e, options),
            "allowdrift [crit] drift: 2 published prefixes missing from mail-allow\n"
            "check=sdp-mail target=mail-allow missing=40\n"
            "missing: `203.0.113.0/24` and 39 more");
}

TEST(AlertRender, UtcFormatting) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(951782400123), "2000-02-29T00:00:00.123Z");
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_ms(std::numeric_limits<std::int64_t>::max()), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_ms(std::numeric_limits<std::int64_t>::min()), "0000-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace allowdrift::alert
