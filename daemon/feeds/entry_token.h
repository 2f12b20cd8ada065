// One token from a published list or page, checked against the strict grammars: an IP entry (ip_entry.h) or a
// domain pattern (domain_pattern.h). Shared by every format, so "010.0.0.1" is refused the same way whether it
// came from a text list, a JSON array or an HTML page.
#pragma once

#include "model/domain_pattern.h"
#include "model/ip_entry.h"

#include <string_view>
#include <variant>

namespace allowdrift::feeds {

// The token checked as an address when it starts like one (contains ':' or '/', a dotted-decimal range, an all-digit
// last label, or three decimal labels of four), else as a domain name; URLs are refused.
std::variant<model::IpEntry, model::DomainPattern, model::ParseError> parse_entry_token(std::string_view token);

}  // namespace allowdrift::feeds
