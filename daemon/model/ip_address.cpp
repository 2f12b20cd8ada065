#include "model/ip_address.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace allowdrift::model {
namespace {

ParseError error(std::string_view text, std::string_view why) {
  return ParseError{quote_token(text) + ": " + std::string(why)};
}

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits at the first occurrence of `sep`; `rest` is empty and `found` false when there is none.
struct Split {
  std::string_view head;
  std::string_view rest;
  bool found;
};
constexpr Split split_at(std::string_view s, char sep) {
  const auto pos = s.find(sep);
  if (pos == std::string_view::npos) return {s, {}, false};
  return {s.substr(0, pos), s.substr(pos + 1), true};
}

ParseResult<int> parse_octet(std::string_view whole, std::string_view octet) {
  if (octet.empty()) return error(whole, "empty octet");
  if (octet.size() > 2 && octet[0] == '0' && (octet[1] == 'x' || octet[1] == 'X'))
    return error(whole, "hexadecimal octets are not accepted");
  for (char c : octet) {
    if (!is_digit(c)) return error(whole, "unexpected character " + quote_token({&c, 1}) + " in an IPv4 address");
  }
  if (octet.size() > 1 && octet[0] == '0')
    return error(whole, "octet " + quote_token(octet) + " has a leading zero (inet_aton would read it as octal)");
  if (octet.size() > 3) return error(whole, "octet " + quote_token(octet) + " is over 255");
  int v = 0;
  for (char c : octet) v = v * 10 + (c - '0');
  if (v > 255) return error(whole, "octet " + std::to_string(v) + " is over 255");
  return v;
}

}  // namespace

std::string quote_token(std::string_view token) {
  constexpr std::size_t kMax = 64;
  std::string out = "'";
  for (std::size_t i = 0; i < token.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
      std::array<char, 5> buf{};
      std::snprintf(buf.data(), buf.size(), "\\x%02x", c);
      out += buf.data();
    } else {
      out += static_cast<char>(c);
    }
  }
  if (token.size() > kMax) out += "...";
  out += '\'';
  return out;
}

ParseResult<std::uint32_t> parse_ipv4(std::string_view text) {
  if (text.empty()) return error(text, "empty address");
  std::uint32_t value = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    const auto [octet, tail, found] = split_at(rest, '.');
    if (i < 3 && !found) {
      return error(text, "an IPv4 address needs 4 dotted octets, found " + std::to_string(i + 1) +
                             " (shorthand forms are not accepted)");
    }
    auto v = parse_octet(text, octet);
    if (!v) return v.error();
    value = (value << 8) | static_cast<std::uint32_t>(*v);
    rest = tail;
    if (i == 3 && found) return error(text, "an IPv4 address has exactly 4 octets");
  }
  return value;
}

