#include "net/proxy_config.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace allowdrift::net {
namespace {

constexpr std::uint16_t kDefaultProxyPort = 1080;

FetchError config_error(std::string message) { return FetchError{FetchErrorKind::kConfig, std::move(message), 0, {}}; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const char* first_env(const GetEnv& getenv, const char* a, const char* b) {
  const char* v = getenv(a);
  if (v == nullptr || *v == '\0') v = getenv(b);
  return (v == nullptr || *v == '\0') ? nullptr : v;
}

}  // namespace

boost::system::result<ProxyConfig, FetchError> parse_proxy_url(std::string_view url_in) {
  // Never echo the URL itself: it may carry the password.
  constexpr std::string_view kShape = "proxy must be http://[user:password@]host[:port]";
  // "host:3128" without a scheme is common in https_proxy; curl reads it as http.
  const std::string url =
      url_in.find("://") == std::string_view::npos ? "http://" + std::string(url_in) : std::string(url_in);
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return config_error(std::string(kShape) + " (not a URL)");
  const boost::urls::url_view& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::http) {
    return config_error(std::string(kShape) + " (scheme '" + lower(u.scheme()) + "' is not supported)");
  }
  const std::string_view path = u.encoded_path();
  if ((!path.empty() && path != "/") || u.has_query() || u.has_fragment()) {
    return config_error(std::string(kShape) + " (no path or query)");
  }
  ProxyConfig proxy;
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      proxy.host = lower(u.host());
      break;
    case boost::urls::host_type::ipv4:
      proxy.host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      proxy.host = u.host_ipv6_address().to_string();
      break;
    default:
      break;
  }
  if (proxy.host.empty()) return config_error(std::string(kShape) + " (no host)");
  proxy.port = kDefaultProxyPort;
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return config_error(std::string(kShape) + " (bad port)");
    proxy.port = u.port_number();
  }
  if (u.has_userinfo()) {
    proxy.user = u.user();
    if (u.has_password()) proxy.password = u.password();
  }
  return proxy;
}

std::string to_string(const ProxyConfig& proxy) {
  if (proxy.from_environment) return "from https_proxy / no_proxy";
  std::string out = "http://";
  if (proxy.user) out += *proxy.user + (proxy.password ? ":***" : "") + "@";
  const bool v6 = proxy.host.find(':') != std::string::npos;
  out += (v6 ? "[" + proxy.host + "]" : proxy.host) + ":" + std::to_string(proxy.port);
  return out;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in) {
  const std::string host = lower(host_in);
  std::size_t pos = 0;
  while (pos < no_proxy.size()) {
    const std::size_t end = no_proxy.find_first_of(", \t", pos);
    std::string entry = lower(no_proxy.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = end == std::string_view::npos ? no_proxy.size() : end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // Strip a port, but not from a bare IPv6 address; and brackets.
    if (entry.front() == '[') {
      const auto close = entry.find(']');
      entry = entry.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      entry.resize(entry.find(':'));
    }
    while (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    while (!entry.empty() && entry.back() == '.') entry.pop_back();
    if (entry.empty()) continue;
    if (host == entry) return true;
    if (host.size() > entry.size() && host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

boost::system::result<std::optional<ProxyConfig>, FetchError> proxy_from_environment(std::string_view host,
                                                                                     const GetEnv& getenv) {
  const GetEnv env = getenv ? getenv : GetEnv([](const char* name) { return std::getenv(name); });
  const char* proxy = first_env(env, "https_proxy", "HTTPS_PROXY");
  if (proxy == nullptr) return std::optional<ProxyConfig>();
  if (const char* no_proxy = first_env(env, "no_proxy", "NO_PROXY"); no_proxy && no_proxy_matches(no_proxy, host)) {
    return std::optional<ProxyConfig>();
  }
  auto parsed = parse_proxy_url(proxy);
  if (!parsed) {
    FetchError e = parsed.error();
    e.message = "https_proxy: " + e.message;
    return e;
  }
  return std::optional<ProxyConfig>(std::move(*parsed));
}

}  // namespace allowdrift::net
