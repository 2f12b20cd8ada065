// firewalld's permanent configuration XML (/etc/firewalld/zones/*.xml, /etc/firewalld/ipsets/*.xml), read with
// pugixml. An XML syntax error rejects the file with PATH:LINE.
//
// `firewalld-zone:PATH` (root <zone>): the allowed sources are
//   - <source address="ADDR|CIDR|ADDR/NETMASK"/>: bound to the zone. When the zone's target is DROP or REJECT
//     (%%REJECT%%) these sources are blocked, not allowed: they are left out, with a warning;
//   - rich rules <rule [family="ipv4|ipv6"]> with <source address="..."/> and an <accept/> action. Rules with
//     reject, drop or mark, or no action (masquerade, forward-port), allow nothing. An inverted source
//     (invert="true") is reported as unsupported in a warning.
//   A source given as ipset="NAME" cannot be resolved from the zone file: a warning names the ipset to read
//   (firewalld-ipset:/etc/firewalld/ipsets/NAME.xml); mac="..." is reported as not comparable. Host bits are
//   cleared with a warning (firewalld hands the address to nftables, which stores the network). A source address
//   of the wrong family for its rule, or a malformed one, rejects the file. Other elements (service, port,
//   interface, ...) do not name sources and are skipped.
// `firewalld-ipset:PATH` (root <ipset type="hash:ip|hash:net">): every <entry>; <option name="family"
//   value="inet|inet6"/> fixes the family. Other set types are kUnsupported. A warning when the entries reach 90%
//   of <option name="maxelem">.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_firewalld_zone(std::string_view text, std::string_view source);
ReadResult<Allowlist> parse_firewalld_ipset(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
