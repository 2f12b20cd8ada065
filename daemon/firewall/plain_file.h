// `file:PATH`: one entry per line in the plain list format (feeds/plain_list.h), all-or-nothing.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"

#include <string_view>

namespace allowdrift::firewall {

// `source` names the input in messages and origins ("/etc/allowdrift/local.txt").
ReadResult<Allowlist> parse_plain_file(std::string_view text, std::string_view source);

}  // namespace allowdrift::firewall
