// The fetch worker's protocol (daemon/net/fetch_wire.h): every field survives the trip, bodies are bytes, and a
// frame the daemon did not write is refused with the field named.
#include "net/fetch_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

using namespace allowdrift::net;
using ::testing::HasSubstr;

// Every byte value, a CRLF, and sequences that are not UTF-8: what a JSON string could not carry as is.
std::string awkward_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  s += "\r\n\n\xc3\x28\xff\xfe{\"x\":1}\n";
  return s;
}

FetchRequest full_request() {
  FetchRequest r;
  r.url = "https://example.com/ips?x=1";
  r.method = HttpMethod::kPost;
  r.body = awkward_bytes();
  r.content_type = "application/json";
  r.validators = {"\"abc\"", "Wed, 21 Oct 2015 07:28:00 GMT"};
  r.connect_timeout = std::chrono::milliseconds(1234);
  r.deadline = std::chrono::milliseconds(56789);
  r.overall_deadline = std::chrono::milliseconds(98765);
  r.body_limit = 7u << 20;
  r.header_limit = 9000;
  r.max_redirects = 0;
  r.ca_file = "/etc/allowdrift/ca with space.pem";
  r.proxy = ProxyConfig{"proxy.example", 3128, "user", "p@ss\nword", false};
  r.retry = RetryConfig{4, std::chrono::milliseconds(250), std::chrono::milliseconds(8000), std::chrono::seconds(90)};
  return r;
}

void expect_same(const FetchRequest& a, const FetchRequest& b) {
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.validators.etag, b.validators.etag);
  EXPECT_EQ(a.validators.last_modified, b.validators.last_modified);
  EXPECT_EQ(a.connect_timeout, b.connect_timeout);
  EXPECT_EQ(a.deadline, b.deadline);
  EXPECT_EQ(a.overall_deadline, b.overall_deadline);
  EXPECT_EQ(a.body_limit, b.body_limit);
  EXPECT_EQ(a.header_limit, b.header_limit);
  EXPECT_EQ(a.max_redirects, b.max_redirects);
  EXPECT_EQ(a.ca_file, b.ca_file);
  ASSERT_EQ(a.proxy.has_value(), b.proxy.has_value());
  if (a.proxy) {
    EXPECT_EQ(a.proxy->host, b.proxy->host);
    EXPECT_EQ(a.proxy->port, b.proxy->port);
    EXPECT_EQ(a.proxy->user, b.proxy->user);
    EXPECT_EQ(a.proxy->password, b.proxy->password);
    EXPECT_EQ(a.proxy->from_environment, b.proxy->from_environment);
  }
  EXPECT_EQ(a.retry.max_attempts, b.retry.max_attempts);
  EXPECT_EQ(a.retry.initial_backoff, b.retry.initial_backoff);
  EXPECT_EQ(a.retry.max_backoff, b.retry.max_backoff);
  EXPECT_EQ(a.retry.max_retry_after, b.retry.max_retry_after);
}

TEST(FetchWire, ARequestSurvivesTheTripWithEveryField) {
  const auto sent = full_request();
  const auto frame = encode_request(sent);
  EXPECT_EQ(frame.find('\n'), frame.size() - sent.body.size() - 1) << "one header line, then the body as is";
  const auto got = decode_request(frame);
  ASSERT_TRUE(got) << got.error();
  expect_same(sent, *got);
}

TEST(FetchWire, SizesBeyondTheSignedRangeAreSentAsTheLargestOne) {
  FetchRequest sent;
  sent.url = "https://a.example/";
  sent.body_limit = std::numeric_limits<std::size_t>::max();  // max_body = "18446744073709551615" is accepted
  const auto got = decode_request(encode_request(sent));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->body_limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()));
}

TEST(FetchWire, AGetWithDefaultsSurvivesTheTrip) {
  FetchRequest sent;
  sent.url = "https://www.cloudflare.com/ips-v4";
  sent.proxy = ProxyConfig{"", 8080, std::nullopt, std::nullopt, true};
  const auto got = decode_request(encode_request(sent));
  ASSERT_TRUE(got) << got.error();
  expect_same(sent, *got);
}

