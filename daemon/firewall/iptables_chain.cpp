#include "firewall/iptables_chain.h"

#include "firewall/ip_intervals.h"

#include <algorithm>
#include <unordered_map>

namespace allowdrift::firewall {
namespace {

// Jumps are followed to this depth; iptables itself refuses loops, and real rule sets nest a few levels.
constexpr int kMaxJumpDepth = 32;
// Rule visits over all followed jumps: a chain jumped to from many rules is walked once per jump.
constexpr std::size_t kMaxRuleVisits = 4'000'000;
constexpr std::size_t kMaxListedLines = 10;

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out.empty() ? "none" : out;
}

std::string line_list(const std::vector<std::size_t>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < kMaxListedLines; ++i) {
    out += (i == 0 ? "" : ", ") + std::to_string(lines[i]);
  }
  if (lines.size() > kMaxListedLines) out += ", ...";
  return out;
}

class ChainWalker {
 public:
  ChainWalker(const IptablesTable& table, std::string_view source) : table_(table), source_(source) {
    for (const auto& c : table.chains) chains_.emplace(c.name, &c);
  }

  ReadResult<ChainReading> run(const IptablesChain& chain) {
    walk(chain, std::nullopt, "", 0);
    if (visits_ > kMaxRuleVisits) {
      return ReadError{ReadErrorKind::kUnsupported, std::string(source_) + ": " + table_.name + "/" + chain.name +
                                                        ": its jumps reach more than " +
                                                        std::to_string(kMaxRuleVisits) + " rules; not read"};
    }
    for (const auto& s : summaries_) {
      const std::string name = std::string(source_) + ": " + table_.name + "/" + s.chain;
      if (!s.any.empty()) {
        out_.list.warnings.push_back(name + ": " + std::to_string(s.any.size()) +
                                     " ACCEPT rules match no source address (lines " + line_list(s.any) +
                                     "): they accept from any address, narrowed only by ports, interfaces or state, "
                                     "and are not listed as allowlist entries");
      }
      if (!s.destination.empty()) {
        out_.list.warnings.push_back(name + ": " + std::to_string(s.destination.size()) +
                                     " ACCEPT rules match only a destination address (lines " +
                                     line_list(s.destination) +
                                     "): this reader lists the source addresses a chain accepts; destinations are "
                                     "not read");
      }
    }
    return std::move(out_);
  }

 private:
  struct Summary {
    std::string chain;
    std::vector<std::size_t> any;
    std::vector<std::size_t> destination;
  };

  Summary& summary(const std::string& chain) {
    const auto it =
        std::find_if(summaries_.begin(), summaries_.end(), [&](const Summary& s) { return s.chain == chain; });
    if (it != summaries_.end()) return *it;
    summaries_.push_back({chain, {}, {}});
    return summaries_.back();
  }

  // Whether the chain, or a user chain it jumps to, has an ACCEPT rule. Memoized; a chain on the current path
  // counts as "no" so that loops end.
  bool may_accept(const IptablesChain& chain) {
    const auto known = may_accept_.find(chain.name);
    if (known != may_accept_.end()) return known->second;
    may_accept_[chain.name] = false;
    bool accepts = false;
    for (const auto& rule : chain.rules) {
      if (rule.target == "ACCEPT") {
        accepts = true;
        break;
      }
      const auto it = chains_.find(rule.target);
      if (it != chains_.end() && !it->second->builtin && may_accept(*it->second)) {
        accepts = true;
        break;
      }
    }
    may_accept_[chain.name] = accepts;
    return accepts;
  }

  static void note(std::vector<std::size_t>& lines, std::size_t line) {
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
  }

  void warn(const std::string& where, const std::string& what) { out_.list.warnings.push_back(where + ": " + what); }

  void walk(const IptablesChain& chain, const std::optional<model::IpSet>& within, const std::string& via, int depth) {
    stack_.push_back(chain.name);
    std::size_t number = 0;
    for (const auto& rule : chain.rules) {
      ++number;
      if (++visits_ > kMaxRuleVisits) break;
      const bool accept = rule.target == "ACCEPT";
      const IptablesChain* callee = nullptr;
      if (!accept && !rule.target.empty()) {
        const auto it = chains_.find(rule.target);
        if (it != chains_.end() && !it->second->builtin) callee = it->second;
      }
      if (!accept && callee == nullptr) continue;

      const std::string rule_name = table_.name + "/" + chain.name + " rule " + std::to_string(number);
      const std::string at = std::string(source_) + ":" + std::to_string(rule.line);
      const std::string where = at + ": " + rule_name;
      const std::string origin = rule_name + " (" + at + ")" + via;

      const AddressMatch* set_source = nullptr;
      const AddressMatch* literal_source = nullptr;
      std::size_t literal_count = 0;
      bool has_destination = false;
      bool skip = false;
      std::optional<model::IpSet> sources = within;
      for (const auto& m : rule.matches) {
        if (m.direction == MatchDirection::kDestination) {
          has_destination = has_destination || !m.negated;
          continue;
        }
        if (m.negated) {
          warn(where, "negated source match (" + m.text + ") is not supported; rule skipped");
          skip = true;
          break;
        }
        if (!m.set_name.empty()) {
          if (set_source != nullptr) {
            warn(where, "matches two ipsets (" + set_source->text + ", " + m.text + "); not supported, rule skipped");
            skip = true;
            break;
          }
          if (m.return_nomatch) {
            warn(where, m.text + " with --return-nomatch is not supported; rule skipped");
            skip = true;
            break;
          }
          set_source = &m;
          continue;
        }
        literal_source = &m;
        ++literal_count;
        auto literal = ip_set_of(m.entries);
        sources = sources ? sources->intersect(literal) : std::move(literal);
      }
      if (skip) continue;
      if (sources && sources->empty()) continue;  // source matches that do not overlap: the rule never matches

      if (callee != nullptr) {
        if (!may_accept(*callee)) continue;  // a jump to LOG/REJECT/DROP chains cannot allow anything
        if (set_source != nullptr) {
          warn(where, "jumps to " + callee->name + " only for the sources in an ipset (" + set_source->text +
                          "); not supported, rule skipped");
        } else if (std::find(stack_.begin(), stack_.end(), callee->name) != stack_.end()) {
          warn(where, "jumps back to " + callee->name + ", which is already being read (a loop); rule skipped");
        } else if (depth >= kMaxJumpDepth) {
          warn(where, "jumps nest deeper than " + std::to_string(kMaxJumpDepth) + " chains; rule skipped");
        } else {
          walk(*callee, sources, " via " + rule_name + " (" + at + ")" + via, depth + 1);
        }
        continue;
      }
      if (set_source != nullptr) {
        out_.set_uses.push_back({set_source->set_name, origin, where, std::move(sources)});
      } else if (!sources) {
        note(has_destination ? summary(chain.name).destination : summary(chain.name).any, rule.line);
      } else if (!within && literal_count == 1) {
        for (const auto& e : literal_source->entries) out_.list.ips.push_back({e, origin});
      } else {
        for (const auto& e : entries_of(*sources)) out_.list.ips.push_back({e, origin});
      }
    }
    stack_.pop_back();
  }

