// A local allowlist target, written `KIND:ARGS`, the same on the command line and in the config's `spec` key:
//
//   nft:FAMILY/TABLE/SET            live named set (netlink)          nft:inet/filter/sdp_mail
//   nft-chain:FAMILY/TABLE/CHAIN    live accept rules of a chain     nft-chain:inet/filter/input
//   nft-json:PATH[#[FAMILY/]TABLE/NAME]  a saved `nft -j list ruleset`: the set NAME, else the chain NAME (its
//                                   accept rules); without #, the file's only set
//   iptables:[TABLE/]CHAIN          live `iptables-save` (table defaults to filter)
//   ip6tables:[TABLE/]CHAIN         live `ip6tables-save`
//   iptables-save:PATH#[TABLE/]CHAIN  a saved iptables-save / ip6tables-save / iptables-restore file
//   ipset:NAME                      live `ipset save NAME`
//   ipset-save:PATH#NAME            a saved `ipset save` file
//   ufw:PATH                        /etc/ufw/user.rules or user6.rules (accept tuples)
//   firewalld-zone:PATH             zone XML: <source address> and accepting rich rules
//   firewalld-ipset:PATH            ipset XML: <entry> elements
//   postfix-cidr:PATH               Postfix cidr: table, entries whose action is OK or permit
//   mynetworks:PATH                 Postfix mynetworks list ([ipv6]/len accepted)
//   nginx:PATH                      nginx `allow` and `set_real_ip_from` lines
//   squid:PATH                      squid dstdomain ACL file (domains; ".example.com" = domain and subdomains)
//   dnsmasq:PATH                    dnsmasq `nftset=` / `ipset=` lines (domains)
//   file:PATH                       one entry per line (the plain list format of feeds/plain_list.h)
//
// In file targets everything after the last '#' is the selector, so a path may not contain '#' when the kind
// takes a selector.
#pragma once

#include "firewall/read_error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace allowdrift::firewall {

enum class TargetKind : std::uint8_t {
  kNftSet,
  kNftChain,
  kNftJson,
  kIptables,
  kIp6tables,
  kIptablesSave,
  kIpset,
  kIpsetSave,
  kUfw,
  kFirewalldZone,
  kFirewalldIpset,
  kPostfixCidr,
  kMynetworks,
  kNginx,
  kSquid,
  kDnsmasq,
  kFile,
};

std::string_view to_string(TargetKind kind);  // the KIND prefix: "nft", "nft-chain", ...

struct TargetSpec {
  TargetKind kind = TargetKind::kFile;
  std::string text;    // as written, for messages
  std::string path;    // file kinds
  std::string family;  // nft kinds: ip, ip6, inet, arp, bridge, netdev ("" in nft-json: any family)
  std::string table;   // nft kinds; iptables kinds ("filter" by default)
  std::string name;    // set, chain or ipset name ("" in nft-json: the file's only set)

  // Live targets read the running kernel (and need privileges); the others read a file.
  bool is_live() const;
};

// Parses `KIND:ARGS`; errors are kBadSpec with the text and what was expected.
ReadResult<TargetSpec> parse_target_spec(std::string_view text);

}  // namespace allowdrift::firewall
