// Helpers shared by nft_json.cpp (documents, sets) and nft_json_chain.cpp (rules). Not a public interface.
#pragma once

#include "firewall/read_error.h"
#include "model/ip_entry.h"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall::nft_detail {

// A short, log-safe description of a JSON value for messages: `"10.0.0.1x"`, `42`, `an object with keys "foo"`.
std::string describe(const boost::json::value& v);

ReadError parse_error(std::string_view where, std::string_view what);

// A table, set or chain name as messages and origins show it, and as names are compared: bytes outside
// printable ASCII, and the backslash, as \xNN, so a hostile document cannot put control characters into a log line.
std::string display_name(std::string_view name);

// One element of a named or anonymous set, or the literal right side of a match: an address string,
// {"prefix": {"addr", "len"}}, {"range": [a, b]}, or {"elem": {"val": ...}} around one of those. `family`, when
// given, is the one the element must have. `where` is "SOURCE: PATH" for messages; host bits cleared or
// IPv4-mapped IPv6 add a warning "ORIGIN: ...".
ReadResult<model::IpEntry> parse_element(const boost::json::value& v, std::optional<model::Family> family,
                                         const std::string& where, std::string_view origin,
                                         std::vector<std::string>& warnings);

}  // namespace allowdrift::firewall::nft_detail
