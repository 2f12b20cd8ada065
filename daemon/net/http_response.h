// Reading one HTTP/1.1 response off any AsyncReadStream: the header under header_limit, the status (304, the
// redirects, anything but 200 is an error, or anything but 2xx with any_2xx), the body under body_limit, the
// classification of a cut or malformed message, and the Content-Encoding. HttpsFetcher runs it over its TLS stream; the
// fuzz target (tests/fuzz/http_response_fuzzer.cpp) runs the very same code over beast::test::stream (reliability.md
// §6.7).
#pragma once

#include "net/content_decoding.h"
#include "net/fetch_types.h"
#include "net/retry_policy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::net {

enum class ResponseStage { kHeader, kBody };

std::string_view stage_name(ResponseStage stage);  // "response header read" / "body read", as in messages

// What a response came to when it is not an error: a 200 with its decoded body, a 304, or a redirect.
struct ResponseHop {
  std::optional<std::string> location;  // set for a redirect (301/302/303/307/308 with a Location)
  int status = 0;
  FetchResponse response;  // status, validators, content type, body and wire_bytes; nothing for a redirect
};
using ResponseHopResult = boost::system::result<ResponseHop, FetchError>;

struct ResponseReadOptions {
  std::size_t header_limit = 64 * 1024;
  std::size_t body_limit = 32 * 1024 * 1024;  // on the wire and after decoding
  std::string url_text;                       // names the URL in status and redirect errors
  std::string host_port;                      // names the peer in read errors
  bool any_2xx = false;                       // every 2xx is a success with a body, not only 200 (a POST)
  // A failed read becomes this error; unset: classify_read_error. HttpsFetcher reports its deadline first.
  std::function<FetchError(const boost::system::error_code&, ResponseStage)> on_read_error;
  // Called after a 200 header, before the body read; an error ends the read (HttpsFetcher's deadline check).
  std::function<std::optional<FetchError>()> before_body;
};

// The error for a failed I/O that is not a timeout: kTooLarge (body_limit, header_limit), kDecode (malformed
// HTTP), kTruncated (in_body: the body ended early, EOF without TLS close_notify, a reset) and kConnect (the
// connection ended before a complete header). `phase` and `host_port` go into the message.
FetchError classify_read_error(const boost::system::error_code& ec, bool in_body, std::string_view phase,
                               std::size_t header_limit, std::size_t body_limit, std::string_view host_port);

template <class Fields>
void fill_validators(const boost::beast::http::header<false, Fields>& header, FetchResponse& response) {
  namespace http = boost::beast::http;
  if (const auto it = header.find(http::field::etag); it != header.end()) {
    response.validators.etag = std::string(it->value());
  }
  if (const auto it = header.find(http::field::last_modified); it != header.end()) {
    response.validators.last_modified = std::string(it->value());
  }
}

// Reads and judges one response. The stream is left as it is (the caller closes it).
template <class AsyncReadStream>
boost::asio::awaitable<ResponseHopResult> read_response(AsyncReadStream& stream, const ResponseReadOptions& options) {
  namespace http = boost::beast::http;
  constexpr auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
  constexpr std::size_t kReadChunk = 64 * 1024;
  const auto read_error = [&options](const boost::system::error_code& ec, ResponseStage stage) {
    if (options.on_read_error) return options.on_read_error(ec, stage);
    return classify_read_error(ec, stage == ResponseStage::kBody, stage_name(stage), options.header_limit,
                               options.body_limit, options.host_port);
  };

  // The buffer holds the header and then one read's worth of body at a time: its cap keeps memory flat. Reserved
  // up front, because Beast sizes each read by the buffer's free capacity (at least 512 bytes): left to grow from
  // the header's needs, it read a 2.6 MB body a few hundred bytes at a time, each read a trip through Asio's
  // scheduler (5,094 epoll_wait calls under strace; reading up to a TLS record, 16 KiB, at a time: 167).
  boost::beast::flat_buffer buffer(options.header_limit + kReadChunk);
  buffer.reserve(kReadChunk);
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(static_cast<std::uint64_t>(options.body_limit));
  if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, token); ec) {
    co_return read_error(ec, ResponseStage::kHeader);
  }

  ResponseHop hop;
  hop.status = static_cast<int>(parser.get().result_int());
  const auto& header = parser.get();
  if (hop.status == 304) {
    hop.response.not_modified = true;
    hop.response.status = 304;
    fill_validators(header, hop.response);
    co_return hop;
  }
  if (hop.status == 301 || hop.status == 302 || hop.status == 303 || hop.status == 307 || hop.status == 308) {
    const auto location = header.find(http::field::location);
    if (location == header.end() || location->value().empty()) {
      co_return FetchError{FetchErrorKind::kRedirect,
                           "redirect " + std::to_string(hop.status) + " from " + options.url_text + " has no Location",
                           0,
                           {}};
    }
    hop.location = std::string(location->value());
    co_return hop;
  }
  const bool success = hop.status == 200 || (options.any_2xx && hop.status >= 200 && hop.status <= 299);
  if (!success) {
    FetchError error{FetchErrorKind::kHttpStatus,
                     "HTTP " + std::to_string(hop.status) + " " + std::string(header.reason()).substr(0, 100) +
                         " from " + options.url_text,
                     hop.status,
                     {}};
    if (const auto ra = header.find(http::field::retry_after); ra != header.end()) {
      error.retry_after = parse_retry_after(ra->value(), std::chrono::system_clock::now());
    }
    co_return error;
  }

  if (options.before_body) {
    if (auto stop = options.before_body()) co_return std::move(*stop);
  }
  if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, token); ec) {
    co_return read_error(ec, ResponseStage::kBody);
  }

  FetchResponse& response = hop.response;
  response.status = hop.status;
  fill_validators(header, response);
  if (const auto ct = header.find(http::field::content_type); ct != header.end()) {
    response.content_type = std::string(ct->value());
  }
  const auto encoding_field = header.find(http::field::content_encoding);
  const std::string encoding = encoding_field == header.end() ? "" : std::string(encoding_field->value());
  std::string body = parser.release().body();  // `header` is gone from here on
  response.wire_bytes = body.size();
  auto decoded = decode_content(encoding, std::move(body), options.body_limit);
  if (!decoded) co_return decoded.error();
  response.body = std::move(*decoded);
  co_return hop;
}

}  // namespace allowdrift::net
