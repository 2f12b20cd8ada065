// libFuzzer target: the Postfix mynetworks file parser (daemon/firewall/postfix_tables.h).
//
// Checked on every input (allowlist_check.h): errors are kParse or kUnsupported with a printable "SOURCE:LINE: "
// message; readings have printable warnings, origins within the file, exclusions and the allowed set inside the
// listed entries, domains that parse back to themselves; and the input with CRLF line ends reads exactly like it.
#include "allowlist_check.h"
#include "firewall/postfix_tables.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace allowdrift;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::g_input = text;
  const auto r = firewall::parse_mynetworks(text, fuzz::kSource);
  fuzz::check_reading(r, text);
  if (const auto crlf = fuzz::crlf_variant(text); !crlf.empty()) {
    fuzz::same_reading(r, firewall::parse_mynetworks(crlf, fuzz::kSource), "CRLF line ends");
  }
  return 0;
}
