// Between entry lists and normalized address sets, for readers that combine matches (a jump's source with the
// called chain's, a rule's source with an ipset's members).
#pragma once

#include "model/ip_entry.h"
#include "model/ip_set.h"

#include <vector>

namespace allowdrift::firewall {

model::IpSet ip_set_of(const std::vector<model::IpEntry>& entries);

// One range entry per interval of the set (a single address as an address entry), IPv4 first, ascending.
std::vector<model::IpEntry> entries_of(const model::IpSet& set);

}  // namespace allowdrift::firewall
