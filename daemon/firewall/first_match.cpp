#include "firewall/first_match.h"

#include "firewall/config_text.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <queue>
#include <utility>

namespace allowdrift::firewall {
namespace {

using model::U128;

struct Span {
  U128 first = 0;
  U128 last = 0;
  std::size_t rule = 0;
};

struct Piece {
  U128 first = 0;
  U128 last = 0;
  std::size_t rule = 0;
};

// For one family: the stretches where the first matching rule does not allow but some later rule would, each with
// that first rule. A sweep over the interval boundaries with a min-heap of the active rules.
std::vector<Piece> shadowed(std::vector<Span> spans, const std::vector<OrderedRule>& rules, U128 family_max) {
  std::vector<U128> bounds;
  std::vector<U128> allow_firsts;
  std::vector<U128> allow_lasts;
  for (const auto& s : spans) {
    bounds.push_back(s.first);
    if (s.last != family_max) bounds.push_back(s.last + 1);
    if (rules[s.rule].allow) {
      allow_firsts.push_back(s.first);
      allow_lasts.push_back(s.last);
    }
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::sort(allow_firsts.begin(), allow_firsts.end());
  std::sort(allow_lasts.begin(), allow_lasts.end());
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.first < b.first; });

  const auto later = [](const Span& a, const Span& b) { return a.rule > b.rule; };
  std::priority_queue<Span, std::vector<Span>, decltype(later)> active(later);
  std::size_t next_span = 0;
  std::size_t started = 0;  // allowing spans with first <= b
  std::size_t ended = 0;    // allowing spans with last < b
  std::vector<Piece> pieces;
  for (std::size_t k = 0; k < bounds.size(); ++k) {
    const U128 b = bounds[k];
    const U128 end = k + 1 < bounds.size() ? bounds[k + 1] - 1 : family_max;
    while (next_span < spans.size() && spans[next_span].first <= b) active.push(spans[next_span++]);
    while (started < allow_firsts.size() && allow_firsts[started] <= b) ++started;
    while (ended < allow_lasts.size() && allow_lasts[ended] < b) ++ended;
    while (!active.empty() && active.top().last < b) active.pop();
    if (active.empty() || rules[active.top().rule].allow || started == ended) continue;
    const std::size_t rule = active.top().rule;
    if (!pieces.empty() && pieces.back().rule == rule && pieces.back().last + 1 == b) {
      pieces.back().last = end;
    } else {
      pieces.push_back({b, end, rule});
    }
  }
  return pieces;
}

}  // namespace

void add_first_match(const std::vector<OrderedRule>& rules, Allowlist& out, std::string_view why) {
  bool any_deny = false;
  for (const auto& rule : rules) {
    if (rule.allow) {
      for (const auto& e : rule.match) out.ips.push_back({e, rule.origin});
    } else {
      any_deny = any_deny || !rule.match.empty();
    }
  }
  if (!any_deny) return;

  std::vector<Span> v4;
  std::vector<Span> v6;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    for (const auto& e : rules[i].match) (e.family == model::Family::kV4 ? v4 : v6).push_back({e.first, e.last, i});
  }
  // Per overriding rule, in rule order: the address set it takes away from later allowing rules.
  std::map<std::size_t, model::IpSetBuilder> taken;
  const auto collect = [&](std::vector<Span> spans, model::Family family) {
    const U128 max = whole_family(family).last;
    for (const Piece& p : shadowed(std::move(spans), rules, max)) {
      model::IpEntry e;
      e.family = family;
      e.first = p.first;
      e.last = p.last;
      e.form = model::EntryForm::kRange;
      taken[p.rule].add(e);
    }
  };
  collect(std::move(v4), model::Family::kV4);
  collect(std::move(v6), model::Family::kV6);
  for (auto& [index, builder] : taken) {
    const model::IpSet set = std::move(builder).build();
    for (const auto& e : entries_from_set(set)) out.excluded.push_back({e, rules[index].origin});
    out.warnings.push_back(rules[index].origin + ": " + model::quote_token(rules[index].text) +
                           " comes first and takes precedence over a later allow for " + describe_set(set) + " (" +
                           std::string(why) + "); excluded from the allowlist");
  }
}

}  // namespace allowdrift::firewall
