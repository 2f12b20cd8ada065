#include "firewall/plain_file.h"

#include "feeds/plain_list.h"

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_plain_file(std::string_view text, std::string_view source) {
  feeds::PlainListOptions options;
  options.keep_origins = true;
  auto list = feeds::parse_plain_list(text, options);
  const std::string where(source);
  if (!list.ok()) {
    std::string message = where + ":" + std::to_string(list.errors.front().line) + ": " + list.errors.front().message;
    if (list.error_count > 1) message += " (and " + std::to_string(list.error_count - 1) + " more errors)";
    return ReadError{ReadErrorKind::kParse, std::move(message)};
  }
  Allowlist out;
  out.ips.reserve(list.ip_origins.size());
  for (auto& o : list.ip_origins) out.ips.push_back({o.entry, where + ":" + std::to_string(o.line)});
  for (auto& o : list.domain_origins)
    out.domains.push_back({std::move(o.pattern), where + ":" + std::to_string(o.line)});
  for (const auto& w : list.warnings) out.warnings.push_back(where + ":" + std::to_string(w.line) + ": " + w.message);
  return out;
}

}  // namespace allowdrift::firewall
