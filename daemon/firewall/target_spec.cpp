#include "firewall/target_spec.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace allowdrift::firewall {
namespace {

constexpr std::array<std::pair<std::string_view, TargetKind>, 17> kKinds = {{
    {"nft", TargetKind::kNftSet},
    {"nft-chain", TargetKind::kNftChain},
    {"nft-json", TargetKind::kNftJson},
    {"iptables", TargetKind::kIptables},
    {"ip6tables", TargetKind::kIp6tables},
    {"iptables-save", TargetKind::kIptablesSave},
    {"ipset", TargetKind::kIpset},
    {"ipset-save", TargetKind::kIpsetSave},
    {"ufw", TargetKind::kUfw},
    {"firewalld-zone", TargetKind::kFirewalldZone},
    {"firewalld-ipset", TargetKind::kFirewalldIpset},
    {"postfix-cidr", TargetKind::kPostfixCidr},
    {"mynetworks", TargetKind::kMynetworks},
    {"nginx", TargetKind::kNginx},
    {"squid", TargetKind::kSquid},
    {"dnsmasq", TargetKind::kDnsmasq},
    {"file", TargetKind::kFile},
}};

constexpr std::array<std::string_view, 6> kNftFamilies = {"ip", "ip6", "inet", "arp", "bridge", "netdev"};

ReadError bad(std::string_view text, std::string_view why) {
  return {ReadErrorKind::kBadSpec, "target '" + std::string(text) + "': " + std::string(why)};
}

// nft, iptables and ipset names: letters, digits, '_', '-', '.', starting with a letter or '_'; the kernel caps
// them at 255 (nft), 28 (iptables chains) and 31 (ipset) bytes, so any longer name cannot exist.
bool valid_name(std::string_view name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  const auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  };
  const char first = name.front();
  return ((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_') &&
         std::all_of(name.begin(), name.end(), word);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(sep);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

bool is_nft_family(std::string_view family) {
  return std::find(kNftFamilies.begin(), kNftFamilies.end(), family) != kNftFamilies.end();
}

// FAMILY/TABLE/NAME
ReadResult<TargetSpec> parse_nft_triple(std::string_view text, std::string_view args, TargetSpec spec,
                                        std::string_view what) {
  const auto parts = split(args, '/');
  if (parts.size() != 3) return bad(text, "expected FAMILY/TABLE/" + std::string(what));
  if (!is_nft_family(parts[0])) {
    return bad(text, "unknown nftables family '" + std::string(parts[0]) +
                         "' (expected ip, ip6, inet, arp, bridge or netdev)");
  }
  if (!valid_name(parts[1], 255)) return bad(text, "invalid table name '" + std::string(parts[1]) + "'");
  if (!valid_name(parts[2], 255)) {
    return bad(text, "invalid " + std::string(what) + " name '" + std::string(parts[2]) + "'");
  }
  spec.family = parts[0];
  spec.table = parts[1];
  spec.name = parts[2];
  return spec;
}

// [TABLE/]CHAIN
ReadResult<TargetSpec> parse_table_chain(std::string_view text, std::string_view args, TargetSpec spec) {
  const auto parts = split(args, '/');
  if (parts.size() > 2) return bad(text, "expected [TABLE/]CHAIN");
  const std::string_view table = parts.size() == 2 ? parts[0] : "filter";
  const std::string_view chain = parts.back();
  static constexpr std::array<std::string_view, 5> kTables = {"filter", "nat", "mangle", "raw", "security"};
  if (std::find(kTables.begin(), kTables.end(), table) == kTables.end()) {
    return bad(text,
               "unknown iptables table '" + std::string(table) + "' (expected filter, nat, mangle, raw or security)");
  }
  if (!valid_name(chain, 28)) return bad(text, "invalid chain name '" + std::string(chain) + "'");
  spec.table = table;
  spec.name = chain;
  return spec;
}

// PATH#SELECTOR, split at the last '#'.
std::pair<std::string_view, std::string_view> split_selector(std::string_view args, bool& has_selector) {
  const auto at = args.rfind('#');
  has_selector = at != std::string_view::npos;
  if (!has_selector) return {args, {}};
  return {args.substr(0, at), args.substr(at + 1)};
}

}  // namespace

std::string_view to_string(TargetKind kind) {
  for (const auto& [name, k] : kKinds) {
    if (k == kind) return name;
  }
  return "file";
}

bool TargetSpec::is_live() const {
  switch (kind) {
    case TargetKind::kNftSet:
    case TargetKind::kNftChain:
    case TargetKind::kIptables:
    case TargetKind::kIp6tables:
    case TargetKind::kIpset:
      return true;
    default:
      return false;
  }
}

ReadResult<TargetSpec> parse_target_spec(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return bad(text, "expected KIND:ARGS, for example nft:inet/filter/allowed or file:/etc/allowdrift/local.txt");
  }
  const auto kind_text = text.substr(0, colon);
  const auto args = text.substr(colon + 1);
  const auto it = std::find_if(kKinds.begin(), kKinds.end(), [&](const auto& k) { return k.first == kind_text; });
  if (it == kKinds.end()) {
    std::string known;
    for (const auto& k : kKinds) known += (known.empty() ? "" : ", ") + std::string(k.first);
    return bad(text, "unknown kind '" + std::string(kind_text) + "' (known: " + known + ")");
  }
  TargetSpec spec;
  spec.kind = it->second;
  spec.text = text;
  if (args.empty()) return bad(text, "nothing after '" + std::string(kind_text) + ":'");

  switch (spec.kind) {
    case TargetKind::kNftSet:
      return parse_nft_triple(text, args, std::move(spec), "SET");
    case TargetKind::kNftChain:
      return parse_nft_triple(text, args, std::move(spec), "CHAIN");
    case TargetKind::kIptables:
    case TargetKind::kIp6tables:
      return parse_table_chain(text, args, std::move(spec));
    case TargetKind::kIpset:
      if (!valid_name(args, 31)) return bad(text, "invalid ipset name '" + std::string(args) + "'");
      spec.name = args;
      return spec;
    case TargetKind::kNftJson: {
      bool has_selector = false;
      const auto [path, selector] = split_selector(args, has_selector);
      if (path.empty()) return bad(text, "expected PATH[#TABLE/SET]");
      spec.path = path;
      if (!has_selector) return spec;
      const auto parts = split(selector, '/');
      if (parts.size() == 3) return parse_nft_triple(text, selector, std::move(spec), "SET");
      if (parts.size() != 2) return bad(text, "expected PATH#TABLE/SET or PATH#FAMILY/TABLE/SET after '#'");
      if (!valid_name(parts[0], 255)) return bad(text, "invalid table name '" + std::string(parts[0]) + "'");
      if (!valid_name(parts[1], 255)) return bad(text, "invalid set name '" + std::string(parts[1]) + "'");
      spec.table = parts[0];
      spec.name = parts[1];
      return spec;
    }
    case TargetKind::kIptablesSave: {
      bool has_selector = false;
      const auto [path, selector] = split_selector(args, has_selector);
      if (path.empty() || !has_selector) return bad(text, "expected PATH#[TABLE/]CHAIN");
      spec.path = path;
      return parse_table_chain(text, selector, std::move(spec));
    }
    case TargetKind::kIpsetSave: {
      bool has_selector = false;
      const auto [path, selector] = split_selector(args, has_selector);
      if (path.empty() || !has_selector) return bad(text, "expected PATH#NAME");
      if (!valid_name(selector, 31)) return bad(text, "invalid ipset name '" + std::string(selector) + "'");
      spec.path = path;
      spec.name = selector;
      return spec;
    }
    default:
      spec.path = args;
      return spec;
  }
}

}  // namespace allowdrift::firewall
