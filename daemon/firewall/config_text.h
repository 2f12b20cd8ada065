// Small text helpers shared by the configuration-file parsers of daemon/firewall/ (Postfix, nginx, squid, dnsmasq,
// firewalld): lines with their numbers, "PATH:LINE" origins and conversions between entries and address sets.
#pragma once

#include "firewall/read_error.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

struct TextLine {
  std::size_t number = 0;  // 1-based
  std::string_view text;   // without the '\n' and a trailing '\r'
};

// The lines of a file: one per '\n', plus an unterminated last line; a leading UTF-8 byte order mark is dropped.
std::vector<TextLine> split_lines(std::string_view text);

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n'; }
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// "PATH:LINE"
std::string origin(std::string_view source, std::size_t line);
// A kParse error "PATH:LINE: what".
ReadError parse_error(std::string_view source, std::size_t line, std::string_view what);

// The address set of one entry, and the entries (one per interval, as prefix, address or range) of a set.
model::IpSet entry_set(const model::IpEntry& entry);
std::vector<model::IpEntry> entries_from_set(const model::IpSet& set);
// Every address of the entry's family: 0.0.0.0/0 or ::/0.
model::IpEntry whole_family(model::Family family);
// Up to `max` CIDR blocks of a set, "a, b, c and 4 more".
std::string describe_set(const model::IpSet& set, std::size_t max = 4);

}  // namespace allowdrift::firewall
