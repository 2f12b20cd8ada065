// One IP allowlist entry as written in a list: an address, a CIDR prefix, a netmask form or a range.
//
// Accepted forms (each a single token, no spaces):
//   192.0.2.7                     2001:db8::7              a single address
//   192.0.2.0/24                  2001:db8::/32            prefix length: decimal digits only, no sign, no
//                                                          leading zero, at most 32 / 128
//   192.0.2.0/255.255.255.0                                IPv4 netmask; the mask must be contiguous
//   192.0.2.10-192.0.2.20         2001:db8::1-2001:db8::9  inclusive range, both ends of one family, first <= last
// Host bits set under a prefix (192.0.2.1/24) are cleared and reported through `host_bits_cleared`, because nft
// and ipset store the network the same way and comparing un-normalized text would report false drift.
//
// IPv4-mapped IPv6 (::ffff:0:0/96) policy: such entries stay IPv6 and are flagged `v4_mapped`. They are never
// folded into IPv4: an nft ipv6_addr set element ::ffff:192.0.2.0/120 does not match native IPv4 packets, so
// it does not allow what 192.0.2.0/24 allows, and treating them as equal would hide real drift.
#pragma once

#include "model/ip_address.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::model {

enum class EntryForm : std::uint8_t { kAddress, kPrefix, kNetmask, kRange };

struct IpEntry {
  Family family = Family::kV4;
  U128 first = 0;  // inclusive; IPv4 values in the low 32 bits
  U128 last = 0;   // inclusive
  EntryForm form = EntryForm::kAddress;
  bool host_bits_cleared = false;  // prefix written with host bits set; first/last are the normalized network
  bool v4_mapped = false;          // IPv6 entry entirely inside ::ffff:0:0/96 (see policy above)

  friend bool operator==(const IpEntry&, const IpEntry&) = default;
};

ParseResult<IpEntry> parse_ip_entry(std::string_view token);

// The forms published lists are made of, in one pass: a dotted-quad IPv4 address or prefix ("192.0.2.0/24"), an
// IPv6 address or prefix of hex groups ("2001:db8::/32"). Returns exactly what parse_ip_entry returns for the
// token when it is one of those and valid, and nullopt for anything else (netmasks, ranges, embedded IPv4, any
// error): parse_ip_entry then decides, and says why. A shortcut for lists of many thousands of entries, where the
// general parser's splitting and searching was most of the time (bench/README.md); tests/fuzz/ip_entry_fuzzer.cpp
// checks it against parse_ip_entry.
std::optional<IpEntry> parse_plain_ip_entry(std::string_view token);

// Human-readable notes for the flags of an entry, for warnings ("" when there is nothing to say).
std::string describe_normalization(const IpEntry& entry, std::string_view token);

}  // namespace allowdrift::model
