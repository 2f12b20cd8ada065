// The elements of a named nftables set as the kernel dumps them (NFT_MSG_GETSETELEM), turned into address entries.
//
// An interval set (flags interval, the rbtree backend) holds each interval [a, b] as two elements: a start element
// with key a and an end element with key b + 1 flagged NFT_SET_ELEM_INTERVAL_END. The kernel dumps them in
// descending key order, and nft adds an end element with key 0 in front of a first interval that does not start
// at 0 (a sentinel that closes nothing). An interval reaching the top of the address space (255.255.255.0/24,
// ffff::/16) has no end element, since b + 1 does not exist. Seen with `nft --debug=netlink list set` on
// nft 1.0.6 / Linux 6.x:
//     element 00ffffff  : 0 [end]     start 255.255.255.0 (no end: reaches 255.255.255.255)
//     element 007200cb  : 1 [end]     end   203.0.114.0  -> ... 203.0.113.255
//     element 007100cb  : 0 [end]     start 203.0.113.0
//     element 00000000  : 1 [end]     the sentinel
// The pipapo backend (concatenations, and intervals on newer kernels) instead sends one element with the start in
// NFTA_SET_ELEM_KEY and the inclusive end in NFTA_SET_ELEM_KEY_END. A set without the interval flag holds single
// addresses. This file is pure so the conversion is unit-tested on synthetic dumps.
#pragma once

#include "firewall/read_error.h"
#include "model/ip_entry.h"

#include <optional>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

struct NftRawElement {
  model::U128 key = 0;                 // host order; IPv4 in the low 32 bits
  std::optional<model::U128> key_end;  // NFTA_SET_ELEM_KEY_END (inclusive), pipapo
  bool interval_end = false;           // NFT_SET_ELEM_INTERVAL_END
  friend bool operator==(const NftRawElement&, const NftRawElement&) = default;
};

// Entries in ascending order: kRange (or kAddress for a one-address interval) for interval sets, kAddress
// otherwise. `elements` is consumed (sorted in place). `what` names the set in messages ("set inet/filter/allow").
// Errors: kParse when the elements do not form intervals (a start inside an open interval, an end before its start).
ReadResult<std::vector<model::IpEntry>> nft_elements_to_entries(std::vector<NftRawElement> elements,
                                                                model::Family family, bool interval_set,
                                                                std::string_view what);

}  // namespace allowdrift::firewall
