// Live nftables over netlink (libmnl + libnftnl): the fast path for large named sets, the names of tables, sets
// and chains for not-found messages, and the ruleset generation id as the change signal.
//
// Everything here only reads (NFT_MSG_GET*), and needs CAP_NET_ADMIN in the network namespace's owning user
// namespace (reliability.md section 3.3); without it every request fails with EPERM: kPermission.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/nft_json.h"
#include "firewall/read_error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace allowdrift::firewall {

struct NetlinkLimits {
  std::chrono::milliseconds timeout{30'000};  // for the whole reading, retries included: kTimeout
  std::size_t max_elements = 32u << 20;       // dumped elements (an interval counts twice): kOutputTooLarge
};

// The ruleset generation id (NFT_MSG_GETGEN, attribute NFTA_GEN_ID). The kernel increments it on every committed
// nftables transaction, whatever it changes: any `nft add/delete/flush`, `nft -f`, iptables-nft or firewalld
// change, in any table of this network namespace. So an unchanged id means an unchanged ruleset, while a moved id
// may concern another table. Not transactions, so not seen: elements that expire (sets with timeouts) and
// elements the packet path adds (`add @set` / `update @set` on dynamic sets); such sets need the daemon's maximum
// age to be re-read.
ReadResult<std::uint32_t> nft_generation(const NetlinkLimits& limits);

// The elements of one named set of type ipv4_addr or ipv6_addr (the key type decides the family; any other type,
// a map, or a catch-all element is kUnsupported), as entries with origin "set FAMILY/TABLE/NAME". The set's
// description and its elements are read between two generation reads and re-read (up to 3 times) when the
// generation moved or the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR). A missing table or set is
// kNotFound naming what exists.
ReadResult<Allowlist> nft_dump_set(const NftName& set, const NetlinkLimits& limits);

enum class NftObjectKind : std::uint8_t { kTable, kSet, kChain };

// Names of the tables of a family, or of the (named) sets or chains of one table, in kernel order.
ReadResult<std::vector<std::string>> nft_list_names(NftObjectKind kind, const std::string& family,
                                                    const std::string& table, const NetlinkLimits& limits);

// kNotFound for a set or chain that does not exist: "set inet/filter/x does not exist; sets of table
// inet/filter: a, b", or when the table is missing, "table inet/nosuch does not exist; tables of family inet: ...".
ReadError nft_not_found(NftObjectKind kind, const NftName& name, const NetlinkLimits& limits);

// kPermission with the capability to grant; `what` is what was being read.
ReadError nft_permission_error(const std::string& what);

}  // namespace allowdrift::firewall
