#include "feeds/extracted_list.h"

#include "feeds/entry_token.h"

namespace allowdrift::feeds {

std::size_t ExtractedList::total_ip_entries() const {
  std::size_t n = 0;
  for (const auto& s : sections) n += s.ip_entries;
  return n;
}

std::size_t ExtractedList::total_domain_entries() const {
  std::size_t n = 0;
  for (const auto& s : sections) n += s.domain_entries;
  return n;
}

void SectionBuilder::add_ip(const model::IpEntry& e, std::string_view token, ExtractedList& list) {
  if ((e.host_bits_cleared || e.v4_mapped) && list.warnings.size() < kMaxKeptDiagnostics)
    list.warnings.push_back(model::describe_normalization(e, token));
  ips_.add(e);
  ++ip_entries_;
}

bool SectionBuilder::add(std::string_view token, ExtractedList& list) {
  // Most tokens of a large feed are plain addresses and prefixes: read them without the general grammar's variant
  // (parse_entry_token would read them the same way).
  if (const auto plain = model::parse_plain_ip_entry(token)) {
    add_ip(*plain, token, list);
    return true;
  }
  auto parsed = parse_entry_token(token);
  if (auto* e = std::get_if<model::IpEntry>(&parsed)) {
    add_ip(*e, token, list);
    return true;
  }
  if (auto* d = std::get_if<model::DomainPattern>(&parsed)) {
    domains_.add(*d);
    ++domain_entries_;
    return true;
  }
  ++list.rejected_tokens;
  if (list.rejected_samples.size() < kMaxKeptDiagnostics)
    list.rejected_samples.push_back(std::get<model::ParseError>(parsed).message);
  return false;
}

ExtractedSection SectionBuilder::build() && {
  ExtractedSection s;
  s.name = std::move(name_);
  s.ips = std::move(ips_).build();
  s.domains = domains_.patterns();
  s.ip_entries = ip_entries_;
  s.domain_entries = domain_entries_;
  return s;
}

}  // namespace allowdrift::feeds
