// libFuzzer target: the JSON list format (daemon/feeds/json_document.h, json_selector.h, json_list.h).
//
// Input: a selector on the first line, the document after it. Checked on every run:
//   - selector compilation is deterministic: the compiled text compiles again, and compile errors are printable
//     ASCII of bounded length;
//   - the strict document parser agrees with Boost.JSON's own parser (same options): whatever it accepts,
//     boost::json::parse accepts with an equal value, and the document serialized again is accepted with an
//     equal value (doubles up to rounding; duplicate-key detection must not fire on a clean document); its
//     errors are printable ASCII;
//   - for the fuzzed selector and a few fixed ones (every member, every element, two levels, an optional key,
//     a filter): evaluation is deterministic; every selected string has a non-empty printable path; the number
//     of strings equals the number of values visited when each is a string, or the sum of array sizes; and
//     extract_json either accepts with exactly that many entries (IP + domain), or rejects with a printable
//     message that, for an invalid entry, names the path of one of the selected strings;
//   - the streaming extraction (extract_json, JsonListReader: no document, selectors evaluated on the parser's
//     events) gives exactly what the document walk gives (extract_json_value on parse_json_document), error
//     message for error message, whether the bytes come whole, in pieces of pseudo-random sizes drawn from the
//     input, or byte by byte; for one section per selector, and for a spec that interleaves several selectors,
//     sections, skip rules and a change token.
#include "feeds/json_list.h"
#include "fuzz_check.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using allowdrift::fuzz::escape_all;
using allowdrift::fuzz::printable_ascii;
using namespace allowdrift;

constexpr std::size_t kMaxMessage = 16 * 1024;

void check_message(const std::string& message, const char* what) {
  FUZZ_CHECK(!message.empty(), std::string("empty ") + what + " message");
  FUZZ_CHECK(printable_ascii(message), std::string(what) + " message not printable: \"" + escape_all(message) + "\"");
  FUZZ_CHECK(message.size() <= kMaxMessage,
             std::string(what) + " message of " + std::to_string(message.size()) + " bytes");
}

