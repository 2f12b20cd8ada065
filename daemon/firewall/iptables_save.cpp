#include "firewall/iptables_save.h"

#include "firewall/iptables_rule.h"
#include "model/ip_address.h"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>

namespace allowdrift::firewall {
namespace {

using detail::Token;
using model::quote_token;

constexpr std::array<std::pair<std::string_view, std::array<std::string_view, 5>>, 5> kBuiltins = {{
    {"filter", {"INPUT", "FORWARD", "OUTPUT"}},
    {"nat", {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}},
    {"mangle", {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}},
    {"raw", {"PREROUTING", "OUTPUT"}},
    {"security", {"INPUT", "FORWARD", "OUTPUT"}},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "[packets:bytes]"
bool is_counters(std::string_view s) {
  if (s.size() < 5 || s.front() != '[' || s.back() != ']') return false;
  s = s.substr(1, s.size() - 2);
  const auto colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == ':'; }) &&
         s.find(':', colon + 1) == std::string_view::npos;
}

// A table being read: its chains and an index from name to position.
struct OpenTable {
  IptablesTable table;
  std::unordered_map<std::string, std::size_t> index;

  IptablesChain* find(const std::string& name) {
    const auto it = index.find(name);
    return it == index.end() ? nullptr : &table.chains[it->second];
  }
  IptablesChain& add(IptablesChain chain) {
    index.emplace(chain.name, table.chains.size());
    table.chains.push_back(std::move(chain));
    return table.chains.back();
  }
};

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  ReadResult<IptablesDump> run(std::string_view text) {
    while (!text.empty()) {
      const auto newline = text.find('\n');
      const auto raw = text.substr(0, newline);
      text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
      ++line_;
      if (auto e = parse_line(trim(raw))) return ReadError{ReadErrorKind::kParse, where() + *e};
    }
    if (open_) {
      return ReadError{ReadErrorKind::kParse, std::string(source_) + ":" + std::to_string(open_->table.line) +
                                                  ": table " + open_->table.name +
                                                  " is never committed (expected a COMMIT line before the end)"};
    }
    for (const auto& table : dump_.tables) {
      for (const auto& chain : table.chains) dump_.rule_count += chain.rules.size();
    }
    return std::move(dump_);
  }

 private:
  std::string where() const { return std::string(source_) + ":" + std::to_string(line_) + ": "; }

  std::optional<std::string> parse_line(std::string_view line) {
    if (line.empty()) return std::nullopt;
    if (line.front() == '#') {
      comment(line);
      return std::nullopt;
    }
    if (line.front() == '*') return open_table(trim(line.substr(1)));
    if (line == "COMMIT") return commit();
    if (!open_) return "found " + quote_token(line) + " outside a table (expected *TABLE, such as *filter)";
    if (line.front() == ':') return declare_chain(line.substr(1));
    if (auto e = detail::tokenize_iptables_line(line, tokens_)) return e;
    return command();
  }

  // iptables-nft writes two comments about the ruleset itself ("# Warning: iptables-legacy tables present, ..."
  // or ip6tables-legacy, and "# Table `filter' is incompatible, use 'nft' tool."); every other comment is skipped.
  void comment(std::string_view line) {
    if (line.starts_with("# Warning: ") && line.find("tables-legacy tables present") != std::string_view::npos) {
      if (dump_.legacy_warning_line == 0) dump_.legacy_warning_line = line_;
      return;
    }
    constexpr std::string_view kTable = "# Table `";
    if (!line.starts_with(kTable) || line.find("is incompatible, use 'nft' tool") == std::string_view::npos) return;
    const auto close = line.find('\'', kTable.size());
    if (close != std::string_view::npos && close > kTable.size()) {
      dump_.incompatible_tables.emplace_back(line.substr(kTable.size(), close - kTable.size()));
    }
  }

  std::optional<std::string> open_table(std::string_view name) {
    if (open_) {
      return quote_token("*" + std::string(name)) + " while table " + open_->table.name + " (line " +
             std::to_string(open_->table.line) + ") is not committed (expected COMMIT first)";
    }
    const auto builtins = builtin_chains(name);
    if (builtins.empty()) {
      return "unknown table " + quote_token(name) + " (expected filter, nat, mangle, raw or security)";
    }
    open_.emplace();
    open_->table.name = name;
    open_->table.line = line_;
    for (const auto chain : builtins) open_->add({std::string(chain), "ACCEPT", true, 0, {}});
    return std::nullopt;
  }

  std::optional<std::string> commit() {
    if (!open_) return std::string("COMMIT outside a table");
    // A later block of the same table replaces the earlier one, as iptables-restore flushes it.
    auto& tables = dump_.tables;
    const auto same =
        std::find_if(tables.begin(), tables.end(), [&](const IptablesTable& t) { return t.name == open_->table.name; });
    if (same != tables.end()) {
      *same = std::move(open_->table);
    } else {
      tables.push_back(std::move(open_->table));
    }
    open_.reset();
    return std::nullopt;
  }

