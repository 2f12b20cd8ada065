// The URLs the fetcher accepts (https only, no credentials) and redirect Location resolution, on Boost.URL.
#pragma once

#include "net/fetch_types.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace allowdrift::net {

struct HttpsUrl {
  std::string host;         // lower-case name, or the address of an IP literal without brackets
  bool ip_literal = false;  // no SNI for these (RFC 6066 §3); verified against the certificate's IP SANs
  std::uint16_t port = 443;
  std::string target;  // origin-form request target: path (at least "/") and query
  std::string text;    // the whole URL, fragment dropped: what final_url reports and loops compare

  std::string host_port() const;  // "host:port", IPv6 in brackets: the CONNECT authority and the Host header
};

// kConfig (not a URL, not https, no host, credentials in the URL) as an error.
boost::system::result<HttpsUrl, FetchError> parse_https_url(std::string_view text);

// Resolves a Location header value against the URL it came from (RFC 3986 §5). kRedirect when it is not a
// URI reference.
boost::system::result<std::string, FetchError> resolve_location(std::string_view base, std::string_view location);

}  // namespace allowdrift::net
