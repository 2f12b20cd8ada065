// The HTML format of published lists: vendors that publish only prose pages (ManageEngine above all). The page's
// visible text (html_text.h: scripts, styles and page chrome skipped, entities decoded) is cut into words, and the
// words that look like entries go through SectionBuilder::add, the strict grammars shared by every format.
//
// Words: maximal runs of ASCII letters, digits and . : / - _ * @ %. Any other byte ends a word, so an address
// glued to Chinese text ("是sdpondemand.manageengine.com,请") or wrapped in brackets is still found. Trailing
// sentence punctuation (. , : - / _) and leading . - / _ are dropped, keeping a "::" of IPv6. A word holding "://"
// (a URL) or "@" (a mail address) is ignored whole; a word with ':' that is neither IPv6-shaped nor a URL
// ("IP:192.0.2.1") is split at the colons.
//
// Candidate tokens (the only words that are entries, or count as rejected when invalid):
//   - IPv4-shaped: the first three dot-separated labels are decimal and there is a fourth ("192.0.2.1",
//     "192.0.2.0/24", "192.0.2.1-192.0.2.9", and the typos "010.0.0.1", "192.0.2.1a");
//   - IPv6-shaped: only hex digits and : . / -, with "::" or at least seven colons;
//   - only when the spec asks for domains: an optional "*." then two or more labels of letters, digits, '-' and
//     '_', the last one 2-63 letters and not a common file extension (html, php, js, json, png, pdf, ...), so
//     "e.g." and "index.html" are prose, not names.
// Every other word is prose and silently ignored: version numbers ("1.2.3"), times ("10:30"), URLs. The anchor
// and alias host names of the spec are never entries.
//
// Sections: every occurrence of a section's anchor or alias (a word equal to it, ASCII case-insensitively) opens
// that section; it collects the candidates after the anchor word until the next anchor word of another section,
// or until the text leaves the anchor's scope: the innermost <li>, <ul>/<ol>, <article>, <main> or body around
// the anchor's block, or the list around the <li> when the anchor's block is all that <li> holds (hosts as items
// of a list, each followed by items with its addresses).
// Only the main body (html_text.h) is read. Without sections, the whole main body is one section "".
//
// Rejected, with the reason: a page over max_bytes or nested deeper than max_nesting; input that is not HTML (the first
// non-blank byte is not '<'); an error or challenge page (a <title> or first <h1> starting with an HTTP 4xx/5xx status,
// a Cloudflare "Attention Required!" or "Just a moment..." title, or Cloudflare's error and challenge markers in the
// markup); a configured section none of whose anchors appears; a section with no entries; more invalid candidate tokens
// than the spec tolerates.
#pragma once

#include "feeds/extracted_list.h"
#include "model/parse_error.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

struct EntryKinds {
  bool ips = true;  // addresses, CIDRs, ranges, netmask forms
  bool domains = false;
};

struct HtmlSectionSpec {
  std::string name;                  // the section's name in the result, e.g. "sdp-cloud-eu"
  std::vector<std::string> anchors;  // host names as the page writes them, e.g. "sdpondemand.manageengine.eu"
  std::vector<std::string> aliases;  // the page's known typos of them, e.g. "sdpondemand.manageine.eu"
  std::optional<EntryKinds> kinds;   // overrides HtmlListSpec::kinds for this section
};

struct HtmlListSpec {
  std::vector<HtmlSectionSpec> sections;  // empty: the main body is one section ""
  EntryKinds kinds;
  std::size_t max_rejected = 0;  // invalid candidate tokens tolerated; each is still counted and reported
  std::size_t max_bytes = 8 * 1024 * 1024;
  std::size_t max_nesting = 1000;  // html_nesting_bound over this is refused (real pages nest below 100)
};

// Sections come out in spec order. A section found only through an alias adds a warning naming the alias.
model::ParseResult<ExtractedList> extract_html(std::string_view bytes, const HtmlListSpec& spec);

// The words of a block's text, as extract_html reads them (see above): each a substring of `text`.
std::vector<std::string_view> html_words(std::string_view text);

// The reason `bytes` is not a page to read a list from (not HTML, an HTTP error page, a challenge page), if any.
std::optional<std::string> html_error_page(std::string_view bytes);

}  // namespace allowdrift::feeds
