// libFuzzer target: the nginx allow/deny/set_real_ip_from parser (daemon/firewall/nginx_conf.h).
//
// Checked on every input (allowlist_check.h): errors are kParse or kUnsupported with a printable "SOURCE:LINE: "
// message; readings have printable warnings, origins within the file, exclusions and the allowed set inside the
// listed entries, domains that parse back to themselves. No CRLF variant is compared: quoted strings and
// escapes may span lines, so a '\r' can become part of a word.
#include "allowlist_check.h"
#include "firewall/nginx_conf.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace allowdrift;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::g_input = text;
  fuzz::check_reading(firewall::parse_nginx_conf(text, fuzz::kSource), text);
  return 0;
}
