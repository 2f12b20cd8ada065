// The visible text of an HTML page as a sequence of blocks, for the HTML list format (html_list.h). Parsing is
// Google's HTML5 parser (gumbo, Debian libgumbo-dev), which repairs broken markup the way browsers do and decodes
// character references (&nbsp;, &#49;, ...).
//
// Blocks: a block-level element (p, div, li, td, h1-h6, ...) starts and ends a block, and so does <br>; inline
// elements (span, a, strong, ...) do not. Within a block, whitespace runs, including U+00A0 (&nbsp;), U+3000
// and the zero-width U+200B / U+FEFF that Zoho Desk's editor scatters, become one ASCII space; blocks are trimmed
// and empty blocks dropped.
//
// Skipped with everything inside them:
//   - elements that are never visible text: head, script, style, noscript, template, iframe, object, svg, canvas,
//     select, textarea, and any element with a `hidden` attribute;
//   - page chrome by element: nav, header, footer, aside, form;
//   - page chrome by name: an element whose id, or one of whose classes, contains one of the words nav, navbar,
//     navigation, menu, sidebar, breadcrumb(s), related, footer, header, banner, cookie(s), share, social, aside, or
//     whose role is navigation, banner, contentinfo, complementary or search. Words are split at every character that
//     is not a letter or digit and at lower-to-upper case changes, so "KbDetailRtContainer__relatedArticles" and
//     "related-articles" both hold "related", while "canvas" or "unavailable" hold no "nav".
//
// Scopes: <body>, <main> (or role="main"), <article>, <ul>/<ol> and <li> are scopes; each block records its
// innermost scope, and each scope its parent, so a reader can tell where the list, list item or article body
// around a block ends.
// The main body is the first <main> (or role="main"), else the first <article>, else <body>.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

enum class ScopeKind { kBody, kMain, kArticle, kList, kListItem };

struct HtmlScope {
  ScopeKind kind = ScopeKind::kBody;
  std::size_t parent = 0;  // index in HtmlText::scopes; the body (index 0) is its own parent
  std::size_t blocks = 0;  // blocks directly or indirectly inside
};

struct TextBlock {
  std::string text;       // UTF-8, whitespace collapsed, trimmed, never empty
  std::size_t scope = 0;  // innermost enclosing scope
};

struct HtmlText {
  std::string title;          // text of <title>, collapsed like a block
  std::string first_heading;  // text of the first visible <h1>, if any
  std::vector<HtmlScope> scopes;
  std::vector<TextBlock> blocks;
  std::size_t main_scope = 0;

  // True when scope `inner` is `outer` or lies inside it.
  bool within(std::size_t inner, std::size_t outer) const;
};

// Parses with gumbo's error list off: gumbo 0.10 copies the open-element stack into every parse error it
// records, which makes deeply nested inline markup cost quadratic memory.
HtmlText html_visible_text(std::string_view html);

// An upper bound of how deep `html` nests elements, read without parsing: start tags minus end tags, not counting
// void elements (br, img, ...), elements whose end tag may be left out (p, li, td, tr, ...), comments, and the raw
// text of script, style, textarea, title and xmp. gumbo 0.10 recurses and rescans its element stack, so a page
// nested tens of thousands deep takes minutes or overflows the stack; callers refuse pages over a bound first.
std::size_t html_nesting_bound(std::string_view html);

}  // namespace allowdrift::feeds
