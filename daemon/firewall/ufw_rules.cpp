#include "firewall/ufw_rules.h"

#include "firewall/iptables_chain.h"
#include "firewall/iptables_save.h"

namespace allowdrift::firewall {

ReadResult<Allowlist> parse_ufw_rules(std::string_view text, std::string_view source) {
  auto dump = parse_iptables_save(text, source);
  if (!dump) return dump.error();
  const IptablesTable* filter = dump->find("filter");
  const char* chain = nullptr;
  if (filter != nullptr) {
    if (filter->find("ufw-user-input") != nullptr) {
      chain = "ufw-user-input";
    } else if (filter->find("ufw6-user-input") != nullptr) {
      chain = "ufw6-user-input";
    }
  }
  if (chain == nullptr) {
    return ReadError{ReadErrorKind::kParse, std::string(source) +
                                                ": not a ufw user.rules or user6.rules file: no *filter table with a "
                                                "ufw-user-input or ufw6-user-input chain"};
  }
  auto reading = read_iptables_chain(*dump, "filter", chain, source);
  if (!reading) return reading.error();
  report_unresolved_sets(*reading);
  return std::move(reading->list);
}

}  // namespace allowdrift::firewall
