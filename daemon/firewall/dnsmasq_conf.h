// `dnsmasq:PATH`: the domains of a dnsmasq configuration file whose resolved addresses dnsmasq adds to firewall
// sets, the usual way to allow traffic by name:
//
//   ipset=/example.com/cdn.example.net/allow4,allow6
//   nftset=/example.com/4#inet#fw#allow4,6#inet#fw#allow6
//
// In dnsmasq, /example.com/ matches example.com and every name below it (dnsmasq(8), --server and --address), so
// each domain gives example.com and *.example.com; "*.example.com" (dnsmasq 2.86+: a '*' at the start matches any
// name ending in what follows) gives *.example.com only, and "*example.com" also matches names such as
// myexample.com, which no pattern here expresses (warning, read as example.com and *.example.com). "#" (every
// domain) and an empty domain (names without a dot) are reported in warnings. The set names are not checked
// against the firewall; when the file fills several sets, a warning names them, since not every set need be an
// allowlist.
//
// Comments: a line whose first non-blank character is '#', or a '#' after a blank (dnsmasq's rule; the '#' in
// "4#inet#fw#set" is not one). Every other option (server=, address=, interface=, ...) is not an allowlist and is
// skipped; conf-file= and conf-dir= are not followed (warning). A malformed ipset=/nftset= line, or a bad domain
// in one, rejects the file with PATH:LINE.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_dnsmasq_conf(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
