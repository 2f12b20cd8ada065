// Postfix address lists: `postfix-cidr:PATH` (a cidr: lookup table, cidr_table(5)) and `mynetworks:PATH` (a file
// of mynetworks patterns, postconf(5) "mynetworks"). Both are evaluated first match wins, like Postfix.
//
// cidr: table
//   PATTERN RESULT lines; blank lines and lines whose first non-blank character is '#' are ignored; a line that
//   starts with whitespace continues the previous one. PATTERN is ADDRESS or ADDRESS/LENGTH, optionally in []
//   ("[2001:db8::]/32"), optionally negated with '!' (matches every other address of its family). `if PATTERN` /
//   `if !PATTERN` ... `endif` blocks (Postfix 3.2) are implemented: a rule inside matches only what the enclosing
//   conditions match.
//   A rule allows when the first word of RESULT (split at blanks and commas, case-insensitive) is OK or permit, or
//   RESULT is all digits (access(5): "treated as OK"): what smtpd access maps and postscreen_access accept.
//   Every other result (REJECT, DUNNO, 4NN/5NN text, permit_mynetworks, restriction lists, ...) does not allow;
//   such rules are not listed, but where one comes first it takes precedence over a later allowing rule, and that
//   part is excluded with a warning.
//   Postfix skips a pattern with host bits set ("non-null host address bits") and logs a warning: so does this
//   reader, and the rule allows nothing. Anything else unexpected (a bad address, a missing result, endif without
//   if, an if without endif) rejects the table.
//
// mynetworks
//   Patterns separated by blanks and commas; a line starting with '#' is a comment, and so is the rest of a line
//   from a word starting with '#' (Postfix warns about such trailing comments; so does this reader). ADDRESS or
//   ADDRESS/LENGTH, IPv6 in [] ("[::1]/128", "[2001:db8::]/64"); "!pattern" excludes. A bare IPv6 address is
//   rejected: Postfix reads it as a "type:table" name and fails. Host bits set are rejected (Postfix refuses the
//   pattern). A host name is reported in a warning (not an address). "/file/name" and "type:table" references are
//   refused with kUnsupported: their contents are not read here, and a partial list would report false drift;
//   read the referenced file as its own target.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_postfix_cidr(std::string_view text, std::string_view source);
ReadResult<Allowlist> parse_mynetworks(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