  // ":NAME POLICY [packets:bytes]"
  std::optional<std::string> declare_chain(std::string_view rest) {
    if (auto e = detail::tokenize_iptables_line(rest, tokens_)) return e;
    if (tokens_.size() < 2 || tokens_.size() > 3 || (tokens_.size() == 3 && !is_counters(tokens_[2].text))) {
      return "chain declaration " + quote_token(rest) + ": expected :NAME POLICY [packets:bytes]";
    }
    const std::string& name = tokens_[0].text;
    const std::string& policy = tokens_[1].text;
    if (!detail::valid_chain_name(name)) return "invalid chain name " + quote_token(name);
    IptablesChain* chain = open_->find(name);
    if (chain != nullptr && chain->builtin) {
      if (policy != "ACCEPT" && policy != "DROP") {
        return "built-in chain " + name + " with policy " + quote_token(policy) + " (expected ACCEPT or DROP)";
      }
      chain->policy = policy;
      if (chain->line == 0) chain->line = line_;
      return std::nullopt;
    }
    if (policy != "-") return "user chain " + name + " with policy " + quote_token(policy) + " (expected '-')";
    if (chain == nullptr) open_->add({name, policy, false, line_, {}});
    return std::nullopt;
  }

  // [packets:bytes] -A CHAIN ... | -I CHAIN [N] ... | -N CHAIN
  std::optional<std::string> command() {
    std::span<const Token> tokens(tokens_);
    if (!tokens.empty() && !tokens[0].quoted && is_counters(tokens[0].text)) tokens = tokens.subspan(1);
    if (tokens.empty()) return std::string("counters without a rule");
    const std::string& cmd = tokens[0].text;
    const bool append = cmd == "-A" || cmd == "--append";
    const bool insert = cmd == "-I" || cmd == "--insert";
    const bool create = cmd == "-N" || cmd == "--new-chain";
    if (tokens[0].quoted || (!append && !insert && !create)) {
      return "found " + quote_token(cmd) + " (expected -A CHAIN, -I CHAIN or -N CHAIN, a :CHAIN line or COMMIT)";
    }
    if (tokens.size() < 2) return cmd + " without a chain name";
    const std::string& name = tokens[1].text;
    if (!detail::valid_chain_name(name)) return "invalid chain name " + quote_token(name);
    IptablesChain* chain = open_->find(name);
    if (create) {
      if (chain != nullptr) return "-N " + name + ": the chain already exists";
      if (tokens.size() > 2) return "unexpected " + quote_token(tokens[2].text) + " after -N " + name;
      open_->add({name, "-", false, line_, {}});
      return std::nullopt;
    }
    if (chain == nullptr) {
      return cmd + " " + name + ": no such chain in table " + open_->table.name + " (expected a ':" + name +
             " - [0:0]' line before its rules)";
    }
    tokens = tokens.subspan(2);
    std::size_t position = chain->rules.size();
    if (insert) {
      position = 0;
      if (!tokens.empty() && !tokens[0].quoted && !tokens[0].text.empty() && tokens[0].text.size() <= 9 &&
          std::all_of(tokens[0].text.begin(), tokens[0].text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const auto n = std::stoul(tokens[0].text);
        if (n == 0 || n > chain->rules.size() + 1) {
          return "-I " + name + " " + tokens[0].text + ": no such position (the chain has " +
                 std::to_string(chain->rules.size()) + " rules)";
        }
        position = n - 1;
        tokens = tokens.subspan(1);
      }
    }
    IptablesRule rule;
    rule.line = line_;
    if (auto e = detail::parse_rule_options(tokens, rule)) return e;
    if (auto e = check_family(rule)) return e;
    chain->rules.insert(chain->rules.begin() + static_cast<std::ptrdiff_t>(position), std::move(rule));
    return std::nullopt;
  }

  // iptables-save and ip6tables-save output never mix families; a file that does is two files pasted together.
  std::optional<std::string> check_family(const IptablesRule& rule) {
    for (const auto& m : rule.matches) {
      for (const auto& e : m.entries) {
        if (!family_) {
          family_ = e.family;
          family_line_ = line_;
        } else if (*family_ != e.family) {
          return m.text + ": an " + std::string(model::family_name(e.family)) + " address, but line " +
                 std::to_string(family_line_) + " has " + std::string(model::family_name(*family_)) +
                 " ones (iptables-save and ip6tables-save output are separate files)";
        }
      }
    }
    return std::nullopt;
  }

  std::string_view source_;
  std::size_t line_ = 0;
  std::vector<Token> tokens_;
  std::optional<OpenTable> open_;
  std::optional<model::Family> family_;
  std::size_t family_line_ = 0;
  IptablesDump dump_;
};

}  // namespace

const IptablesChain* IptablesTable::find(std::string_view chain) const {
  const auto it = std::find_if(chains.begin(), chains.end(), [&](const IptablesChain& c) { return c.name == chain; });
  return it == chains.end() ? nullptr : &*it;
}

const IptablesTable* IptablesDump::find(std::string_view table) const {
  const auto it = std::find_if(tables.begin(), tables.end(), [&](const IptablesTable& t) { return t.name == table; });
  return it == tables.end() ? nullptr : &*it;
}

std::vector<std::string_view> builtin_chains(std::string_view table) {
  for (const auto& [name, chains] : kBuiltins) {
    if (name != table) continue;
    std::vector<std::string_view> out;
    for (const auto chain : chains) {
      if (!chain.empty()) out.push_back(chain);
    }
    return out;
  }
  return {};
}

ReadResult<IptablesDump> parse_iptables_save(std::string_view text, std::string_view source) {
  return Parser(source).run(text);
}

}  // namespace allowdrift::firewall
