// libFuzzer target: the strict address and entry grammar (daemon/model/ip_address.h, ip_entry.h).
//
// The whole input is one token. Checked on every run:
//   (a) differential against glibc: parse_ip_address accepts a text iff inet_pton accepts it (AF_INET6 when the
//       text holds ':', AF_INET otherwise) and the values agree; parse_ip_entry accepts a token iff a reference
//       built from inet_pton and the grammar of ip_entry.h does, with the same interval, form and flags;
//   (b) an accepted entry has first <= last, stays inside its family, and a prefix or netmask entry is one
//       aligned power-of-two block;
//   (c) the canonical text of the normalized entry (format_ipv4/format_ipv6, "/len" or "first-last") parses
//       back to the same entry;
//   (d) the canonical text is a fixed point: format(parse(format(x))) == format(x);
//   (e) format_ipv4/format_ipv6 of a value taken from the input bytes parse back to that value, inet_pton
//       agrees, and the text equals inet_ntop's except where glibc uses the deprecated IPv4-compatible form;
//   (f) error messages and normalization notes are printable ASCII of bounded length (they reach logs);
//   (g) the one-pass reading of common forms, parse_plain_ip_entry, returns nothing or exactly what parse_ip_entry
//       returns, and returns it for every canonical prefix and address text (the forms published lists use).
#include "fuzz_check.h"
#include "model/ip_address.h"
#include "model/ip_entry.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using allowdrift::fuzz::escape_all;
using allowdrift::fuzz::hex128;
using allowdrift::fuzz::printable_ascii;
using namespace allowdrift::model;

constexpr std::size_t kMaxMessage = 1024;

std::string family_text(Family f) { return std::string(family_name(f)); }

std::string describe(const IpEntry& e) {
  return family_text(e.family) + " [" + hex128(e.first) + ", " + hex128(e.last) +
         "] form=" + std::to_string(static_cast<int>(e.form)) +
         " host_bits_cleared=" + std::to_string(e.host_bits_cleared) + " v4_mapped=" + std::to_string(e.v4_mapped);
}

void check_message(std::string_view message) {
  FUZZ_CHECK(!message.empty(), std::string("empty error message"));
  FUZZ_CHECK(printable_ascii(message), "message with control or non-ASCII bytes: \"" + escape_all(message) + "\"");
  FUZZ_CHECK(message.size() <= kMaxMessage, "message of " + std::to_string(message.size()) + " bytes");
}

// ---------------------------------------------------------------------------------------------------------------
// Reference: glibc inet_pton for addresses, the grammar of ip_entry.h written out independently for the rest.

struct RefAddress {
  Family family;
  U128 value;
};

// inet_pton reads a C string, so a text with a NUL byte is rejected here outright: no address contains one.
std::optional<RefAddress> ref_address(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string s(text);
  if (text.find(':') != std::string_view::npos) {
    in6_addr a{};
    if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return std::nullopt;
    U128 v = 0;
    for (std::uint8_t b : a.s6_addr) v = (v << 8) | b;
    return RefAddress{Family::kV6, v};
  }
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return RefAddress{Family::kV4, ntohl(a.s_addr)};
}

// "0", or 1-3 decimal digits without a leading zero, at most max_bits.
std::optional<int> ref_prefix_length(std::string_view text, int max_bits) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max_bits) return std::nullopt;
  return v;
}

// A dotted IPv4 netmask whose one bits are contiguous from the top.
std::optional<int> ref_netmask_length(std::string_view text) {
  const auto mask = ref_address(text);
  if (!mask || mask->family != Family::kV4) return std::nullopt;
  const auto inverted = static_cast<std::uint32_t>(~static_cast<std::uint32_t>(mask->value));
  if ((inverted & (inverted + 1U)) != 0) return std::nullopt;  // host part is not 2^k - 1
  return std::popcount(static_cast<std::uint32_t>(mask->value));
}

constexpr U128 kMappedPrefix = U128{0xffff};  // value >> 32 of ::ffff:0:0/96

