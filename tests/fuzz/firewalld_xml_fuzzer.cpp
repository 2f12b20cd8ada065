// libFuzzer target: the firewalld zone and ipset XML parsers (daemon/firewall/firewalld_xml.h), both on each input.
//
// Checked on every input (allowlist_check.h): errors are kParse or kUnsupported with a printable "SOURCE:LINE: "
// message; readings have printable warnings, origins within the file, exclusions and the allowed set inside the
// listed entries, domains that parse back to themselves; and the input with CRLF line ends reads exactly like it.
#include "allowlist_check.h"
#include "firewall/firewalld_xml.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace allowdrift;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::g_input = text;
  const auto zone = firewall::parse_firewalld_zone(text, fuzz::kSource);
  fuzz::check_reading(zone, text);
  const auto ipset = firewall::parse_firewalld_ipset(text, fuzz::kSource);
  fuzz::check_reading(ipset, text);
  if (const auto crlf = fuzz::crlf_variant(text); !crlf.empty()) {
    fuzz::same_reading(zone, firewall::parse_firewalld_zone(crlf, fuzz::kSource), "CRLF line ends (zone)");
    fuzz::same_reading(ipset, firewall::parse_firewalld_ipset(crlf, fuzz::kSource), "CRLF line ends (ipset)");
  }
  return 0;
}
