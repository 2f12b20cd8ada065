#include "net/http_response.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

namespace allowdrift::net {

std::string_view stage_name(ResponseStage stage) {
  switch (stage) {
    case ResponseStage::kHeader:
      return "response header read";
    case ResponseStage::kBody:
      return "body read";
  }
  return "response read";
}

FetchError classify_read_error(const boost::system::error_code& ec, bool in_body, std::string_view phase,
                               std::size_t header_limit, std::size_t body_limit, std::string_view host_port) {
  namespace http = boost::beast::http;
  const auto error = [](FetchErrorKind kind, std::string message) {
    return FetchError{kind, std::move(message), 0, {}};
  };
  const std::string where = " (" + std::string(phase) + ", " + std::string(host_port) + ")";
  if (ec == http::error::body_limit) {
    return error(FetchErrorKind::kTooLarge,
                 "body exceeds the limit of " + std::to_string(body_limit) + " bytes" + where);
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return error(FetchErrorKind::kTooLarge,
                 "response header exceeds the limit of " + std::to_string(header_limit) + " bytes" + where);
  }
  if (ec == http::error::partial_message) {
    return error(FetchErrorKind::kTruncated, "connection closed before the end of the body" + where);
  }
  if (ec == boost::asio::ssl::error::stream_truncated) {
    // EOF without close_notify: for a body framed by EOF, an attacker could have cut it (reliability.md §1.8).
    return error(in_body ? FetchErrorKind::kTruncated : FetchErrorKind::kConnect,
                 "connection closed without TLS close_notify before the response was complete" + where);
  }
  if (ec == http::error::end_of_stream || ec == boost::asio::error::eof) {
    return error(in_body ? FetchErrorKind::kTruncated : FetchErrorKind::kConnect,
                 "connection closed before a complete response" + where);
  }
  if (ec.category() ==
          make_error_code(http::error::bad_target).category() ||  // any other parser error: not HTTP as we know it
      ec == http::error::bad_chunk ||
      ec == http::error::bad_chunk_extension) {
    return error(FetchErrorKind::kDecode, "malformed HTTP response: " + ec.message() + where);
  }
  return error(in_body ? FetchErrorKind::kTruncated : FetchErrorKind::kConnect, ec.message() + where);
}

}  // namespace allowdrift::net
