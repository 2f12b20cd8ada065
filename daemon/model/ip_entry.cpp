#include "model/ip_entry.h"

#include <array>

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

// The one-pass reading of parse_plain_ip_entry: a cursor over the token that fails on anything unexpected.
class PlainCursor {
 public:
  explicit PlainCursor(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool at_end() const { return p_ == end_; }
  bool at_address_end() const { return p_ == end_ || *p_ == '/'; }
  bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // 1-3 decimal digits, no leading zero unless the number is "0", at most `max`.
  bool decimal(unsigned max, unsigned& out) {
    const unsigned d0 = digit_here();
    if (d0 > 9) return false;
    ++p_;
    unsigned v = d0;
    if (const unsigned d1 = digit_here(); d1 <= 9) {
      if (d0 == 0) return false;  // leading zero
      ++p_;
      v = v * 10 + d1;
      if (const unsigned d2 = digit_here(); d2 <= 9) {
        ++p_;
        v = v * 10 + d2;
        if (digit_here() <= 9) return false;  // a fourth digit
      }
    }
    out = v;
    return v <= max;
  }

  // A dotted quad.
  bool ipv4(std::uint32_t& out) {
    unsigned a = 0;
    unsigned b = 0;
    unsigned c = 0;
    unsigned d = 0;
    if (!decimal(255, a) || !take('.') || !decimal(255, b) || !take('.') || !decimal(255, c) || !take('.') ||
        !decimal(255, d))
      return false;
    out = (a << 24) | (b << 16) | (c << 8) | d;
    return true;
  }

  // Hex groups of 1-4 digits with at most one "::" (standing for at least one zero group).
  bool ipv6(U128& out) {
    std::array<std::uint16_t, 8> groups{};
    int count = 0;
    int gap = -1;  // groups before the "::"
    if (end_ - p_ >= 2 && p_[0] == ':' && p_[1] == ':') {
      gap = 0;
      p_ += 2;
    }
    if (gap < 0 || !at_address_end()) {
      while (true) {  // a group, then the end, "::" and the end, or a ':' or "::" before the next group
        unsigned g = 0;
        int digits = 0;
        for (; digits < 4 && p_ != end_; ++digits) {
          const int h = kHex[static_cast<unsigned char>(*p_)];
          if (h < 0) break;
          g = (g << 4) | static_cast<unsigned>(h);
          ++p_;
        }
        if (digits == 0 || count == 8) return false;
        groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(g);
        if (at_address_end()) break;
        if (!take(':')) return false;
        if (take(':')) {
          if (gap >= 0) return false;
          gap = count;
          if (at_address_end()) break;
        }
      }
    }
    if (gap < 0 ? count != 8 : count > 7) return false;
    // Two 64-bit halves: the groups after "::" move to the end, the ones it stands for are zero.
    std::uint64_t half[2] = {0, 0};
    for (int k = 0; k < count; ++k) {
      const int at = gap < 0 || k < gap ? k : 8 - count + k;
      half[at / 4] |= std::uint64_t{groups[static_cast<std::size_t>(k)]} << (48 - 16 * (at % 4));
    }
    out = (U128{half[0]} << 64) | half[1];
    return true;
  }

 private:
  // Hex digit values, -1 for other bytes.
  static constexpr std::array<std::int8_t, 256> kHex = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int c = 0; c < 10; ++c) t[static_cast<std::size_t>('0' + c)] = static_cast<std::int8_t>(c);
    for (int c = 0; c < 6; ++c) {
      t[static_cast<std::size_t>('a' + c)] = static_cast<std::int8_t>(10 + c);
      t[static_cast<std::size_t>('A' + c)] = static_cast<std::int8_t>(10 + c);
    }
    return t;
  }();

  // The digit under the cursor, or more than 9.
  unsigned digit_here() const {
    return p_ == end_ ? 10U : static_cast<unsigned>(static_cast<unsigned char>(*p_) - '0');
  }

  const char* p_;
  const char* end_;
};

IpEntry plain_v4_entry(std::uint32_t first, std::uint32_t last, EntryForm form, bool host_bits_cleared) {
  IpEntry e;
  e.family = Family::kV4;
  e.first = first;
  e.last = last;
  e.form = form;
  e.host_bits_cleared = host_bits_cleared;
  return e;
}

}  // namespace

std::optional<IpEntry> parse_plain_ip_entry(std::string_view token) {
  // IPv4 first: a token that reads as a dotted quad holds no ':', and an IPv6 token fails it within a few bytes.
  PlainCursor c(token);
  unsigned len = 0;
  if (std::uint32_t addr = 0; c.ipv4(addr)) {
    if (c.at_end()) return plain_v4_entry(addr, addr, EntryForm::kAddress, false);
    if (!c.take('/') || !c.decimal(32, len) || !c.at_end()) return std::nullopt;
    const std::uint32_t host_mask = len == 0 ? ~std::uint32_t{0} : (std::uint32_t{1} << (32 - len)) - 1;
    const std::uint32_t first = addr & ~host_mask;
    // Host bits under a very short prefix: parse_ip_entry refuses it, with the reason.
    if (first != addr && len < 8) return std::nullopt;
    return plain_v4_entry(first, first | host_mask, EntryForm::kPrefix, first != addr);
  }
  c = PlainCursor(token);
  U128 addr = 0;
  if (!c.ipv6(addr)) return std::nullopt;
  if (c.at_end()) return make_entry(Family::kV6, addr, addr, EntryForm::kAddress);
  if (!c.take('/') || !c.decimal(128, len) || !c.at_end()) return std::nullopt;
  const U128 host_mask = len == 0 ? ~U128{0} : (U128{1} << (128 - len)) - 1;
  const U128 first = addr & ~host_mask;
  if (first != addr && len < 16) return std::nullopt;
  IpEntry e = make_entry(Family::kV6, first, first | host_mask, EntryForm::kPrefix);
  e.host_bits_cleared = first != addr;
  return e;
}

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
    // A name ends in a label that starts with a letter (a TLD); "10.0.0.1x" does not.
    const auto last_label = addr_text.substr(addr_text.rfind('.') + 1);
    const auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const bool name_like =
        addr_text.find(':') == std::string_view::npos && !last_label.empty() && is_letter(last_label.front());
    if (name_like) return error(token, "expected ADDRESS/LENGTH; a domain name cannot carry a '/' suffix");
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