TEST(FetchWire, MissingFieldsTakeTheRequestDefaults) {
  const auto got = decode_request("{\"url\":\"https://a.example/\"}\n");
  ASSERT_TRUE(got) << got.error();
  expect_same(*got, [] {
    FetchRequest r;
    r.url = "https://a.example/";
    return r;
  }());
}

TEST(FetchWire, AResponseSurvivesTheTrip) {
  FetchResponse sent;
  sent.status = 200;
  sent.final_url = "https://example.com/moved";
  sent.validators = {"W/\"1\"", std::nullopt};
  sent.content_type = "text/plain; charset=utf-8";
  sent.body = awkward_bytes();
  sent.wire_bytes = 120;
  sent.redirects = 2;
  sent.attempts = 3;
  sent.elapsed = std::chrono::milliseconds(4321);
  const auto got = decode_result(encode_result(FetchResult(sent)));
  ASSERT_TRUE(got) << got.error();
  ASSERT_TRUE(*got) << got->error().message;
  const auto& r = **got;
  EXPECT_FALSE(r.not_modified);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.final_url, sent.final_url);
  EXPECT_EQ(r.validators.etag, sent.validators.etag);
  EXPECT_EQ(r.validators.last_modified, std::nullopt);
  EXPECT_EQ(r.content_type, sent.content_type);
  EXPECT_EQ(r.body, sent.body);
  EXPECT_EQ(r.wire_bytes, 120u);
  EXPECT_EQ(r.redirects, 2);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.elapsed, std::chrono::milliseconds(4321));
}

TEST(FetchWire, TheHeaderIsWrittenApartFromTheBody) {
  FetchResponse r;
  r.status = 200;
  r.body = awkward_bytes();
  const FetchResult result(r);
  EXPECT_EQ(encode_result_header(result) + r.body, encode_result(result));
  EXPECT_EQ(encode_result_header(result).find('\n'), encode_result_header(result).size() - 1);
}

// A worker that writes a header of megabytes is refused before its JSON is parsed (the tree would take many
// times its size in the daemon).
TEST(FetchWire, AnOverlongHeaderIsRefusedBeforeParsing) {
  std::string frame = "{\"status\":200,\"x\":[";
  while (frame.size() <= kMaxWireHeaderBytes) frame += "0,";
  frame += "0]}\n";
  const auto got = decode_result(frame);
  ASSERT_FALSE(got);
  EXPECT_THAT(got.error(), HasSubstr("no header line in the first 262144 bytes"));
  std::string just_fits = "{\"status\":200,\"x\":\"";
  just_fits += std::string(kMaxWireHeaderBytes - just_fits.size() - 2, 'a') + "\"}";
  ASSERT_EQ(just_fits.size(), kMaxWireHeaderBytes);
  EXPECT_TRUE(decode_result(just_fits + "\n"));
}

TEST(FetchWire, ANotModifiedSurvivesTheTrip) {
  FetchResponse sent;
  sent.not_modified = true;
  sent.status = 304;
  sent.final_url = "https://example.com/";
  const auto got = decode_result(encode_result(FetchResult(sent)));
  ASSERT_TRUE(got && *got);
  EXPECT_TRUE((*got)->not_modified);
  EXPECT_EQ((*got)->status, 304);
  EXPECT_TRUE((*got)->body.empty());
}

