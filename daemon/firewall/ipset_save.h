// The `ipset save` text format (also `ipset restore` input): "create NAME TYPE [options]" and
// "add NAME ENTRY [options]" lines, '#' comments and blank lines. Pure and all-or-nothing: anything else rejects
// the whole text with kParse and "SOURCE:LINE: what was found, what was expected".
//
// Sets of type hash:ip and hash:net are read fully: the family (inet/inet6) and every create option ipset 6 and 7
// write (hashsize, maxelem, bucketsize, initval, timeout, netmask, counters, comment, skbinfo, forceadd), and
// every add option (timeout, packets, bytes, comment "...", skbmark/skbprio/skbqueue, nomatch). A hash:ip set with
// `netmask N` stores networks: each member covers its /N. Sets of other types (hash:ip,port, hash:net,iface,
// list:set, bitmap:..., hash:mac ...) are kept by name and type only, and reading one as an allowlist is
// kUnsupported, naming the type. The command aliases ipset accepts (-N/n for create, -A/a for add) are read too.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"
#include "model/ip_entry.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

struct IpsetMember {
  model::IpEntry entry;  // a hash:ip member widened to its netmask
  std::size_t line = 0;
  bool nomatch = false;      // an exception carved out of the set's other members (hash:net)
  bool has_timeout = false;  // a non-zero timeout: the kernel removes the member when it expires
};

struct IpsetSet {
  std::string name;
  std::string type;  // "hash:net", "hash:ip,port", ...
  std::size_t line = 0;
  bool readable = false;          // hash:ip or hash:net without bitmask: members parsed
  std::string unreadable_option;  // "bitmask" when that option made a hash:ip set unreadable
  model::Family family = model::Family::kV4;
  std::uint64_t maxelem = 65536;
  int netmask = 0;                // hash:ip netmask option; 0 when absent
  std::size_t element_count = 0;  // add lines, for any type
  std::vector<IpsetMember> members;
};

struct IpsetDocument {
  std::vector<IpsetSet> sets;  // in file order
  const IpsetSet* find(std::string_view name) const;
};

ReadResult<IpsetDocument> parse_ipset_save(std::string_view text, std::string_view source);

// The allowlist of one set: members (nomatch ones into Allowlist::excluded) with origins "set NAME (SOURCE:LINE)",
// plus warnings when the set is at least 90% of maxelem or has members with timeouts. kNotFound lists the sets
// present; kUnsupported names the type. An existing empty set is an empty allowlist, not an error.
ReadResult<Allowlist> ipset_allowlist(const IpsetDocument& document, std::string_view name, std::string_view source);

// ipset-save:PATH#NAME: both steps.
ReadResult<Allowlist> parse_ipset_save_set(std::string_view text, std::string_view source, std::string_view name);

}  // namespace allowdrift::firewall