std::optional<IpEntry> ref_entry(std::string_view token) {
  if (token.empty()) return std::nullopt;
  IpEntry e;
  if (const auto dash = token.find('-'); dash != std::string_view::npos) {
    const auto lo_text = token.substr(0, dash);
    const auto hi_text = token.substr(dash + 1);
    if (lo_text.find('/') != std::string_view::npos || hi_text.find('/') != std::string_view::npos) return std::nullopt;
    const auto lo = ref_address(lo_text);
    const auto hi = ref_address(hi_text);
    if (!lo || !hi || lo->family != hi->family || lo->value > hi->value) return std::nullopt;
    e.family = lo->family;
    e.first = lo->value;
    e.last = hi->value;
    e.form = EntryForm::kRange;
  } else {
    const auto slash = token.find('/');
    const auto addr = ref_address(token.substr(0, slash));
    if (!addr) return std::nullopt;
    e.family = addr->family;
    if (slash == std::string_view::npos) {
      e.first = e.last = addr->value;
      e.form = EntryForm::kAddress;
    } else {
      const auto len_text = token.substr(slash + 1);
      const int bits = address_bits(addr->family);
      std::optional<int> len;
      if (addr->family == Family::kV4 && len_text.find('.') != std::string_view::npos) {
        len = ref_netmask_length(len_text);
        e.form = EntryForm::kNetmask;
      } else {
        len = ref_prefix_length(len_text, bits);
        e.form = EntryForm::kPrefix;
      }
      if (!len) return std::nullopt;
      const int host = bits - *len;
      const U128 host_mask = host == 128 ? ~U128{0} : (U128{1} << host) - 1;
      e.first = addr->value & ~host_mask;
      e.last = e.first | host_mask;
      e.host_bits_cleared = e.first != addr->value;
      // Host bits under a very short prefix are refused (ip_entry.cpp): /0-/7 for IPv4, /0-/15 for IPv6.
      if (e.host_bits_cleared && *len < (addr->family == Family::kV4 ? 8 : 16)) return std::nullopt;
    }
  }
  e.v4_mapped = e.family == Family::kV6 && (e.first >> 32) == kMappedPrefix && (e.last >> 32) == kMappedPrefix;
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting. Exact-size heap buffers, so that a write past kMaxIpv4Text / kMaxIpv6Text is an ASan report.

std::string format_v4(std::uint32_t v) {
  std::vector<char> buf(kMaxIpv4Text);
  const std::size_t n = format_ipv4(v, buf.data());
  FUZZ_CHECK(n >= 7 && n <= kMaxIpv4Text, "format_ipv4 length " + std::to_string(n));
  return std::string(buf.data(), n);
}

std::string format_v6(U128 v) {
  std::vector<char> buf(kMaxIpv6Text);
  const std::size_t n = format_ipv6(v, buf.data());
  FUZZ_CHECK(n >= 2 && n <= kMaxIpv6Text, "format_ipv6 length " + std::to_string(n));
  return std::string(buf.data(), n);
}

std::string format_address(Family f, U128 v) {
  return f == Family::kV4 ? format_v4(static_cast<std::uint32_t>(v)) : format_v6(v);
}

int prefix_length(const IpEntry& e) {
  // last - first is the host mask 2^k - 1 of an aligned block (checked before this is called).
  return address_bits(e.family) - (std::popcount(static_cast<std::uint64_t>(e.last - e.first)) +
                                   std::popcount(static_cast<std::uint64_t>((e.last - e.first) >> 64)));
}

// The canonical text of a normalized entry: netmask entries are written as prefixes.
std::string canonical(const IpEntry& e) {
  switch (e.form) {
    case EntryForm::kAddress:
      return format_address(e.family, e.first);
    case EntryForm::kPrefix:
    case EntryForm::kNetmask:
      return format_address(e.family, e.first) + "/" + std::to_string(prefix_length(e));
    case EntryForm::kRange:
      return format_address(e.family, e.first) + "-" + format_address(e.family, e.last);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------

// (a) for one address text.
void check_address(std::string_view text) {
  const auto ours = parse_ip_address(text);
  const auto ref = ref_address(text);
  FUZZ_CHECK(ours.has_value() == ref.has_value(),
             "parse_ip_address \"" + escape_all(text) + "\" " + (ours ? "accepted" : "rejected") + ", inet_pton " +
                 (ref ? "accepted" : "rejected") +
                 (ours ? " (ours: " + to_string(*ours) + ")" : " (ours: " + ours.error().message + ")"));
  if (!ours) {
    check_message(ours.error().message);
    return;
  }
  FUZZ_CHECK(ours->family == ref->family && ours->value == ref->value,
             "parse_ip_address \"" + escape_all(text) + "\" = " + family_text(ours->family) + " " +
                 hex128(ours->value) + ", inet_pton = " + family_text(ref->family) + " " + hex128(ref->value));
  if (ours->family == Family::kV4) {
    FUZZ_CHECK(ours->value <= 0xffffffffU, "IPv4 value above 32 bits: " + hex128(ours->value));
    const auto v4 = parse_ipv4(text);
    FUZZ_CHECK(v4 && *v4 == ours->value, std::string("parse_ipv4 disagrees with parse_ip_address"));
  } else {
    const auto v6 = parse_ipv6(text);
    FUZZ_CHECK(v6 && *v6 == ours->value, std::string("parse_ipv6 disagrees with parse_ip_address"));
  }
}

// (b), (c), (d) for an accepted entry.
void check_entry(std::string_view token, const IpEntry& e) {
  const int bits = address_bits(e.family);
  FUZZ_CHECK(e.first <= e.last, "first > last: " + describe(e));
  if (e.family == Family::kV4) FUZZ_CHECK(e.last <= 0xffffffffU, "IPv4 entry above 32 bits: " + describe(e));
  if (e.form == EntryForm::kAddress) FUZZ_CHECK(e.first == e.last, "address entry with a range: " + describe(e));
  if (e.form == EntryForm::kPrefix || e.form == EntryForm::kNetmask) {
    const U128 host_mask = e.last - e.first;
    FUZZ_CHECK((host_mask & (host_mask + 1)) == 0, "prefix block size is not a power of two: " + describe(e));
    FUZZ_CHECK((e.first & host_mask) == 0, "prefix network not aligned: " + describe(e));
    FUZZ_CHECK(prefix_length(e) >= 0 && prefix_length(e) <= bits, "prefix length out of range: " + describe(e));
  } else {
    FUZZ_CHECK(!e.host_bits_cleared, "host_bits_cleared on a non-prefix entry: " + describe(e));
  }

  const std::string note = describe_normalization(e, token);
  FUZZ_CHECK(note.empty() == !(e.host_bits_cleared || e.v4_mapped), "describe_normalization: \"" + note + "\"");
  if (!note.empty()) check_message(note);

  // (c) round trip through the canonical text.
  const std::string text = canonical(e);
  const auto again = parse_ip_entry(text);
  FUZZ_CHECK(again.has_value(), "canonical text \"" + text + "\" of " + describe(e) +
                                    " is rejected: " + (again ? std::string() : again.error().message));
  IpEntry expected = e;
  expected.host_bits_cleared = false;
  if (expected.form == EntryForm::kNetmask) expected.form = EntryForm::kPrefix;
  FUZZ_CHECK(*again == expected,
             "canonical text \"" + text + "\" parses to " + describe(*again) + ", expected " + describe(expected));

  // The netmask spelling of an IPv4 prefix is the same entry too.
  if (e.family == Family::kV4 && e.form != EntryForm::kRange && e.form != EntryForm::kAddress) {
    const auto mask = static_cast<std::uint32_t>(~static_cast<std::uint32_t>(e.last - e.first));
    const std::string masked = format_v4(static_cast<std::uint32_t>(e.first)) + "/" + format_v4(mask);
    const auto m = parse_ip_entry(masked);
    IpEntry expected_mask = expected;
    expected_mask.form = EntryForm::kNetmask;
    FUZZ_CHECK(m && *m == expected_mask,
               "netmask text \"" + masked + "\" does not parse to " + describe(expected_mask));
  }

  // (d) the canonical text is a fixed point.
  const std::string text2 = canonical(*again);
  FUZZ_CHECK(text2 == text, "canonical text not stable: \"" + text + "\" -> \"" + text2 + "\"");
}

// (e) formatting of arbitrary values, against parse and glibc inet_ntop.
void check_format(const std::uint8_t* data, std::size_t size) {
  U128 v = 0;
  for (std::size_t i = 0; i < 16; ++i) v = (v << 8) | (i < size ? data[i] : 0U);

  const std::string s6 = format_v6(v);
  const auto p6 = parse_ipv6(s6);
  FUZZ_CHECK(p6 && *p6 == v, "format_ipv6(" + hex128(v) + ") = \"" + s6 + "\" does not parse back");
  in6_addr a6{};
  for (std::size_t i = 0; i < 16; ++i) a6.s6_addr[i] = static_cast<std::uint8_t>(v >> (120 - 8 * i));
  char glibc6[INET6_ADDRSTRLEN] = {};
  FUZZ_CHECK(inet_ntop(AF_INET6, &a6, glibc6, sizeof glibc6) != nullptr, std::string("inet_ntop(AF_INET6) failed"));
  // Documented difference: for ::/96 outside ::/112 (IPv4-compatible addresses, deprecated by RFC 4291 2.5.5.1)
  // glibc writes the low 32 bits dotted ("::1.2.3.4"); RFC 5952 section 5 asks for mixed notation only where the
  // address is known to embed IPv4, and ours keeps hex ("::102:304"). Everything else matches glibc exactly.
  const bool v4_compatible = (v >> 32) == 0 && (v >> 16) != 0;
  const std::string expected6 = v4_compatible ? "::" + format_v4(static_cast<std::uint32_t>(v)) : std::string(glibc6);
  if (v4_compatible) {
    FUZZ_CHECK(expected6 == glibc6, "glibc no longer writes IPv4-compatible addresses dotted: \"" +
                                        std::string(glibc6) + "\"; update this target");
  } else {
    FUZZ_CHECK(s6 == expected6, "format_ipv6(" + hex128(v) + ") = \"" + s6 + "\", inet_ntop = \"" + expected6 + "\"");
  }

  const auto v4 = static_cast<std::uint32_t>(v);
  const std::string s4 = format_v4(v4);
  const auto p4 = parse_ipv4(s4);
  FUZZ_CHECK(p4 && *p4 == v4, "format_ipv4(" + std::to_string(v4) + ") = \"" + s4 + "\" does not parse back");
  in_addr a4{};
  a4.s_addr = htonl(v4);
  char glibc4[INET_ADDRSTRLEN] = {};
  FUZZ_CHECK(inet_ntop(AF_INET, &a4, glibc4, sizeof glibc4) != nullptr, std::string("inet_ntop(AF_INET) failed"));
  FUZZ_CHECK(s4 == glibc4, "format_ipv4 = \"" + s4 + "\", inet_ntop = \"" + std::string(glibc4) + "\"");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = token;

  // (a) addresses: the whole token when it has neither '/' nor '-', else the parts of a prefix or range.
  if (token.find_first_of("/-") == std::string_view::npos) {
    check_address(token);
  } else {
    const auto sep = token.find_first_of("/-");
    check_address(token.substr(0, sep));
    check_address(token.substr(sep + 1));
  }

  // (a) entries against the reference grammar, then (b)-(d).
  const auto ours = parse_ip_entry(token);
  const auto ref = ref_entry(token);
  FUZZ_CHECK(ours.has_value() == ref.has_value(),
             std::string("parse_ip_entry ") +
                 (ours ? "accepted " + describe(*ours) : "rejected: " + ours.error().message) + "; reference " +
                 (ref ? "accepted " + describe(*ref) : "rejected"));
  if (ours) {
    FUZZ_CHECK(*ours == *ref, "parse_ip_entry = " + describe(*ours) + ", reference = " + describe(*ref));
    check_entry(token, *ours);
  } else {
    check_message(ours.error().message);
  }

  // (g)
  if (const auto plain = parse_plain_ip_entry(token)) {
    FUZZ_CHECK(ours.has_value() && *plain == *ours,
               "parse_plain_ip_entry = " + describe(*plain) + ", parse_ip_entry " +
                   (ours ? "= " + describe(*ours) : "rejected: " + ours.error().message));
  }
  if (ours && (ours->form == EntryForm::kPrefix || ours->form == EntryForm::kAddress) && !ours->v4_mapped) {
    // The canonical text of an accepted prefix or address is a plain form.
    std::array<char, kMaxIpv6Text> buf{};
    std::string text = ours->family == Family::kV4
                           ? std::string(buf.data(), format_ipv4(static_cast<std::uint32_t>(ours->first), buf.data()))
                           : std::string(buf.data(), format_ipv6(ours->first, buf.data()));
    if (ours->form == EntryForm::kPrefix) {
      int host = 0;  // last - first is 2^host - 1
      const U128 span = ours->last - ours->first;
      while (host < address_bits(ours->family) && ((span >> host) & 1) != 0) ++host;
      text += "/" + std::to_string(address_bits(ours->family) - host);
    }
    const auto again = parse_plain_ip_entry(text);
    auto expected = *ours;
    expected.host_bits_cleared = false;
    FUZZ_CHECK(again.has_value() && *again == expected, "parse_plain_ip_entry(\"" + text + "\") " +
                                                            (again ? "= " + describe(*again) : "refused") +
                                                            ", expected " + describe(expected));
  }

  check_format(data, size);
  return 0;
}
