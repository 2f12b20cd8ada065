// `nginx:PATH`: the client addresses an nginx configuration file (a whole config or an included snippet) allows.
//
// The file is tokenized as nginx does (directives end with ';', blocks with '{' '}', '#' starts a comment at the
// start of a word, "..." and '...' quote); a syntax error rejects the file with PATH:LINE.
//
//   allow ADDRESS|CIDR|all;   an allowed entry. `allow all` allows 0.0.0.0/0 and ::/0, with a warning.
//   deny  ADDRESS|CIDR|all;   not an entry. nginx applies the first matching allow/deny of a block, so a deny
//                             before an overlapping allow takes that part away: it is excluded, with a warning
//                             (a trailing `deny all;` takes nothing away). Each block's rules are evaluated on their
//                             own, and the allowlist is what any block allows.
//   set_real_ip_from ADDRESS|CIDR;  a trusted proxy (for example Cloudflare's ranges): an allowed entry, since that
//                             is the list to compare against the vendor's.
// `unix:` (UNIX-socket clients) and host names (resolved by nginx at start) are reported in a warning. Host bits
// are cleared with a warning, as nginx does ("low address bits are meaningless"). Forms nginx does not accept
// (ranges, netmasks) reject the file. `include` is not followed (warning); the contents of geo and map blocks are
// not read (geo gets a warning). Every other directive (listen, server_name, real_ip_header, ...) does not decide
// which client addresses the access module allows and is skipped. A file with deny lines but no allow or
// set_real_ip_from gets a warning that it allows nothing.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_nginx_conf(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