TEST(FetchWire, EveryErrorKindSurvivesTheTrip) {
  for (const auto kind :
       {FetchErrorKind::kConfig, FetchErrorKind::kDns, FetchErrorKind::kConnect, FetchErrorKind::kTls,
        FetchErrorKind::kTimeout, FetchErrorKind::kHttpStatus, FetchErrorKind::kTooLarge, FetchErrorKind::kTruncated,
        FetchErrorKind::kRedirect, FetchErrorKind::kProxy, FetchErrorKind::kDecode, FetchErrorKind::kWorker}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    EXPECT_EQ(fetch_error_kind_from_string(to_string(kind)), kind);
    const FetchError sent{kind, "what went wrong: \"quoted\"\nsecond line", 503, std::chrono::seconds(120)};
    const auto got = decode_result(encode_result(FetchResult(sent)));
    ASSERT_TRUE(got) << got.error();
    ASSERT_FALSE(*got);
    EXPECT_EQ((*got).error().kind, kind);
    EXPECT_EQ((*got).error().message, sent.message);
    EXPECT_EQ((*got).error().http_status, 503);
    EXPECT_EQ((*got).error().retry_after, std::chrono::seconds(120));
  }
  const auto plain = decode_result(encode_result(FetchResult(FetchError{FetchErrorKind::kDns, "no", 0, {}})));
  ASSERT_TRUE(plain && !*plain);
  EXPECT_EQ(plain->error().http_status, 0);
  EXPECT_EQ(plain->error().retry_after, std::nullopt);
}

TEST(FetchWire, FramesTheDaemonDidNotWriteAreRefusedWithTheFieldNamed) {
  struct Case {
    std::string frame;
    std::string message;
  };
  const Case requests[] = {
      {"{\"url\":\"https://a/\"}", "no header line"},
      {"not json\n", "not JSON"},
      {"[1,2]\n", "not a JSON object"},
      {"{}\n", "url: missing"},
      {"{\"url\":7}\n", "url: expected a string"},
      {"{\"url\":\"https://a/\",\"method\":\"PUT\"}\n", "method: expected GET or POST"},
      {"{\"url\":\"https://a/\",\"deadline_ms\":0}\n", "deadline_ms: expected an integer from 1"},
      {"{\"url\":\"https://a/\",\"deadline_ms\":\"5\"}\n", "deadline_ms: expected an integer"},
      {"{\"url\":\"https://a/\",\"deadline_ms\":1.5}\n", "deadline_ms: expected an integer"},
      {"{\"url\":\"https://a/\",\"proxy\":{\"host\":\"p\",\"port\":70000}}\n",
       "port: expected an integer from 1 to 65535"},
      {"{\"url\":\"https://a/\",\"proxy\":true}\n", "proxy: expected an object"},
      {"{\"url\":\"https://a/\",\"proxy\":{\"host\":\"p\",\"from_environment\":1}}\n",
       "from_environment: expected true"},
      {"{\"url\":\"https://a/\",\"body_bytes\":5}\nabc", "body_bytes is 5 but 3 bytes follow"},
      {"{\"url\":\"https://a/\"}\nextra", "body_bytes is 0 but 5 bytes follow"},
  };
  for (const auto& c : requests) {
    const auto got = decode_request(c.frame);
    ASSERT_FALSE(got) << c.frame;
    EXPECT_THAT(got.error(), HasSubstr("fetch request: "));
    EXPECT_THAT(got.error(), HasSubstr(c.message)) << c.frame;
  }
  const Case results[] = {
      {"", "no header line"},
      {"{\"error\":{\"kind\":\"gremlins\",\"message\":\"x\"}}\n", "error.kind: unknown kind 'gremlins'"},
      {"{\"error\":\"tls\"}\n", "error: expected an object"},
      {"{\"status\":42}\n", "status: expected an integer from 100 to 999"},
      {"{\"errop\":{\"kind\":\"tls\"},\"body_bytes\":0}\n", "status: missing"},  // found by the fuzzer
      {"{\"status\":200,\"body_bytes\":-1}\n", "body_bytes: expected an integer from 0"},
      {"{\"status\":200,\"body_bytes\":10}\n123", "body_bytes is 10 but 3 bytes follow"},
  };
  for (const auto& c : results) {
    const auto got = decode_result(c.frame);
    ASSERT_FALSE(got) << c.frame;
    EXPECT_THAT(got.error(), HasSubstr("fetch result: "));
    EXPECT_THAT(got.error(), HasSubstr(c.message)) << c.frame;
  }
}

}  // namespace
