// libFuzzer target: the HTML list format (daemon/feeds/html_list.h, html_text.h).
//
// Input: the first byte picks the spec (bit 0: sections anchored on the SDP Cloud hosts, with the EU typo alias;
// bit 1: domains too; bit 2: tolerate invalid tokens), the rest is the page. Checked on every run:
//   - no crash, no sanitizer report, and the same result twice (deterministic);
//   - the visible text: blocks non-empty, trimmed, single-spaced; scopes point to earlier scopes;
//   - every word html_words yields is a substring of its block's text, and every extracted entry comes from such a
//     word: each section's IP set is covered by the entries parsed from the page's words, and each domain is
//     one of the page's words, so nothing is extracted that the page's visible text does not hold;
//   - sections: with a sectioned spec, exactly the spec's sections in spec order (so a subset of the anchors),
//     none named after anything else; without, one section "";
//   - messages (error, warnings, rejected samples) are printable ASCII of bounded length.
#include "feeds/entry_token.h"
#include "feeds/html_list.h"
#include "feeds/html_text.h"
#include "fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using allowdrift::fuzz::escape_all;
using allowdrift::fuzz::printable_ascii;
using namespace allowdrift;
using feeds::ExtractedList;
using feeds::HtmlListSpec;

constexpr std::size_t kMaxMessage = 1024;

HtmlListSpec make_spec(std::uint8_t selector) {
  HtmlListSpec spec;
  if (selector & 1) {
    spec.sections = {
        {"us", {"sdpondemand.manageengine.com"}, {}, {}},
        {"eu", {"sdpondemand.manageengine.eu"}, {"sdpondemand.manageine.eu"}, {}},
        {"au", {"servicedeskplus.net.au"}, {}, {}},
        {"jp", {"servicedeskplus.jp"}, {}, std::nullopt},
    };
  }
  spec.kinds.domains = (selector & 2) != 0;
  spec.max_rejected = (selector & 4) ? 1000 : 0;
  return spec;
}

void check_message(const std::string& m, const char* what) {
  FUZZ_CHECK(!m.empty(), std::string("empty ") + what);
  FUZZ_CHECK(printable_ascii(m), std::string(what) + " with control or non-ASCII bytes: \"" + escape_all(m) + "\"");
  FUZZ_CHECK(m.size() <= kMaxMessage, std::string(what) + " of " + std::to_string(m.size()) + " bytes");
}

bool same(const ExtractedList& a, const ExtractedList& b) {
  if (a.sections.size() != b.sections.size() || a.warnings != b.warnings || a.rejected_tokens != b.rejected_tokens ||
      a.rejected_samples != b.rejected_samples)
    return false;
  for (std::size_t i = 0; i < a.sections.size(); ++i) {
    const auto& x = a.sections[i];
    const auto& y = b.sections[i];
    if (x.name != y.name || !(x.ips == y.ips) || x.domains != y.domains || x.ip_entries != y.ip_entries ||
        x.domain_entries != y.domain_entries)
      return false;
  }
  return true;
}

void check_text(const feeds::HtmlText& text) {
  FUZZ_CHECK(!text.scopes.empty() && text.main_scope < text.scopes.size(), std::string("bad scopes"));
  for (std::size_t i = 1; i < text.scopes.size(); ++i)
    FUZZ_CHECK(text.scopes[i].parent < i, "scope " + std::to_string(i) + " has a later parent");
  for (const auto& b : text.blocks) {
    FUZZ_CHECK(
        !b.text.empty() && b.text.front() != ' ' && b.text.back() != ' ' && b.text.find("  ") == std::string::npos,
        "block not trimmed or collapsed: \"" + escape_all(b.text) + "\"");
    FUZZ_CHECK(b.scope < text.scopes.size(), std::string("block scope out of range"));
  }
}

void run(std::string_view page, std::uint8_t selector) {
  const HtmlListSpec spec = make_spec(selector);
  const auto first = feeds::extract_html(page, spec);
  const auto second = feeds::extract_html(page, spec);
  FUZZ_CHECK(first.has_value() == second.has_value(), std::string("not deterministic (success)"));
  if (!first) {
    FUZZ_CHECK(first.error().message == second.error().message, std::string("not deterministic (error)"));
    check_message(first.error().message, "error message");
    return;
  }
  FUZZ_CHECK(same(*first, *second), std::string("not deterministic (result)"));
  const ExtractedList& list = *first;
  for (const auto& w : list.warnings) check_message(w, "warning");
  for (const auto& r : list.rejected_samples) check_message(r, "rejected sample");
  FUZZ_CHECK(list.rejected_tokens <= spec.max_rejected, std::string("accepted over the tolerance"));

  if (spec.sections.empty()) {
    FUZZ_CHECK(list.sections.size() == 1 && list.sections[0].name.empty(), std::string("unsectioned result"));
  } else {
    FUZZ_CHECK(list.sections.size() == spec.sections.size(), std::string("section count differs from the spec"));
    for (std::size_t i = 0; i < list.sections.size(); ++i)
      FUZZ_CHECK(list.sections[i].name == spec.sections[i].name,
                 "section " + std::to_string(i) + " named \"" + escape_all(list.sections[i].name) + "\"");
  }

  // Every entry comes from a word of the visible text.
  const feeds::HtmlText text = feeds::html_visible_text(page);
  check_text(text);
  model::IpSetBuilder page_ips;
  std::vector<model::DomainPattern> page_domains;
  for (const auto& block : text.blocks) {
    for (std::string_view word : feeds::html_words(block.text)) {
      const auto* begin = block.text.data();
      FUZZ_CHECK(word.data() >= begin && word.data() + word.size() <= begin + block.text.size() && !word.empty(),
                 "word \"" + escape_all(word) + "\" is not part of its block");
      auto parsed = feeds::parse_entry_token(word);
      if (auto* e = std::get_if<model::IpEntry>(&parsed)) page_ips.add(*e);
      if (auto* d = std::get_if<model::DomainPattern>(&parsed)) page_domains.push_back(*d);
    }
  }
  const model::IpSet all = std::move(page_ips).build();
  for (const auto& section : list.sections) {
    FUZZ_CHECK(all.covers(section.ips), "section \"" + section.name + "\" holds addresses not on the page");
    FUZZ_CHECK(section.ip_entries + section.domain_entries > 0, "empty section \"" + section.name + "\" accepted");
    for (const auto& d : section.domains)
      FUZZ_CHECK(std::find(page_domains.begin(), page_domains.end(), d) != page_domains.end(),
                 "domain \"" + escape_all(d.to_string()) + "\" is not on the page");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  allowdrift::fuzz::g_input = std::string_view(reinterpret_cast<const char*>(data), size);
  run(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), data[0]);
  return 0;
}
