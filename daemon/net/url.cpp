#include "net/url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

namespace allowdrift::net {
namespace {

FetchError config_error(std::string message) { return FetchError{FetchErrorKind::kConfig, std::move(message), 0, {}}; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string HttpsUrl::host_port() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

boost::system::result<HttpsUrl, FetchError> parse_https_url(std::string_view text) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return config_error("not a URL: " + std::string(text.substr(0, 200)));
  const boost::urls::url_view& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::https) {
    return config_error("only https URLs are fetched, not '" + std::string(u.scheme()) + ":'");
  }
  // A password in the URL would end up in logs and in final_url; sources needing one are out of scope.
  if (u.has_userinfo()) return config_error("credentials in the URL are not supported");
  HttpsUrl out;
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      out.host = lower(u.host());
      break;
    case boost::urls::host_type::ipv4:
      out.host = u.host_ipv4_address().to_string();
      out.ip_literal = true;
      break;
    case boost::urls::host_type::ipv6:
      out.host = u.host_ipv6_address().to_string();
      out.ip_literal = true;
      break;
    default:
      return config_error("unsupported host in URL");
  }
  if (out.host.empty()) return config_error("URL has no host");
  if (u.has_port()) {
    // From the text: Boost.URL's port_number() keeps the low 16 bits, so ":83979" would be port 18443.
    const std::string_view digits = u.port();
    unsigned long port = 0;
    for (const char c : digits) port = port * 10 + static_cast<unsigned long>(c - '0');  // the grammar: digits only
    if (digits.empty() || digits.size() > 5 || port == 0 || port > 65535) {
      return config_error("bad port in URL (1 to 65535): '" + std::string(digits.substr(0, 20)) + "'");
    }
    out.port = static_cast<std::uint16_t>(port);
  }
  out.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) out.target += "?" + std::string(u.encoded_query());

  // Rebuilt rather than edited with Boost.URL: 1.81's set_encoded_path("/") writes "/./".
  out.text = "https://" + (u.host_type() == boost::urls::host_type::ipv6 ? "[" + out.host + "]" : out.host) +
             (out.port == 443 ? "" : ":" + std::to_string(out.port)) + out.target;
  return out;
}

boost::system::result<std::string, FetchError> resolve_location(std::string_view base, std::string_view location) {
  const auto base_url = boost::urls::parse_uri(base);
  const auto ref = boost::urls::parse_uri_reference(location);
  if (!base_url || !ref) {
    return FetchError{FetchErrorKind::kRedirect, "bad Location header: " + std::string(location.substr(0, 200)), 0, {}};
  }
  boost::urls::url dest;
  if (const auto r = boost::urls::resolve(*base_url, *ref, dest); !r) {
    return FetchError{
        FetchErrorKind::kRedirect, "cannot resolve Location: " + std::string(location.substr(0, 200)), 0, {}};
  }
  return std::string(dest.buffer());
}

}  // namespace allowdrift::net