// Boost.JSON 1.81 does not read every double back exactly as it wrote it (correctly rounded parsing came in
// 1.83, parse_options::numbers), so doubles are compared with a relative tolerance.
bool same_up_to_double_rounding(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double();
    const double y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_up_to_double_rounding(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const auto* other = y.if_contains(kv.key());
      if (other == nullptr || !same_up_to_double_rounding(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

std::string describe_list(const feeds::ExtractedList& l) {
  std::string out = "sections";
  for (const auto& s : l.sections) {
    out += " [" + escape_all(s.name) + ": " + std::to_string(s.ip_entries) + " ip, " +
           std::to_string(s.domain_entries) + " domain;";
    for (const auto& c : s.ips.to_cidr_strings()) out += " " + c;
    for (const auto& d : s.domains) out += " " + escape_all(d.to_string());
    out += "]";
  }
  out += " token " + (l.change_token ? escape_all(*l.change_token) : std::string("-"));
  for (const auto& w : l.warnings) out += " | " + escape_all(w);
  return out + " rejected " + std::to_string(l.rejected_tokens);
}

std::string describe_result(const model::ParseResult<feeds::ExtractedList>& r) {
  return r ? describe_list(*r) : "error: " + escape_all(r.error().message);
}

// Pieces of 1 to 64 bytes (now and then up to 1 KiB), from a generator seeded by the input.
model::ParseResult<feeds::ExtractedList> extract_in_pieces(std::string_view bytes, const feeds::JsonListSpec& spec,
                                                           std::uint64_t seed, bool byte_by_byte) {
  feeds::JsonListReader reader(spec);
  std::uint64_t x = seed | 1;
  for (std::size_t at = 0; at < bytes.size();) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::size_t size = byte_by_byte ? 1 : (x % 16 == 0 ? 1 + x % 1024 : 1 + x % 64);
    reader.write(bytes.substr(at, size));
    at += size;
  }
  return reader.finish();
}

// The streaming extraction against the walk over the parsed document (or the document's own error).
void check_streaming(std::string_view bytes, const model::ParseResult<boost::json::value>& doc,
                     const feeds::JsonListSpec& spec, std::uint64_t seed) {
  const auto reference = doc ? feeds::extract_json_value(*doc, spec)
                             : model::ParseResult<feeds::ExtractedList>(model::ParseError{doc.error().message});
  const auto expected = describe_result(reference);
  const auto whole = describe_result(feeds::extract_json(bytes, spec));
  FUZZ_CHECK(whole == expected, "streaming extraction differs from the document walk:\n    stream:   " + whole +
                                    "\n    document: " + expected);
  const auto pieces = describe_result(extract_in_pieces(bytes, spec, seed, false));
  FUZZ_CHECK(pieces == expected, "extraction in pieces differs from the document walk:\n    pieces:   " + pieces +
                                     "\n    document: " + expected);
  if (bytes.size() <= 512) {
    const auto bytewise = describe_result(extract_in_pieces(bytes, spec, seed, true));
    FUZZ_CHECK(bytewise == expected, "extraction byte by byte differs from the document walk:\n    bytes:    " +
                                         bytewise + "\n    document: " + expected);
  }
}

void check_selector(const feeds::JsonSelector& selector, const boost::json::value& doc) {
  auto first = selector.select_strings(doc);
  auto again = selector.select_strings(doc);
  FUZZ_CHECK(first.has_value() == again.has_value(), "evaluation not deterministic for " + selector.text());
  if (!first) {
    check_message(first.error().message, "selector evaluation");
    FUZZ_CHECK(first.error().message == again.error().message, "evaluation errors differ for " + selector.text());
  } else {
    FUZZ_CHECK(first->size() == again->size(), "evaluation not deterministic for " + selector.text());
    std::size_t expected = 0;
    auto counted = selector.for_each_value(doc, [&](const feeds::JsonPath&, const boost::json::value& v) {
      expected += v.is_array() ? v.get_array().size() : 1;
      return model::ParseResult<void>{};
    });
    FUZZ_CHECK(counted.has_value(), "for_each_value fails where select_strings succeeds: " + selector.text());
    FUZZ_CHECK(expected == first->size(), "selected " + std::to_string(first->size()) + " strings, visited values " +
                                              "hold " + std::to_string(expected));
    for (const auto& s : *first) {
      FUZZ_CHECK(!s.path.empty(), "empty path for a selected string with selector " + selector.text());
      FUZZ_CHECK(printable_ascii(s.path), "path not printable: \"" + escape_all(s.path) + "\"");
    }
  }

  feeds::JsonListSpec spec;
  spec.sections.push_back({"", {selector}});
  auto list = feeds::extract_json_value(doc, spec);
  if (list) {
    FUZZ_CHECK(first.has_value(), "extract_json accepts where select_strings fails: " + selector.text());
    FUZZ_CHECK(list->total_ip_entries() + list->total_domain_entries() == first->size(),
               "entries " + std::to_string(list->total_ip_entries() + list->total_domain_entries()) +
                   " != " + std::to_string(first->size()) + " selected strings");
    FUZZ_CHECK(list->rejected_tokens == 0, std::string("accepted list with rejected tokens"));
    return;
  }
  const auto& message = list.error().message;
  check_message(message, "extract_json");
  static constexpr std::string_view kInvalid = "invalid entry at ";
  if (first && message.starts_with(kInvalid)) {
    bool named = false;
    for (const auto& s : *first) {
      if (message.compare(kInvalid.size(), s.path.size() + 2, s.path + ": ") == 0) named = true;
    }
    FUZZ_CHECK(named, "invalid entry reported at a path that was not selected: " + escape_all(message));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  allowdrift::fuzz::g_input = input;
  const auto nl = input.find('\n');
  const std::string_view selector_text = nl == std::string_view::npos ? input : input.substr(0, nl);
  const std::string_view bytes = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  std::vector<feeds::JsonSelector> selectors;
  if (auto compiled = feeds::JsonSelector::compile(selector_text)) {
    auto recompiled = feeds::JsonSelector::compile(compiled->text());
    FUZZ_CHECK(recompiled.has_value() && recompiled->text() == compiled->text(),
               std::string("compiled selector text does not compile again"));
    selectors.push_back(std::move(*compiled));
  } else {
    check_message(compiled.error().message, "selector compile");
  }
  for (const char* fixed : {"*", "[]", "*.*", "*[]", "[].*", "prefixes[].ip_prefix?", "items[product=jira].cidr"}) {
    auto compiled = feeds::JsonSelector::compile(fixed);
    FUZZ_CHECK(compiled.has_value(), std::string("fixed selector does not compile: ") + fixed);
    selectors.push_back(std::move(*compiled));
  }

  feeds::JsonLimits limits;
  limits.max_bytes = 1 << 20;
  auto doc = feeds::parse_json_document(bytes, limits);

  std::uint64_t seed = 14695981039346656037ULL;  // FNV-1a of the input: the same pieces on every run
  for (char c : input) seed = (seed ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  for (const auto& selector : selectors) {
    feeds::JsonListSpec one;
    one.limits = limits;
    one.sections.push_back({"", {selector}});
    check_streaming(bytes, doc, one, seed);
  }
  // Several selectors at once, in two sections, with skip rules and the first selector as the change token.
  feeds::JsonListSpec mixed;
  mixed.limits = limits;
  mixed.sections.push_back({"a", {selectors.front(), selectors[1]}});
  mixed.sections.push_back({"b", {selectors[2], selectors.back(), selectors.front()}});
  mixed.change_token = selectors.front();
  mixed.skip_tokens = {"x.example", "192.0.2.1"};
  check_streaming(bytes, doc, mixed, seed);

  if (!doc) {
    check_message(doc.error().message, "document");
    return 0;
  }

  boost::json::parse_options options;
  options.max_depth = limits.max_depth;
  boost::json::error_code ec;
  const auto reference = boost::json::parse(bytes, ec, {}, options);
  FUZZ_CHECK(!ec, "accepted a document that Boost.JSON rejects: " + ec.message());
  FUZZ_CHECK(reference == *doc, std::string("parsed value differs from Boost.JSON's"));
  const auto text = boost::json::serialize(*doc);
  auto round = feeds::parse_json_document(text, {});
  FUZZ_CHECK(round.has_value(), "serialized document rejected: " + (round ? std::string() : round.error().message));
  FUZZ_CHECK(same_up_to_double_rounding(*round, *doc), std::string("serialized document reads back differently"));

  for (const auto& selector : selectors) check_selector(selector, *doc);
  return 0;
}
