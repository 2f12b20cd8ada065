// libFuzzer target: nft's JSON output (daemon/firewall/nft_json.h).
//
// Input: a document. Checked on every run:
//   - NftRuleset::parse either accepts, or rejects with kParse or kUnsupported and a printable message;
//   - every set and every chain it indexes reads (nft_set_allowlist, nft_chain_allowlist) either to an allowlist
//     or to an error of an expected kind with a printable message; an allowlist's origins and warnings are
//     printable, each entry is well formed (first <= last, within its family) and covered by ip_set(), and
//     reading again gives the same result;
//   - the nft-json target without a selector and with fixed selectors (a set, a chain, with and without family)
//     never fails any other way.
#include "firewall/nft_json.h"
#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using allowdrift::fuzz::escape_all;
using allowdrift::fuzz::printable_ascii;
using namespace allowdrift;
using firewall::ReadErrorKind;

constexpr std::size_t kMaxMessage = 64 * 1024;

void check_text(const std::string& text, const char* what) {
  FUZZ_CHECK(printable_ascii(text), std::string(what) + " not printable: \"" + escape_all(text) + "\"");
  FUZZ_CHECK(text.size() <= kMaxMessage, std::string(what) + " of " + std::to_string(text.size()) + " bytes");
}

void check_error(const firewall::ReadError& e, std::initializer_list<ReadErrorKind> kinds) {
  FUZZ_CHECK(!e.message.empty(), std::string("empty error message"));
  check_text(e.message, "error message");
  bool expected = false;
  for (auto k : kinds) expected = expected || k == e.kind;
  FUZZ_CHECK(expected, "unexpected error kind " + std::string(firewall::to_string(e.kind)) + ": " + e.message);
}

void check_list(const firewall::ReadResult<firewall::Allowlist>& list,
                const firewall::ReadResult<firewall::Allowlist>& again, std::initializer_list<ReadErrorKind> kinds) {
  FUZZ_CHECK(list.has_value() == again.has_value(), std::string("a second reading differs in success"));
  if (!list) {
    check_error(list.error(), kinds);
    FUZZ_CHECK(again.error().message == list.error().message, std::string("a second reading differs in its error"));
    return;
  }
  FUZZ_CHECK(list->ips.size() == again->ips.size() && list->warnings == again->warnings,
             std::string("a second reading differs"));
  const auto set = list->ip_set();
  for (const auto& ip : list->ips) {
    check_text(ip.origin, "origin");
    FUZZ_CHECK(!ip.origin.empty(), std::string("empty origin"));
    const auto top = ip.entry.family == model::Family::kV4 ? model::U128{0xffffffffu} : ~model::U128{0};
    FUZZ_CHECK(ip.entry.first <= ip.entry.last && ip.entry.last <= top, "malformed entry from " + ip.origin);
    FUZZ_CHECK(set.covers(ip.entry), "entry from " + ip.origin + " not covered by ip_set()");
  }
  for (const auto& w : list->warnings) check_text(w, "warning");
  FUZZ_CHECK(list->domains.empty() && list->excluded.empty(), std::string("domains or exclusions from nft JSON"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = text;

  const auto ruleset = firewall::NftRuleset::parse(text, "f.json");
  if (!ruleset) {
    check_error(ruleset.error(), {ReadErrorKind::kParse, ReadErrorKind::kUnsupported});
  } else {
    for (const auto& s : ruleset->sets()) {
      check_text(ruleset->path(s), "path");
      check_list(firewall::nft_set_allowlist(*ruleset, s), firewall::nft_set_allowlist(*ruleset, s),
                 {ReadErrorKind::kParse, ReadErrorKind::kUnsupported});
    }
    for (const auto& c : ruleset->chains()) {
      check_list(firewall::nft_chain_allowlist(*ruleset, c), firewall::nft_chain_allowlist(*ruleset, c),
                 {ReadErrorKind::kParse, ReadErrorKind::kUnsupported});
    }
  }

  for (const char* spec : {"nft-json:f.json", "nft-json:f.json#t/s", "nft-json:f.json#inet/t/s",
                           "nft-json:f.json#filter/input", "nft-json:f.json#ip/filter/input"}) {
    const auto target = firewall::parse_target_spec(spec);
    FUZZ_CHECK(target.has_value(), std::string("fixed spec rejected: ") + spec);
    const auto first = firewall::parse_nft_json_target(text, "f.json", *target);
    const auto second = firewall::parse_nft_json_target(text, "f.json", *target);
    check_list(first, second,
               {ReadErrorKind::kParse, ReadErrorKind::kUnsupported, ReadErrorKind::kNotFound, ReadErrorKind::kBadSpec});
  }
  return 0;
}
