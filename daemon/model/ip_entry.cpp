#include "model/ip_entry.h"

namespace allowdrift::model {
namespace {

ParseError error(std::string_view token, std::string_view why) {
  return ParseError{quote_token(token) + ": " + std::string(why)};
}

// Strict prefix length: 1-3 decimal digits, no sign, no leading zero, at most `max_bits`.
ParseResult<int> parse_prefix_length(std::string_view token, std::string_view text, int max_bits) {
  if (text.empty()) return error(token, "missing prefix length after '/'");
  for (char c : text) {
    if (c < '0' || c > '9') {
      if (c == '+' || c == '-') return error(token, "prefix length must not carry a sign");
      return error(token, "prefix length must be a decimal number");
    }
  }
  if (text.size() > 1 && text[0] == '0') return error(token, "prefix length has a leading zero");
  if (text.size() > 3) return error(token, "prefix length is over " + std::to_string(max_bits));
  int v = 0;
  for (char c : text) v = v * 10 + (c - '0');
  if (v > max_bits) return error(token, "prefix length " + std::to_string(v) + " is over " + std::to_string(max_bits));
  return v;
}

// Prefix length of a contiguous IPv4 netmask, or an error for a mask like 255.0.255.0.
ParseResult<int> netmask_length(std::string_view token, std::uint32_t mask) {
  const int len = std::countl_one(mask);
  if (len < 32 && (mask << len) != 0) return error(token, "netmask " + to_string(mask) + " is not contiguous");
  return len;
}

constexpr U128 kMappedFirst = U128{0xffff} << 32;
constexpr U128 kMappedLast = kMappedFirst | 0xffffffffU;

IpEntry make_entry(Family family, U128 first, U128 last, EntryForm form) {
  IpEntry e;
  e.family = family;
  e.first = first;
  e.last = last;
  e.form = form;
  e.v4_mapped = family == Family::kV6 && first >= kMappedFirst && last <= kMappedLast;
  return e;
}

}  // namespace

ParseResult<IpEntry> parse_ip_entry(std::string_view token) {
  if (token.empty()) return error(token, "empty entry");

  // "10.0.0.0/-1" is a signed prefix length, not a range that starts with a prefix.
  if (const auto slash = token.find('/'); slash != std::string_view::npos && slash + 1 < token.size() &&
                                          (token[slash + 1] == '-' || token[slash + 1] == '+'))
    return error(token, "prefix length must not carry a sign");

  if (const auto dash = token.find('-'); dash != std::string_view::npos) {
    const auto lo_text = token.substr(0, dash);
    const auto hi_text = token.substr(dash + 1);
    if (lo_text.find('/') != std::string_view::npos || hi_text.find('/') != std::string_view::npos)
      return error(token, "a range takes two addresses, not prefixes");
    auto lo = parse_ip_address(lo_text);
    if (!lo) return error(token, "range start: " + lo.error().message);
    auto hi = parse_ip_address(hi_text);
    if (!hi) return error(token, "range end: " + hi.error().message);
    if (lo->family != hi->family) return error(token, "range ends are of different address families");
    if (lo->value > hi->value) return error(token, "range start is above range end");
    return make_entry(lo->family, lo->value, hi->value, EntryForm::kRange);
  }

  const auto slash = token.find('/');
  const auto addr_text = token.substr(0, slash);
  auto addr = parse_ip_address(addr_text);
  if (!addr) {
    if (slash == std::string_view::npos) return addr.error();
    return error(token, "address part: " + addr.error().message);  // quote the whole token, not just its head
  }
  if (slash == std::string_view::npos) return make_entry(addr->family, addr->value, addr->value, EntryForm::kAddress);

  const auto len_text = token.substr(slash + 1);
  const int bits = address_bits(addr->family);
  int len = 0;
  EntryForm form = EntryForm::kPrefix;
  if (addr->family == Family::kV4 && len_text.find('.') != std::string_view::npos) {
    auto mask = parse_ipv4(len_text);
    if (!mask) return error(token, "netmask: " + mask.error().message);
    auto mask_len = netmask_length(token, *mask);
    if (!mask_len) return mask_len.error();
    len = *mask_len;
    form = EntryForm::kNetmask;
  } else {
    auto parsed = parse_prefix_length(token, len_text, bits);
    if (!parsed) return parsed.error();
    len = *parsed;
  }

  const U128 host_mask = bits - len >= 128 ? ~U128{0} : (U128{1} << (bits - len)) - 1;
  const U128 first = addr->value & ~host_mask;
  // A host address with a very short prefix ("203.0.113.7/0") is a typo far more often than intent, and
  // normalizing it would silently allow (or compare against) a large part of the address space.
  const int min_len_with_host_bits = addr->family == Family::kV4 ? 8 : 16;
  if (first != addr->value && len < min_len_with_host_bits)
    return error(token, "host bits set under a /" + std::to_string(len) +
                            " prefix: read as a network it would cover a large part of the address space "
                            "(write the network address if that is meant)");
  IpEntry e = make_entry(addr->family, first, first | host_mask, form);
  e.host_bits_cleared = first != addr->value;
  return e;
}

std::string describe_normalization(const IpEntry& entry, std::string_view token) {
  std::string out;
  if (entry.host_bits_cleared) {
    const std::string net =
        entry.family == Family::kV4 ? to_string(static_cast<std::uint32_t>(entry.first)) : to_string_v6(entry.first);
    const auto slash = token.find('/');
    out = quote_token(token) + " has host bits set; read as " + net + std::string(token.substr(slash));
  }
  if (entry.v4_mapped) {
    if (!out.empty()) out += "; ";
    out += quote_token(token) + " is IPv4-mapped IPv6; kept as IPv6, where it does not match native IPv4 traffic";
  }
  return out;
}

}  // namespace allowdrift::model
