// A set of domain patterns with the coverage rules of domain_pattern.h:
//   an exact name n is covered by the same exact name, or by "*.d" for any d that n lies strictly below;
//   a wildcard "*.d" is covered by "*.d" or by "*.p" for any p that d lies strictly below; never by exact
//   names, which can only ever cover finitely many of the names the wildcard allows.
// Taken as sets of names, these rules are exact: a pattern is covered iff every name it matches is matched by
// some pattern of the set.
#pragma once

#include "model/domain_pattern.h"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace allowdrift::model {

class DomainSet {
 public:
  void add(const DomainPattern& pattern);

  bool covers(const DomainPattern& pattern) const;
  bool empty() const { return exact_.empty() && wildcard_.empty(); }
  std::size_t size() const { return exact_.size() + wildcard_.size(); }

  // Patterns of this set not covered by `other`, in domain_order.
  std::vector<DomainPattern> difference(const DomainSet& other) const;
  // Every pattern, in domain_order.
  std::vector<DomainPattern> patterns() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameSet = std::unordered_set<std::string, Hash, std::equal_to<>>;

  // True when some strict parent domain of `name` has a wildcard here.
  bool parent_wildcard(std::string_view name) const;

  NameSet exact_;
  NameSet wildcard_;  // bases of "*." patterns
};

}  // namespace allowdrift::model
