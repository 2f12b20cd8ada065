// HTTP proxy settings: from a configured URL (`http://user:pass@host:port`) or, only when asked, from the
// https_proxy / no_proxy environment (a systemd service gets no login environment, so this is opt-in).
#pragma once

#include "net/fetch_types.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::net {

// kConfig when `url` is not http://[user[:password]@]host[:port][/]. The error message never repeats the
// password. The port defaults to 1080 like curl's; user and password are percent-decoded.
boost::system::result<ProxyConfig, FetchError> parse_proxy_url(std::string_view url);

// "http://host:port", or "http://user:***@host:port" when credentials are set: safe to print and log.
// "from https_proxy / no_proxy" for ProxyConfig::from_environment.
std::string to_string(const ProxyConfig& proxy);

// True when `host` matches the no_proxy list: comma- or space-separated names ("example.com" and ".example.com"
// both match the name and its subdomains), IP addresses, or "*" for every host. Ports in entries are ignored.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

using GetEnv = std::function<const char*(const char*)>;

// The proxy for `host` from https_proxy (or HTTPS_PROXY), unless no_proxy (or NO_PROXY) matches it. nullopt
// when none applies; kConfig when https_proxy is set but invalid. `getenv` is replaceable for tests.
boost::system::result<std::optional<ProxyConfig>, FetchError> proxy_from_environment(std::string_view host,
                                                                                     const GetEnv& getenv = {});

}  // namespace allowdrift::net
