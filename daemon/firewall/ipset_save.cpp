#include "firewall/ipset_save.h"

#include "model/ip_address.h"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>

namespace allowdrift::firewall {
namespace {

using model::quote_token;

// Splits on blanks (space, tab, carriage return); "..." is one token (ipset comments cannot contain '"', so there
// are no escapes).
std::optional<std::string> tokenize(std::string_view line, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    if (line[i] == '"') {
      const auto close = line.find('"', i + 1);
      if (close == std::string_view::npos) return std::string("unterminated quoted string");
      tokens.push_back(line.substr(i + 1, close - i - 1));
      i = close + 1;
      if (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
        return std::string("text right after a closing '\"'");
      }
      continue;
    }
    std::size_t stop = i;
    while (stop < line.size() && line[stop] != ' ' && line[stop] != '\t' && line[stop] != '\r') ++stop;
    tokens.push_back(line.substr(i, stop - i));
    i = stop;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (const char c : s) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

bool hex_number(std::string_view s) {
  return s.size() > 2 && s.size() <= 10 && (s.starts_with("0x") || s.starts_with("0X")) &&
         std::all_of(s.begin() + 2, s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

bool valid_set_name(std::string_view name) {
  return !name.empty() && name.size() <= 31 && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

constexpr std::array<std::string_view, 4> kCreateFlags = {"counters", "comment", "skbinfo", "forceadd"};
constexpr std::array<std::string_view, 4> kCreateNumbers = {"hashsize", "maxelem", "bucketsize", "timeout"};
constexpr std::array<std::string_view, 6> kAddValues = {"timeout", "packets", "bytes",
                                                        "skbmark", "skbprio", "skbqueue"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  ReadResult<IpsetDocument> run(std::string_view text) {
    while (!text.empty()) {
      const auto newline = text.find('\n');
      auto line = text.substr(0, newline);
      text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
      ++line_;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (line.empty() || line.front() == '#') continue;
      if (auto e = tokenize(line, tokens_)) return fail(*e);
      const auto cmd = tokens_[0];
      std::optional<std::string> e;
      if (cmd == "create" || cmd == "n" || cmd == "-N") {
        e = create();
      } else if (cmd == "add" || cmd == "a" || cmd == "-A") {
        e = add();
      } else {
        e = "found " + quote_token(cmd) + " (expected a create or add line)";
      }
      if (e) return fail(*e);
    }
    return std::move(document_);
  }

 private:
  ReadError fail(const std::string& what) const {
    return {ReadErrorKind::kParse, std::string(source_) + ":" + std::to_string(line_) + ": " + what};
  }

  std::optional<std::string> create() {
    if (tokens_.size() < 3) return std::string("create needs a set name and a type");
    const auto name = tokens_[1];
    if (!valid_set_name(name)) return "invalid set name " + quote_token(name);
    if (index_.count(std::string(name)) != 0) {
      return "set " + std::string(name) + " is created twice (first at line " +
             std::to_string(document_.sets[index_[std::string(name)]].line) + ")";
    }
    IpsetSet set;
    set.name = name;
    set.type = tokens_[2];
    set.line = line_;
    set.readable = set.type == "hash:ip" || set.type == "hash:net";
    if (set.readable) {
      if (auto e = create_options(set)) return e;
    }
    index_.emplace(set.name, document_.sets.size());
    document_.sets.push_back(std::move(set));
    return std::nullopt;
  }

  std::optional<std::string> create_options(IpsetSet& set) {
    std::uint64_t netmask = 0;
    for (std::size_t i = 3; i < tokens_.size(); ++i) {
      const auto opt = tokens_[i];
      if (one_of(kCreateFlags, opt)) continue;
      if (i + 1 >= tokens_.size()) return "create " + set.name + ": " + quote_token(opt) + " without a value";
      const auto value = tokens_[++i];
      if (opt == "family") {
        if (value != "inet" && value != "inet6") return "family " + quote_token(value) + " (expected inet or inet6)";
        set.family = value == "inet" ? model::Family::kV4 : model::Family::kV6;
      } else if (opt == "initval") {
        if (!hex_number(value)) return "initval " + quote_token(value) + " (expected a hex number such as 0x1a2b3c4d)";
      } else if (one_of(kCreateNumbers, opt) || (opt == "netmask" && set.type == "hash:ip")) {
        const auto n = number(value);
        if (!n) return std::string(opt) + " " + quote_token(value) + " (expected a number)";
        if (opt == "maxelem") set.maxelem = *n;
        if (opt == "netmask") netmask = *n;
      } else if (opt == "bitmask" && set.type == "hash:ip") {
        set.readable = false;  // any mask, not only a prefix: not an address set we can represent
        set.unreadable_option = opt;
        return std::nullopt;
      } else {
        return "create " + set.name + ": unknown option " + quote_token(opt) + " for " + set.type +
               " (expected family, hashsize, maxelem, bucketsize, initval, timeout, netmask, counters, comment, "
               "skbinfo or forceadd)";
      }
    }
    const auto bits = static_cast<std::uint64_t>(model::address_bits(set.family));
    if (netmask > bits) return "netmask " + std::to_string(netmask) + " is longer than the address";
    set.netmask = static_cast<int>(netmask);
    return std::nullopt;
  }

  std::optional<std::string> add() {
    if (tokens_.size() < 3) return std::string("add needs a set name and an entry");
    const auto it = index_.find(std::string(tokens_[1]));
    if (it == index_.end()) {
      return "add to set " + quote_token(tokens_[1]) + ", which no create line before defines";
    }
    IpsetSet& set = document_.sets[it->second];
    ++set.element_count;
    if (!set.readable) return std::nullopt;
    IpsetMember member;
    member.line = line_;
    auto entry = model::parse_ip_entry(tokens_[2]);
    if (!entry) return "add " + set.name + ": " + entry.error().message;
    if (entry->family != set.family) {
      return "add " + set.name + ": " + quote_token(tokens_[2]) + " is " +
             std::string(model::family_name(entry->family)) + " in a set of family " +
             (set.family == model::Family::kV4 ? "inet" : "inet6");
    }
    member.entry = *entry;
    if (set.netmask > 0) widen(member.entry, set.netmask);
    for (std::size_t i = 3; i < tokens_.size(); ++i) {
      const auto opt = tokens_[i];
      if (opt == "nomatch") {
        if (set.type != "hash:net") return "nomatch in a " + set.type + " set (only hash:net sets have it)";
        member.nomatch = true;
        continue;
      }
      if (!one_of(kAddValues, opt) && opt != "comment") {
        return "add " + set.name + ": unknown option " + quote_token(opt) +
               " (expected timeout, packets, bytes, comment, skbmark, skbprio, skbqueue or nomatch)";
      }
      if (i + 1 >= tokens_.size()) return "add " + set.name + ": " + quote_token(opt) + " without a value";
      const auto value = tokens_[++i];
      if (opt == "timeout" || opt == "packets" || opt == "bytes") {
        const auto n = number(value);
        if (!n) return std::string(opt) + " " + quote_token(value) + " (expected a number)";
        if (opt == "timeout" && *n > 0) member.has_timeout = true;
      }
    }
    set.members.push_back(member);
    return std::nullopt;
  }

  static void widen(model::IpEntry& e, int netmask) {
    const int bits = model::address_bits(e.family);
    const model::U128 host = bits - netmask >= 128 ? ~model::U128{0} : (model::U128{1} << (bits - netmask)) - 1;
    e.first &= ~host;
    e.last |= host;
    if (e.family == model::Family::kV4) e.last &= 0xffffffffu;
    if (e.form != model::EntryForm::kRange) e.form = model::EntryForm::kPrefix;
  }

  std::string_view source_;
  std::size_t line_ = 0;
  std::vector<std::string_view> tokens_;
  std::unordered_map<std::string, std::size_t> index_;
  IpsetDocument document_;
};

}  // namespace

const IpsetSet* IpsetDocument::find(std::string_view name) const {
  const auto it = std::find_if(sets.begin(), sets.end(), [&](const IpsetSet& s) { return s.name == name; });
  return it == sets.end() ? nullptr : &*it;
}

ReadResult<IpsetDocument> parse_ipset_save(std::string_view text, std::string_view source) {
  return Parser(source).run(text);
}

ReadResult<Allowlist> ipset_allowlist(const IpsetDocument& document, std::string_view name, std::string_view source) {
  const std::string src(source);
  const IpsetSet* set = document.find(name);
  if (set == nullptr) {
    std::string names;
    for (std::size_t i = 0; i < document.sets.size() && i < 50; ++i) {
      names += (i == 0 ? "" : ", ") + document.sets[i].name;
    }
    if (document.sets.size() > 50) names += ", ... (" + std::to_string(document.sets.size()) + " sets)";
    return ReadError{ReadErrorKind::kNotFound, src + ": no ipset named " + std::string(name) +
                                                   " (sets present: " + (names.empty() ? "none" : names) + ")"};
  }
  const std::string at = src + ":" + std::to_string(set->line);
  if (!set->readable) {
    if (!set->unreadable_option.empty()) {
      return ReadError{ReadErrorKind::kUnsupported, at + ": ipset " + set->name + " (" + set->type + ") uses " +
                                                        set->unreadable_option +
                                                        ", which masks addresses in ways a prefix list cannot show"};
    }
    return ReadError{ReadErrorKind::kUnsupported, at + ": ipset " + set->name + " is of type " +
                                                      model::quote_token(set->type) +
                                                      "; only hash:ip and hash:net sets can be read as address "
                                                      "allowlists"};
  }
  Allowlist out;
  std::size_t with_timeout = 0;
  for (const auto& m : set->members) {
    AllowedIp ip{m.entry, "set " + set->name + " (" + src + ":" + std::to_string(m.line) + ")"};
    (m.nomatch ? out.excluded : out.ips).push_back(std::move(ip));
    if (m.has_timeout) ++with_timeout;
  }
  const auto count = set->element_count;
  if (set->maxelem > 0 && model::U128{count} * 10 >= model::U128{set->maxelem} * 9) {
    out.warnings.push_back(at + ": ipset " + set->name + " holds " + std::to_string(count) + " of maxelem " +
                           std::to_string(set->maxelem) + " elements (" +
                           std::to_string(static_cast<std::uint64_t>(model::U128{count} * 100 / set->maxelem)) +
                           "%): adding more fails with \"Hash is full\"");
  }
  if (with_timeout > 0) {
    out.warnings.push_back(at + ": ipset " + set->name + ": " + std::to_string(with_timeout) +
                           " members have a timeout; the kernel removes each when it expires");
  }
  return out;
}

ReadResult<Allowlist> parse_ipset_save_set(std::string_view text, std::string_view source, std::string_view name) {
  auto document = parse_ipset_save(text, source);
  if (!document) return document.error();
  return ipset_allowlist(*document, name, source);
}

}  // namespace allowdrift::firewall