  const IptablesTable& table_;
  std::string_view source_;
  std::unordered_map<std::string_view, const IptablesChain*> chains_;
  std::vector<std::string_view> stack_;
  std::vector<Summary> summaries_;
  std::size_t visits_ = 0;
  std::unordered_map<std::string_view, bool> may_accept_;
  ChainReading out_;
};

}  // namespace

ReadResult<ChainReading> read_iptables_chain(const IptablesDump& dump, std::string_view table, std::string_view chain,
                                             std::string_view source) {
  const std::string src(source);
  const auto& incompatible = dump.incompatible_tables;
  if (std::find(incompatible.begin(), incompatible.end(), table) != incompatible.end()) {
    return ReadError{ReadErrorKind::kUnsupported,
                     src + ": iptables-nft reports table " + std::string(table) +
                         " as incompatible (\"use 'nft' tool\"): it holds nftables rules iptables cannot show. Read "
                         "the chain with an nft-chain: target instead (nft-chain:ip/" +
                         std::string(table) + "/" + std::string(chain) + ", or ip6/... for ip6tables)"};
  }
  const IptablesTable* t = dump.find(table);
  if (t == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& x : dump.tables) names.push_back(x.name);
    std::string message = src + ": no table " + std::string(table) + " (tables present: " + join(names);
    if (!incompatible.empty()) {
      std::vector<std::string_view> inc(incompatible.begin(), incompatible.end());
      message += "; reported incompatible by iptables-nft: " + join(inc);
    }
    return ReadError{ReadErrorKind::kNotFound, message + ")"};
  }
  const IptablesChain* c = t->find(chain);
  if (c == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& x : t->chains) names.push_back(x.name);
    return ReadError{ReadErrorKind::kNotFound, src + ": table " + t->name + " has no chain " + std::string(chain) +
                                                   " (chains: " + join(names) + ")"};
  }
  auto reading = ChainWalker(*t, source).run(*c);
  if (!reading) return reading;
  auto& warnings = reading->list.warnings;
  if (c->builtin && c->policy == "ACCEPT") {
    warnings.insert(warnings.begin(),
                    src + ": " + t->name + "/" + c->name +
                        " has policy ACCEPT: packets that no rule drops are accepted from any address");
  }
  if (dump.legacy_warning_line != 0) {
    warnings.insert(warnings.begin(), legacy_tables_warning(src + ":" + std::to_string(dump.legacy_warning_line)));
  }
  return reading;
}

std::string legacy_tables_warning(std::string_view where) {
  return std::string(where) +
         ": iptables-legacy tables are present beside the nf_tables ones; their rules see every packet too and are "
         "not read here (iptables-legacy-save or ip6tables-legacy-save shows them)";
}

void add_set_use(Allowlist& into, const SetUse& use, const Allowlist& set) {
  if (set.excluded.empty() && !use.within) {
    for (const auto& ip : set.ips) into.ips.push_back({ip.entry, ip.origin + " via " + use.origin});
  } else {
    auto members = set.ip_set();
    if (use.within) members = members.intersect(*use.within);
    for (const auto& e : entries_of(members)) into.ips.push_back({e, "set " + use.set_name + " via " + use.origin});
  }
  for (const auto& w : set.warnings) {
    if (std::find(into.warnings.begin(), into.warnings.end(), w) == into.warnings.end()) into.warnings.push_back(w);
  }
}

void report_unresolved_sets(ChainReading& reading) {
  for (const auto& use : reading.set_uses) {
    reading.list.warnings.push_back(use.where + ": accepts the sources in ipset '" + use.set_name +
                                    "', whose members a saved rules file does not hold; read them with ipset:" +
                                    use.set_name + " or ipset-save:FILE#" + use.set_name);
  }
  reading.set_uses.clear();
}

ReadResult<Allowlist> parse_iptables_save_chain(std::string_view text, std::string_view source, std::string_view table,
                                                std::string_view chain) {
  auto dump = parse_iptables_save(text, source);
  if (!dump) return dump.error();
  auto reading = read_iptables_chain(*dump, table, chain, source);
  if (!reading) return reading.error();
  report_unresolved_sets(*reading);
  return std::move(reading->list);
}

}  // namespace allowdrift::firewall
