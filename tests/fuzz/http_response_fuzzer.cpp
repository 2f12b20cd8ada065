// libFuzzer target: HTTP response handling (daemon/net/http_response.h), the code HttpsFetcher runs after the
// TLS handshake: header read under header_limit, status handling, body read under body_limit, the truncation
// classification and Content-Encoding decoding. It runs over beast::test::stream (reliability.md §6.7, the shape
// of Beast's own test/fuzz/http_response.cpp) instead of a socket.
//
// Input: the first byte is the setup, the rest is what the server sends.
//   bits 0-1  bytes per read: unlimited, 1, 3, 17 (a chunk line or the final chunk split across reads, §1.9)
//   bit 2     the server keeps the connection open after its bytes (else it closes: close_remote); a read that
//             would wait is then ended by closing our end, as a deadline would
//   bit 3     small limits (header 256, body 64 bytes) instead of header 8 KiB, body 4 KiB
// Checked on every run:
//   - no crash, no sanitizer report, no exception out of read_response;
//   - a success is a 200 whose body and wire bytes are within body_limit, a 304 with no body, or a redirect
//     (301/302/303/307/308) with a non-empty Location;
//   - a failure is one of the documented kinds for a response read (kTooLarge, kTruncated, kDecode, kConnect,
//     kHttpStatus with that status, kRedirect) with a non-empty message, and never a status 200/304 error.
#include "fuzz_check.h"
#include "net/http_response.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace allowdrift;
using net::FetchErrorKind;

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

void check_result(const net::ResponseHopResult& result, const net::ResponseReadOptions& options) {
  if (result) {
    const net::ResponseHop& hop = *result;
    if (hop.location) {
      FUZZ_CHECK(is_redirect(hop.status), "a Location on status " + std::to_string(hop.status));
      FUZZ_CHECK(!hop.location->empty(), std::string("empty Location accepted"));
      return;
    }
    FUZZ_CHECK(hop.status == 200 || hop.status == 304, "success with status " + std::to_string(hop.status));
    FUZZ_CHECK(hop.response.status == hop.status, "response status " + std::to_string(hop.response.status) +
                                                      " differs from " + std::to_string(hop.status));
    if (hop.status == 304) {
      FUZZ_CHECK(hop.response.not_modified, std::string("304 without not_modified"));
      FUZZ_CHECK(hop.response.body.empty() && hop.response.wire_bytes == 0, std::string("304 with a body"));
      return;
    }
    FUZZ_CHECK(!hop.response.not_modified, std::string("200 marked not_modified"));
    FUZZ_CHECK(hop.response.body.size() <= options.body_limit, "body of " + std::to_string(hop.response.body.size()) +
                                                                   " bytes over the limit of " +
                                                                   std::to_string(options.body_limit));
    FUZZ_CHECK(hop.response.wire_bytes <= options.body_limit,
               "wire body of " + std::to_string(hop.response.wire_bytes) + " bytes over the limit");
    return;
  }
  const net::FetchError& error = result.error();
  FUZZ_CHECK(!error.message.empty(), "empty message for kind " + std::string(net::to_string(error.kind)));
  switch (error.kind) {
    case FetchErrorKind::kTooLarge:
    case FetchErrorKind::kTruncated:
    case FetchErrorKind::kDecode:
    case FetchErrorKind::kConnect:
    case FetchErrorKind::kRedirect:
      FUZZ_CHECK(error.http_status == 0,
                 "http_status " + std::to_string(error.http_status) + " on " + std::string(net::to_string(error.kind)));
      break;
    case FetchErrorKind::kHttpStatus:
      FUZZ_CHECK(error.http_status != 200 && error.http_status != 304 && !is_redirect(error.http_status),
                 "status error for " + std::to_string(error.http_status) + ": " + error.message);
      break;
    default:
      FUZZ_CHECK(false, "unexpected kind " + std::string(net::to_string(error.kind)) + ": " + error.message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = all;
  const auto setup = static_cast<unsigned>(data[0]);
  const std::string_view wire = all.substr(1);

  net::ResponseReadOptions options;
  const bool small = (setup & 8u) != 0;
  options.header_limit = small ? 256 : 8 * 1024;
  options.body_limit = small ? 64 : 4 * 1024;
  options.url_text = "https://fuzz.test/list";
  options.host_port = "fuzz.test:443";

  boost::asio::io_context ioc;
  boost::beast::test::stream stream(ioc);
  static constexpr std::size_t kReadSizes[] = {0, 1, 3, 17};
  if (const std::size_t n = kReadSizes[setup & 3u]; n != 0) stream.read_size(n);
  stream.append(wire);
  const bool keep_open = (setup & 4u) != 0;
  if (!keep_open) stream.close_remote();

  std::optional<net::ResponseHopResult> result;
  bool threw = false;
  std::string what;
  boost::asio::co_spawn(ioc, net::read_response(stream, options), [&](std::exception_ptr e, net::ResponseHopResult r) {
    if (e) {
      threw = true;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        what = ex.what();
      } catch (...) {
        what = "(not a std::exception)";
      }
      return;
    }
    result = std::move(r);
  });
  // A read waiting for bytes that never come holds work forever: run what is ready, then close our end (the
  // pending read fails with operation_aborted, as a cancelled read would) and finish.
  ioc.poll();
  if (!result && !threw) {
    stream.close();
    ioc.restart();
    ioc.run();
  }
  FUZZ_CHECK(!threw, "exception escaped read_response: " + what);
  FUZZ_CHECK(result.has_value(), std::string("read_response did not complete"));
  check_result(*result, options);
  return 0;
}
