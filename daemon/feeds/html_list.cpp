#include "feeds/html_list.h"

#include "feeds/html_text.h"
#include "model/ip_address.h"

#include <algorithm>
#include <array>

namespace allowdrift::feeds {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool is_word_char(char c) {
  return is_digit(c) || is_letter(c) || c == '.' || c == ':' || c == '/' || c == '-' || c == '_' || c == '*' ||
         c == '@' || c == '%';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

bool is_decimal(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// Drops sentence punctuation around a word, keeping the "::" that starts or ends an IPv6 address.
std::string_view trim_word(std::string_view w) {
  static constexpr std::string_view kLead = ".-/_%";
  static constexpr std::string_view kTrail = ".-/_%*";
  while (!w.empty()) {
    if (kLead.find(w.front()) != std::string_view::npos || (w.front() == ':' && !w.starts_with("::")) ||
        (w.front() == '*' && !w.starts_with("*."))) {
      w.remove_prefix(1);
    } else if (kTrail.find(w.back()) != std::string_view::npos || (w.back() == ':' && !w.ends_with("::"))) {
      w.remove_suffix(1);
    } else {
      break;
    }
  }
  return w;
}

bool ipv6_shaped(std::string_view w) {
  if (!std::all_of(w.begin(), w.end(),
                   [](char c) { return is_hex(c) || c == ':' || c == '.' || c == '/' || c == '-'; }))
    return false;
  return w.find("::") != std::string_view::npos || std::count(w.begin(), w.end(), ':') >= 7;
}

bool ipv4_shaped(std::string_view w) {
  for (int label = 0; label < 3; ++label) {
    const auto dot = w.find('.');
    if (dot == std::string_view::npos || !is_decimal(w.substr(0, dot))) return false;
    w.remove_prefix(dot + 1);
  }
  return !w.empty();
}

constexpr std::array<std::string_view, 24> kFileExtensions = {
    "htm", "html", "php",  "asp", "aspx", "jsp", "js",  "css", "json", "xml", "txt",  "csv",
    "png", "jpg",  "jpeg", "gif", "svg",  "pdf", "zip", "exe", "msi",  "doc", "docx", "xlsx"};

bool domain_shaped(std::string_view w) {
  if (w.starts_with("*.")) w.remove_prefix(2);
  const auto dot = w.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view tld = w.substr(dot + 1);
  const bool letters = tld.size() >= 2 && tld.size() <= 63 && std::all_of(tld.begin(), tld.end(), is_letter);
  if (!letters && !tld.starts_with("xn--")) return false;
  if (std::find(kFileExtensions.begin(), kFileExtensions.end(), lower(tld)) != kFileExtensions.end()) return false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= w.size(); ++i) {
    if (i < w.size() && w[i] != '.') {
      if (!is_letter(w[i]) && !is_digit(w[i]) && w[i] != '-' && w[i] != '_') return false;
      continue;
    }
    if (i == start) return false;  // empty label
    start = i + 1;
  }
  return true;
}

// Calls `f` with every word of `text` (see html_list.h for what a word is).
template <class F>
void for_each_word(std::string_view text, F&& f) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && is_word_char(text[i])) ++i;
    const std::string_view run = text.substr(start, i - start);
    if (run.find("://") != std::string_view::npos || run.find('@') != std::string_view::npos) continue;
    const std::string_view word = trim_word(run);
    if (word.find(':') == std::string_view::npos || ipv6_shaped(word)) {
      if (!word.empty()) f(word);
      continue;
    }
    for (std::size_t from = 0; from <= word.size();) {
      const auto colon = std::min(word.find(':', from), word.size());
      if (const auto piece = trim_word(word.substr(from, colon - from)); !piece.empty()) f(piece);
      from = colon + 1;
    }
  }
}

bool starts_with_error_status(std::string_view s) {
  return s.size() >= 3 && (s[0] == '4' || s[0] == '5') && is_digit(s[1]) && is_digit(s[2]) &&
         (s.size() == 3 || !is_digit(s[3]));
}

std::optional<std::string> error_page_reason(std::string_view bytes, const HtmlText& text) {
  static constexpr std::string_view kPrefix = "an error page where a list was expected: ";
  if (starts_with_error_status(text.title)) return std::string(kPrefix) + "title " + model::quote_token(text.title);
  if (starts_with_error_status(text.first_heading))
    return std::string(kPrefix) + "heading " + model::quote_token(text.first_heading);
  const std::string title = lower(text.title);
  for (std::string_view phrase : {"attention required! | cloudflare", "just a moment..."})
    if (title.find(phrase) != std::string::npos)
      return std::string(kPrefix) + "challenge page titled " + model::quote_token(text.title);
  for (std::string_view marker :
       {"/cdn-cgi/challenge-platform/", "cf-error-details", "cf-browser-verification", "cf_chl_opt"})
    if (bytes.find(marker) != std::string_view::npos)
      return std::string(kPrefix) + "Cloudflare error or challenge markup (" + std::string(marker) + ")";
  return std::nullopt;
}

std::optional<std::string> not_html_reason(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  while (!bytes.empty() && (bytes.front() == ' ' || bytes.front() == '\t' || bytes.front() == '\r' ||
                            bytes.front() == '\n' || bytes.front() == '\f'))
    bytes.remove_prefix(1);
  if (bytes.empty()) return "not an HTML page: the input is empty";
  if (bytes.front() != '<')
    return "not an HTML page: it starts with " +
           model::quote_token(bytes.substr(0, std::min<std::size_t>(16, bytes.size())));
  return std::nullopt;
}

