// `squid:PATH`: a file of squid `dstdomain` ACL values (acl NAME dstdomain "/etc/squid/whitelist").
//
// squid reads the first word of each line (lines starting with '#' and blank lines are skipped); this reader does
// the same, and warns when a line holds more words (squid ignores them) unless they start a '#' comment.
//   .example.com      example.com and every name below it: both example.com and *.example.com
//   example.com       exactly that name
//   192.0.2.7         a literal IPv4/IPv6 address (a request to that address): an IP entry
// A value squid accepts but that can never match a request's host name is reported in a warning and allows
// nothing: one with a port or a path (".google.com:443/recaptcha"), a "*." wildcard (squid has none; the leading
// dot form is meant), or a single-label name (not comparable with published domain lists). Anything else that is
// not a valid name (bad characters, empty labels, an over-long label) rejects the file with PATH:LINE.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_squid_acl(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
