// Strict parsing and canonical formatting of single IPv4 and IPv6 addresses.
//
// The grammar is deliberately narrower than glibc's inet_aton and Asio's helpers (see
// shared/research/reliability.md D3-D7): an allowlist entry that a human or a vendor wrote ambiguously must be
// rejected with the reason, never read as some other address.
//   IPv4: exactly four decimal octets 0-255; no leading zeros ("010" is octal to inet_aton), no hex, no shorthand.
//   IPv6: RFC 4291 section 2.2 text forms (hex groups of 1-4 digits, one "::", a trailing dotted IPv4);
//         no zone id ("%eth0" names an interface of one host and means nothing in a list).
#pragma once

#include "model/parse_error.h"
#include "model/uint128.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace allowdrift::model {

enum class Family : std::uint8_t { kV4, kV6 };

constexpr int address_bits(Family f) { return f == Family::kV4 ? 32 : 128; }
constexpr std::string_view family_name(Family f) { return f == Family::kV4 ? "IPv4" : "IPv6"; }

// An address of either family; an IPv4 address is held in the low 32 bits of `value`.
struct IpAddress {
  Family family = Family::kV4;
  U128 value = 0;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

ParseResult<std::uint32_t> parse_ipv4(std::string_view text);
ParseResult<U128> parse_ipv6(std::string_view text);
// IPv6 when the text contains ':', IPv4 otherwise.
ParseResult<IpAddress> parse_ip_address(std::string_view text);

// Longest text format_ipv4 / format_ipv6 write, without a terminator.
inline constexpr std::size_t kMaxIpv4Text = 15;
inline constexpr std::size_t kMaxIpv6Text = 45;

// Write the canonical text into `out` (at least kMaxIpv4Text / kMaxIpv6Text bytes) and return its length.
std::size_t format_ipv4(std::uint32_t address, char* out);
// RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups shortened to "::" (the first
// one on a tie), and IPv4-mapped addresses (::ffff:0:0/96) in mixed notation.
std::size_t format_ipv6(U128 address, char* out);

std::string to_string(std::uint32_t ipv4);
std::string to_string_v6(U128 ipv6);
std::string to_string(const IpAddress& address);

// The token quoted for an error message: at most 64 characters, control and non-ASCII bytes escaped, so that a
// hostile list cannot inject text into logs.
std::string quote_token(std::string_view token);

}  // namespace allowdrift::model