model::ParseError failure(std::string message) { return model::ParseError{std::move(message)}; }

std::string list_anchors(const HtmlSectionSpec& s) {
  std::string out;
  for (const auto* names : {&s.anchors, &s.aliases})
    for (const auto& a : *names) out += (out.empty() ? "" : ", ") + model::quote_token(a);
  return out;
}

// Where a section opened at a block may run: the innermost scope around the block, or its parent when the block
// is all a list item holds.
std::size_t anchor_scope(const HtmlText& text, const TextBlock& block) {
  const HtmlScope& s = text.scopes[block.scope];
  if (block.scope != text.main_scope && s.kind == ScopeKind::kListItem && s.blocks == 1) return s.parent;
  return block.scope;
}

struct AnchorHit {
  std::size_t section;
  bool alias;
};

}  // namespace

std::vector<std::string_view> html_words(std::string_view text) {
  std::vector<std::string_view> out;
  for_each_word(text, [&](std::string_view word) { out.push_back(word); });
  return out;
}

std::optional<std::string> html_error_page(std::string_view bytes) {
  if (auto reason = not_html_reason(bytes)) return reason;
  return error_page_reason(bytes, html_visible_text(bytes));
}

model::ParseResult<ExtractedList> extract_html(std::string_view bytes, const HtmlListSpec& spec) {
  if (bytes.size() > spec.max_bytes)
    return failure("page of " + std::to_string(bytes.size()) + " bytes is over the limit of " +
                   std::to_string(spec.max_bytes));
  if (auto reason = not_html_reason(bytes)) return failure(std::move(*reason));
  if (const auto depth = html_nesting_bound(bytes); depth > spec.max_nesting)
    return failure("page nests elements up to " + std::to_string(depth) + " deep, over the limit of " +
                   std::to_string(spec.max_nesting));
  const HtmlText text = html_visible_text(bytes);
  if (auto reason = error_page_reason(bytes, text)) return failure(std::move(*reason));

  const bool sectioned = !spec.sections.empty();
  std::vector<std::pair<std::string, AnchorHit>> anchors;  // lowercased host name -> section
  for (std::size_t i = 0; i < spec.sections.size(); ++i) {
    for (const auto& a : spec.sections[i].anchors) anchors.push_back({lower(a), AnchorHit{i, false}});
    for (const auto& a : spec.sections[i].aliases) anchors.push_back({lower(a), AnchorHit{i, true}});
  }
  const auto find_anchor = [&](std::string_view word) -> const AnchorHit* {
    if (anchors.empty()) return nullptr;
    const std::string w = lower(word);
    for (const auto& [name, hit] : anchors)
      if (name == w) return &hit;
    return nullptr;
  };

  ExtractedList list;
  std::vector<SectionBuilder> builders;
  if (sectioned) {
    for (const auto& s : spec.sections) builders.emplace_back(s.name);
  } else {
    builders.emplace_back("");
  }
  std::vector<bool> via_anchor(builders.size(), false);
  std::vector<std::string> via_alias(builders.size());

  struct Open {
    std::size_t section;
    std::size_t scope;
  };
  std::optional<Open> open;
  if (!sectioned) open = Open{0, text.main_scope};

  for (const TextBlock& block : text.blocks) {
    if (!text.within(block.scope, text.main_scope)) continue;
    if (open && !text.within(block.scope, open->scope)) open.reset();
    for_each_word(block.text, [&](std::string_view word) {
      if (const AnchorHit* hit = find_anchor(word)) {
        if (hit->alias) {
          if (via_alias[hit->section].empty()) via_alias[hit->section] = lower(word);
        } else {
          via_anchor[hit->section] = true;
        }
        if (!open || open->section != hit->section || !text.within(block.scope, open->scope))
          open = Open{hit->section, anchor_scope(text, block)};
        return;
      }
      if (!open) return;
      const EntryKinds kinds = sectioned ? spec.sections[open->section].kinds.value_or(spec.kinds) : spec.kinds;
      if ((kinds.ips && (ipv4_shaped(word) || ipv6_shaped(word))) || (kinds.domains && domain_shaped(word)))
        builders[open->section].add(word, list);
    });
  }

  for (std::size_t i = 0; i < spec.sections.size(); ++i) {
    if (!via_anchor[i] && via_alias[i].empty())
      return failure("section \"" + spec.sections[i].name + "\": none of its anchors (" +
                     list_anchors(spec.sections[i]) + ") appears in the page's main body");
    if (!via_anchor[i])
      list.warnings.push_back("section \"" + spec.sections[i].name + "\" found only through the alias " +
                              model::quote_token(via_alias[i]));
  }
  if (list.rejected_tokens > spec.max_rejected) {
    std::string message = std::to_string(list.rejected_tokens) + " invalid token(s) on the page, tolerance " +
                          std::to_string(spec.max_rejected);
    if (!list.rejected_samples.empty()) message += "; first: " + list.rejected_samples.front();
    return failure(std::move(message));
  }
  for (auto& builder : builders) {
    ExtractedSection section = std::move(builder).build();
    if (section.ip_entries + section.domain_entries == 0)
      return failure(sectioned ? "section \"" + section.name + "\" holds no entries"
                               : std::string("the page's main body holds no entries"));
    list.sections.push_back(std::move(section));
  }
  return list;
}

}  // namespace allowdrift::feeds