ParseResult<U128> parse_ipv6(std::string_view text) {
  if (text.empty()) return error(text, "empty address");
  if (std::count(text.begin(), text.end(), ':') == 1)
    return error(text, "a single ':' is not an IPv6 address (host:port is not accepted)");
  if (text.find('%') != std::string_view::npos)
    return error(text, "IPv6 zone ids are not accepted (a zone names an interface of one host)");

  // Split around the single "::", if any; parse the explicit groups on each side.
  std::string_view head = text;
  std::string_view tail;
  bool compressed = false;
  if (const auto pos = text.find("::"); pos != std::string_view::npos) {
    compressed = true;
    head = text.substr(0, pos);
    tail = text.substr(pos + 2);
    if (tail.find("::") != std::string_view::npos) return error(text, "more than one '::'");
    if (!tail.empty() && tail.front() == ':') return error(text, "':::' is not valid");
  }

  std::array<std::uint16_t, 8> groups{};
  int head_count = 0;
  std::array<std::uint16_t, 8> tail_groups{};
  int tail_count = 0;

  // Parses one side; `allow_v4` marks the side that may end with a dotted IPv4 address.
  auto parse_side = [&](std::string_view side, std::array<std::uint16_t, 8>& out, int& count,
                        bool allow_v4) -> ParseResult<void> {
    if (side.empty()) return {};
    std::string_view rest = side;
    while (true) {
      const auto [group, after, found] = split_at(rest, ':');
      if (group.empty()) return error(text, "empty group (a single ':' at the start or end, or '::' misplaced)");
      if (!found && allow_v4 && group.find('.') != std::string_view::npos) {
        auto v4 = parse_ipv4(group);
        if (!v4) return error(text, "embedded IPv4 part is invalid: " + v4.error().message);
        if (count + 2 > 8) return error(text, "too many groups");
        out[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(*v4 >> 16);
        out[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(*v4 & 0xffff);
        return {};
      }
      if (group.find('.') != std::string_view::npos)
        return error(text, "an embedded IPv4 address is allowed only as the last 32 bits");
      unsigned v = 0;
      for (char c : group) {
        const int h = hex_value(c);
        if (h < 0) return error(text, "unexpected character in an IPv6 address");
        v = (v << 4) | static_cast<unsigned>(h);
      }
      if (group.size() > 4)
        return error(text, "group " + quote_token(group.substr(0, 8)) + " has more than 4 hex digits");
      if (count >= 8) return error(text, "too many groups");
      out[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(v);
      if (!found) return {};
      rest = after;
    }
  };

  if (auto r = parse_side(head, groups, head_count, !compressed); !r) return r.error();
  if (compressed) {
    if (auto r = parse_side(tail, tail_groups, tail_count, true); !r) return r.error();
    if (head_count + tail_count > 7) return error(text, "'::' must stand for at least one group");
    for (int i = 0; i < tail_count; ++i)
      groups[static_cast<std::size_t>(8 - tail_count + i)] = tail_groups[static_cast<std::size_t>(i)];
  } else if (head_count != 8) {
    return error(text, "an IPv6 address without '::' needs 8 groups, found " + std::to_string(head_count));
  }

  U128 value = 0;
  for (auto g : groups) value = (value << 16) | g;
  return value;
}

ParseResult<IpAddress> parse_ip_address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    auto v6 = parse_ipv6(text);
    if (!v6) return v6.error();
    return IpAddress{Family::kV6, *v6};
  }
  auto v4 = parse_ipv4(text);
  if (!v4) return v4.error();
  return IpAddress{Family::kV4, *v4};
}

std::size_t format_ipv4(std::uint32_t address, char* out) {
  char* p = out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    auto octet = static_cast<unsigned>((address >> shift) & 0xff);
    if (octet >= 100) {
      *p++ = static_cast<char>('0' + octet / 100);
      octet %= 100;
      *p++ = static_cast<char>('0' + octet / 10);
      *p++ = static_cast<char>('0' + octet % 10);
    } else if (octet >= 10) {
      *p++ = static_cast<char>('0' + octet / 10);
      *p++ = static_cast<char>('0' + octet % 10);
    } else {
      *p++ = static_cast<char>('0' + octet);
    }
    if (shift != 0) *p++ = '.';
  }
  return static_cast<std::size_t>(p - out);
}

std::size_t format_ipv6(U128 address, char* out) {
  constexpr U128 kMappedPrefix = U128{0xffff} << 32;
  char* p = out;
  if ((address >> 32) == (kMappedPrefix >> 32)) {
    static constexpr std::string_view kMapped = "::ffff:";
    for (char c : kMapped) *p++ = c;
    p += format_ipv4(static_cast<std::uint32_t>(address), p);
    return static_cast<std::size_t>(p - out);
  }
  std::array<unsigned, 8> g{};
  for (int i = 0; i < 8; ++i)
    g[static_cast<std::size_t>(i)] = static_cast<unsigned>((address >> (112 - 16 * i)) & 0xffff);

  // Longest run of zero groups of length >= 2; the first one wins a tie.
  int best_start = -1;
  int best_len = 1;
  for (int i = 0; i < 8;) {
    if (g[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }

  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      *p++ = ':';
      if (i == 0) *p++ = ':';
      i += best_len - 1;
      continue;
    }
    const unsigned v = g[static_cast<std::size_t>(i)];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (v >> shift) & 0xf;
      if (nibble != 0 || started || shift == 0) {
        *p++ = kHex[nibble];
        started = true;
      }
    }
    if (i != 7) *p++ = ':';
  }
  return static_cast<std::size_t>(p - out);
}

std::string to_string(std::uint32_t ipv4) {
  std::array<char, kMaxIpv4Text> buf{};
  return std::string(buf.data(), format_ipv4(ipv4, buf.data()));
}

std::string to_string_v6(U128 ipv6) {
  std::array<char, kMaxIpv6Text> buf{};
  return std::string(buf.data(), format_ipv6(ipv6, buf.data()));
}

std::string to_string(const IpAddress& address) {
  return address.family == Family::kV4 ? to_string(static_cast<std::uint32_t>(address.value))
                                       : to_string_v6(address.value);
}

}  // namespace allowdrift::model
