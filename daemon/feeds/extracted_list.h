// What a published source yields after parsing: normalized entries per section, plus the metadata the daemon keeps
// with a snapshot. Every format parser (text, JSON selector, HTML) produces this; validation guards
// (list_guards.h) judge it.
#pragma once

#include "model/domain_set.h"
#include "model/ip_set.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::feeds {

struct ExtractedSection {
  std::string name;  // "" for sources without sections; e.g. "sdpondemand.manageengine.com"
  model::IpSet ips;
  std::vector<model::DomainPattern> domains;  // normalized, deduplicated, in domain_order
  std::size_t ip_entries = 0;                 // accepted IP tokens before merging
  std::size_t domain_entries = 0;
};

struct ExtractedList {
  std::vector<ExtractedSection> sections;
  std::optional<std::string> change_token;    // vendor's syncToken, changeNumber, ... when the format has one
  std::vector<std::string> warnings;          // normalizations (host bits cleared, IPv4-mapped), capped
  std::size_t rejected_tokens = 0;            // tokens that failed the strict grammars
  std::vector<std::string> rejected_samples;  // the first few, with the reason
  std::size_t total_ip_entries() const;
  std::size_t total_domain_entries() const;
};

// SectionBuilder keeps the first this many normalization warnings and rejected samples of a list.
inline constexpr std::size_t kMaxKeptDiagnostics = 20;

// Collects tokens into one section, through parse_entry_token.
class SectionBuilder {
 public:
  explicit SectionBuilder(std::string name) : name_(std::move(name)) {}
  // Returns false (and records why in `list`) when the token is not a valid entry.
  bool add(std::string_view token, ExtractedList& list);
  ExtractedSection build() &&;

 private:
  void add_ip(const model::IpEntry& entry, std::string_view token, ExtractedList& list);

  std::string name_;
  model::IpSetBuilder ips_;
  model::DomainSet domains_;
  std::size_t ip_entries_ = 0;
  std::size_t domain_entries_ = 0;
};

}  // namespace allowdrift::feeds
