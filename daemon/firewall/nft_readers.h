// The nftables backends of make_reader():
//   nft:FAMILY/TABLE/SET          the set's elements dumped over netlink (nft_netlink.h); no nft binary needed
//   nft-chain:FAMILY/TABLE/CHAIN  the chain listed as JSON through libnftables, its accept rules read by
//                                 nft_chain_allowlist, the named sets they use dumped over netlink
//   nft-json:PATH[#...]           a saved `nft -j list ruleset` (parse_nft_json_target), as a file target
// Both live readers' change signal is the ruleset generation id, "nft-gen:ID" (nft_netlink.h says what moves it),
// and both read between two generation reads, again (up to 3 times) when it moved.
#pragma once

#include "firewall/allowlist_reader.h"

#include <memory>

namespace allowdrift::firewall {

std::unique_ptr<AllowlistReader> make_nft_set_reader(const TargetSpec& spec, const ReaderOptions& options);
std::unique_ptr<AllowlistReader> make_nft_chain_reader(const TargetSpec& spec, const ReaderOptions& options);
std::unique_ptr<AllowlistReader> make_nft_json_reader(const TargetSpec& spec, const ReaderOptions& options);

}  // namespace allowdrift::firewall
