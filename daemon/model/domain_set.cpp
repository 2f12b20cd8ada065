#include "model/domain_set.h"

#include <algorithm>

namespace allowdrift::model {

void DomainSet::add(const DomainPattern& pattern) { (pattern.wildcard ? wildcard_ : exact_).insert(pattern.name); }

bool DomainSet::parent_wildcard(std::string_view name) const {
  for (auto dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.')) {
    name.remove_prefix(dot + 1);
    if (wildcard_.contains(name)) return true;
  }
  return false;
}

bool DomainSet::covers(const DomainPattern& pattern) const {
  if (pattern.wildcard) return wildcard_.contains(pattern.name) || parent_wildcard(pattern.name);
  // "*.d" covers every name strictly below d: check each proper suffix of the name.
  return exact_.contains(pattern.name) || parent_wildcard(pattern.name);
}

std::vector<DomainPattern> DomainSet::difference(const DomainSet& other) const {
  std::vector<DomainPattern> out;
  for (const auto& name : exact_) {
    DomainPattern p{name, false};
    if (!other.covers(p)) out.push_back(std::move(p));
  }
  for (const auto& name : wildcard_) {
    DomainPattern p{name, true};
    if (!other.covers(p)) out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), domain_order);
  return out;
}

std::vector<DomainPattern> DomainSet::patterns() const {
  std::vector<DomainPattern> out;
  out.reserve(size());
  for (const auto& name : exact_) out.push_back({name, false});
  for (const auto& name : wildcard_) out.push_back({name, true});
  std::sort(out.begin(), out.end(), domain_order);
  return out;
}

}  // namespace allowdrift::model
