#include "feeds/html_text.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <utility>

namespace allowdrift::feeds {
namespace {

constexpr bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr std::array<std::string_view, 16> kChromeWords = {
    "nav",    "navbar", "navigation", "menu",   "sidebar", "breadcrumb", "breadcrumbs", "related",
    "footer", "header", "banner",     "cookie", "cookies", "share",      "social",      "aside"};

bool is_chrome_word(std::string_view word) {
  for (auto w : kChromeWords)
    if (w == word) return true;
  return false;
}

// True when an id or class list holds a chrome word (see html_text.h for the splitting rule).
bool names_chrome(std::string_view value) {
  std::string word;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    const char c = i < value.size() ? value[i] : ' ';
    const bool boundary = !is_alnum(c) || (is_upper(c) && i > 0 && is_lower(value[i - 1]));
    if (boundary && !word.empty()) {
      if (is_chrome_word(word)) return true;
      word.clear();
    }
    if (is_alnum(c)) word += to_lower(c);
  }
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

const char* attribute(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a != nullptr ? a->value : nullptr;
}

bool is_skipped(const GumboElement& e) {
  switch (e.tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
      return true;
    default:
      break;
  }
  if (attribute(e, "hidden") != nullptr) return true;
  if (const char* role = attribute(e, "role")) {
    const std::string r = lower(role);
    if (r == "navigation" || r == "banner" || r == "contentinfo" || r == "complementary" || r == "search") return true;
  }
  for (const char* name : {"id", "class"})
    if (const char* v = attribute(e, name); v != nullptr && names_chrome(v)) return true;
  return false;
}

bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
      return true;
    default:
      return false;
  }
}

std::optional<ScopeKind> scope_kind(const GumboElement& e) {
  if (e.tag == GUMBO_TAG_MAIN) return ScopeKind::kMain;
  if (const char* role = attribute(e, "role"); role != nullptr && lower(role) == "main") return ScopeKind::kMain;
  if (e.tag == GUMBO_TAG_ARTICLE) return ScopeKind::kArticle;
  if (e.tag == GUMBO_TAG_UL || e.tag == GUMBO_TAG_OL) return ScopeKind::kList;
  if (e.tag == GUMBO_TAG_LI) return ScopeKind::kListItem;
  return std::nullopt;
}

// Length of the whitespace character at the start of `s` (ASCII, U+00A0, U+2000-U+200B, U+202F, U+3000, U+FEFF),
// or 0.
std::size_t whitespace_length(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c == 0xC2 && s.size() >= 2 && b(1) == 0xA0) return 2;
  if (s.size() < 3) return 0;
  if (c == 0xE2 && b(1) == 0x80 && (b(2) <= 0x8B || b(2) == 0xAF)) return 3;
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;
  if (c == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;
  return 0;
}

