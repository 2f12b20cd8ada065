// Pure reading of nft's JSON output (`nft -j list ruleset`, `list set`, `list chain`; libnftables with
// NFT_CTX_OUTPUT_JSON), json_schema_version 1 as nft 0.9.1 to 1.1 write it (reliability.md F7).
//
// Sets: a named set of type ipv4_addr or ipv6_addr (`typeof ip saddr` sets are printed with that type too). Its
// elements are address strings, {"prefix": {"addr", "len"}}, {"range": [a, b]}, or any of those wrapped in
// {"elem": {"val": ..., "timeout", "expires", "comment", "counter"}} (the wrapper's other members do not change
// membership and are not read). Other types (ether_addr, inet_service, concatenations such as
// ["ipv4_addr", "inet_service"]) and maps are kUnsupported, naming the type.
//
// Chains: the addresses the chain's accept rules match. Which address: the destination (`ip daddr`,
// `ip6 daddr`) for a base chain hooked at output or postrouting, where an allowlist names where traffic may go;
// the source (`ip saddr`, `ip6 saddr`) otherwise, including regular chains reached by jump, since an allowlist
// usually names who may connect. A rule counts when its verdict is accept and it matches that address with ==
// against a literal address, prefix or range, an anonymous set {"set": [...]}, or a named set "@name" (read
// from the same document; the live reader lists it alongside the chain). Understood but not representable, so
// reported as a warning with the rule's origin and the rule skipped, never misread: a negated match (!=), an
// ordered comparison (<, >), the address under a mask or in a concatenation, two matches on it in one rule, a
// verdict map keyed on it. Not modelled, as documented limits: rule order (a drop above an accept), jumps into
// other chains, and accept rules without an address match (`tcp dport 22 accept` allows every address; the
// chain's policy accept is reported as a warning).
//
// Every error names the source and the JSON path: "ruleset.json: nftables[4].set.elem[2]: expected ...".
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"
#include "firewall/target_spec.h"

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall {

// FAMILY/TABLE/NAME of a set or chain; an empty family in a selector matches any family.
struct NftName {
  std::string family;
  std::string table;
  std::string name;
  std::string to_string() const { return family + "/" + table + "/" + name; }
};

// A parsed document with an index of its tables, sets, maps, chains and rules.
class NftRuleset {
 public:
  // Strict JSON (feeds/json_document.h), then {"nftables": [...]} whose items are objects of one member, exactly
  // one metainfo with json_schema_version 1 (anything else: kUnsupported naming it), and well-formed set, map,
  // chain and rule headers. `source` names the document in messages ("/etc/nft.json", "nft list chain ...").
  static ReadResult<NftRuleset> parse(std::string_view text, std::string_view source);
  struct Object {
    NftName name;          // a rule's name is its chain's
    std::size_t item = 0;  // index into the document's "nftables" array
    bool map = false;      // a set object of kind "map"
  };
  const std::vector<Object>& sets() const { return sets_; }  // sets and maps, in document order
  const std::vector<Object>& chains() const { return chains_; }
  const std::vector<Object>& rules() const { return rules_; }
  const std::vector<NftName>& tables() const { return tables_; }

  // The object member of an indexed item ({"set": {...}} -> {...}) and its JSON path for messages.
  const boost::json::object& body(const Object& o) const;
  std::string path(const Object& o) const;  // "SOURCE: nftables[4].set"

 private:
  boost::json::value doc_;
  std::string source_;
  std::vector<Object> sets_, chains_, rules_;
  std::vector<NftName> tables_;
};

// The elements of one set or map (kUnsupported for a map or a non-address type). Entries have origin
// "set FAMILY/TABLE/NAME"; `origin` overrides it (a rule using the set).
ReadResult<Allowlist> nft_set_allowlist(const NftRuleset& ruleset, const NftRuleset::Object& set,
                                        const std::string& origin = {});

// The elements of a named set a rule uses ("@allowed"), each with origin `origin`. The live chain reader dumps
// them over netlink; the default looks in the document.
using NftSetResolver = std::function<ReadResult<Allowlist>(const NftName& set, const std::string& origin)>;

// What the accept rules of a chain allow. Without a resolver, named sets the rules use must be in `ruleset`
// (kParse otherwise: a saved `nft -j list chain` lacks them).
ReadResult<Allowlist> nft_chain_allowlist(const NftRuleset& ruleset, const NftRuleset::Object& chain,
                                          const NftSetResolver& resolve = {});

// `nft-json:PATH[#[FAMILY/]TABLE/NAME]`: the named set, else the chain of that name; without a selector, the
// document's only named set. No match: kNotFound listing the sets (and chains); one selector matching in several
// families: kBadSpec listing them.
ReadResult<Allowlist> parse_nft_json_target(std::string_view text, std::string_view source, const TargetSpec& spec);

// "set inet/filter/a, set ip/raw/b, ..." for not-found messages: at most `limit` names, then "and N more".
std::string list_names(const std::vector<std::string>& names, std::size_t limit = 20);

}  // namespace allowdrift::firewall