// Collapses whitespace while text is appended; a block is taken when a block boundary is reached.
class TextCollector {
 public:
  void append(std::string_view s) {
    while (!s.empty()) {
      if (const auto n = whitespace_length(s); n > 0) {
        space_ = !text_.empty();
        s.remove_prefix(n);
        continue;
      }
      if (space_) text_ += ' ';
      space_ = false;
      text_ += s.front();
      s.remove_prefix(1);
    }
  }
  std::string take() {
    space_ = false;
    return std::exchange(text_, {});
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  bool space_ = false;
};

std::string node_text(const GumboNode& node) {
  TextCollector collector;
  std::vector<const GumboNode*> stack{&node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
      collector.append(n->v.text.text);
    } else if (n->type == GUMBO_NODE_ELEMENT) {
      const GumboVector& children = n->v.element.children;
      for (unsigned i = children.length; i > 0; --i)
        stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
  return collector.take();
}

struct OutputDeleter {
  void operator()(GumboOutput* output) const { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};

constexpr std::array<std::string_view, 32> kNoNesting = {
    // void elements
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "keygen",
    // elements whose end tag may be omitted
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "colgroup", "rt", "rp",
    "html", "head"};

constexpr std::array<std::string_view, 5> kRawText = {"script", "style", "textarea", "title", "xmp"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

// Position after the first case-insensitive occurrence of `needle` (lowercase) at or after `from`, or npos.
std::size_t find_after(std::string_view s, std::string_view needle, std::size_t from) {
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && to_lower(s[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i + k;
  }
  return std::string_view::npos;
}

// Walks the tree without recursion (a page can nest thousands of elements).
class Walker {
 public:
  explicit Walker(HtmlText& out) : out_(out) { out_.scopes.push_back(HtmlScope{ScopeKind::kBody, 0, 0}); }

  void run(const GumboNode* root) {
    struct Frame {
      const GumboNode* node;
      unsigned next_child = 0;
      bool block = false;
      bool scope = false;
      bool heading = false;
    };
    std::vector<Frame> stack;
    const auto enter = [&](const GumboNode* node) {
      if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA) {
        text_.append(node->v.text.text);
        return;
      }
      if (node->type != GUMBO_NODE_ELEMENT) return;  // comments; template contents are GUMBO_NODE_TEMPLATE
      const GumboElement& e = node->v.element;
      if (e.tag == GUMBO_TAG_HEAD) read_title(*node);
      if (is_skipped(e)) return;
      Frame f{node};
      f.block = is_block(e.tag);
      if (f.block) flush();
      if (e.tag != GUMBO_TAG_BODY) {
        if (const auto kind = scope_kind(e)) {
          out_.scopes.push_back(HtmlScope{*kind, current_scope(), 0});
          scopes_.push_back(out_.scopes.size() - 1);
          f.scope = true;
          if (*kind == ScopeKind::kMain && !first_main_) first_main_ = scopes_.back();
          if (*kind == ScopeKind::kArticle && !first_article_) first_article_ = scopes_.back();
        }
      }
      f.heading = e.tag == GUMBO_TAG_H1 && out_.first_heading.empty();
      stack.push_back(f);
    };

    enter(root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector& children = f.node->v.element.children;
      if (f.next_child < children.length) {
        const auto* child = static_cast<const GumboNode*>(children.data[f.next_child++]);
        enter(child);  // may reallocate `stack`: `f` is not used after this
        continue;
      }
      if (f.heading) out_.first_heading = text_.text();
      if (f.block) flush();
      if (f.scope) scopes_.pop_back();
      stack.pop_back();
    }
    flush();

    // Scopes are numbered in document order, so every parent precedes its children.
    for (std::size_t i = out_.scopes.size(); i-- > 1;)
      out_.scopes[out_.scopes[i].parent].blocks += out_.scopes[i].blocks;
    out_.main_scope = first_main_ ? *first_main_ : first_article_ ? *first_article_ : 0;
  }

 private:
  std::size_t current_scope() const { return scopes_.empty() ? 0 : scopes_.back(); }

  void flush() {
    std::string text = text_.take();
    if (text.empty()) return;
    ++out_.scopes[current_scope()].blocks;
    out_.blocks.push_back(TextBlock{std::move(text), current_scope()});
  }

  void read_title(const GumboNode& head) {
    const GumboVector& children = head.v.element.children;
    for (unsigned i = 0; i < children.length && out_.title.empty(); ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_TITLE) out_.title = node_text(*child);
    }
  }

  HtmlText& out_;
  TextCollector text_;
  std::vector<std::size_t> scopes_;  // open scopes, innermost last; empty means the body
  std::optional<std::size_t> first_main_;
  std::optional<std::size_t> first_article_;
};

}  // namespace

bool HtmlText::within(std::size_t inner, std::size_t outer) const {
  // Parents have smaller indices, so the walk up stops as soon as it passes `outer`.
  while (inner > outer) inner = scopes[inner].parent;
  return inner == outer;
}

HtmlText html_visible_text(std::string_view html) {
  HtmlText out;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  std::unique_ptr<GumboOutput, OutputDeleter> parsed(gumbo_parse_with_options(&options, html.data(), html.size()));
  if (parsed) Walker(out).run(parsed->root);
  return out;
}

std::size_t html_nesting_bound(std::string_view html) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  std::size_t next_gt = 0;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    ++i;
    if (html.substr(i).starts_with("!--")) {
      i = find_after(html, "-->", i + 3);
      if (i == std::string_view::npos) break;
      continue;
    }
    const bool end = i < html.size() && html[i] == '/';
    if (end) ++i;
    std::string name;
    while (i < html.size() && is_alnum(html[i])) name += to_lower(html[i++]);
    if (name.empty()) continue;
    if (end) {
      if (!contains(kNoNesting, name) && depth > 0) --depth;
      continue;
    }
    if (next_gt < i) next_gt = html.find('>', i);  // once per '>', so many unclosed '<' stay linear
    const bool self_closing = next_gt != std::string_view::npos && html[next_gt - 1] == '/';
    if (contains(kRawText, name)) {
      i = find_after(html, "</" + name, i);
      if (i == std::string_view::npos) break;
      continue;
    }
    if (!self_closing && !contains(kNoNesting, name)) deepest = std::max(deepest, ++depth);
  }
  return deepest;
}

}  // namespace allowdrift::feeds
