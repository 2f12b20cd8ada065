// libFuzzer target: the plain list parser (daemon/feeds/plain_list.h).
//
// Input: the first byte picks a split position, the rest is the list. Checked on every run, for the default
// options and for small limits (short max_line_length, few kept diagnostics):
//   - chunking does not matter: the list fed in two chunks split at that position (so lines, CRLF pairs and the
//     byte order mark span chunks), and fed with its first bytes one at a time, gives exactly the result of
//     parse_plain_list on the whole buffer (ip set, domain set, counts, diagnostics with their line numbers,
//     origins);
//   - the IpSet intervals are sorted, disjoint and non-adjacent, each interval starts at the first and ends at
//     the last of some parsed entry, and every parsed entry is covered; a small set's minimal CIDR cover parses
//     back to the same set;
//   - diagnostics: counts agree with the kept lists, line numbers are in order and within the list, and
//     messages are printable ASCII of bounded length (a hostile list must not inject text into logs).
#include "feeds/plain_list.h"
#include "fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using allowdrift::fuzz::escape_all;
using allowdrift::fuzz::hex128;
using allowdrift::fuzz::printable_ascii;
using namespace allowdrift;
using feeds::PlainList;
using feeds::PlainListOptions;

constexpr std::size_t kMaxMessage = 1024;

std::string show(const std::vector<feeds::ListDiagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += "\n    line " + std::to_string(d.line) + ": " + escape_all(d.message);
  return out;
}

bool same_diagnostics(const std::vector<feeds::ListDiagnostic>& a, const std::vector<feeds::ListDiagnostic>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.line == y.line && x.message == y.message; });
}

bool same_ip_origins(const std::vector<feeds::IpOrigin>& a, const std::vector<feeds::IpOrigin>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.line == y.line && x.entry == y.entry; });
}

bool same_domain_origins(const std::vector<feeds::DomainOrigin>& a, const std::vector<feeds::DomainOrigin>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.line == y.line && x.pattern == y.pattern; });
}

void check_equal(const PlainList& whole, const PlainList& chunked, const std::string& how) {
  const std::string where = " (" + how + ")";
  FUZZ_CHECK(chunked.ips == whole.ips, "ip sets differ" + where);
  FUZZ_CHECK(chunked.domains.size() == whole.domains.size(),
             "domain set sizes differ: " + std::to_string(chunked.domains.size()) + " vs " +
                 std::to_string(whole.domains.size()) + where);
  FUZZ_CHECK(chunked.domains.patterns() == whole.domains.patterns(), "domain sets differ" + where);
  FUZZ_CHECK(chunked.ip_entries == whole.ip_entries && chunked.domain_entries == whole.domain_entries,
             "entry counts differ" + where);
  FUZZ_CHECK(chunked.error_count == whole.error_count, "error counts differ: " + std::to_string(chunked.error_count) +
                                                           " vs " + std::to_string(whole.error_count) + where +
                                                           show(chunked.errors) + "\n  whole:" + show(whole.errors));
  FUZZ_CHECK(chunked.warning_count == whole.warning_count, "warning counts differ" + where);
  FUZZ_CHECK(same_diagnostics(chunked.errors, whole.errors),
             "errors differ" + where + show(chunked.errors) + "\n  whole:" + show(whole.errors));
  FUZZ_CHECK(same_diagnostics(chunked.warnings, whole.warnings),
             "warnings differ" + where + show(chunked.warnings) + "\n  whole:" + show(whole.warnings));
  FUZZ_CHECK(same_ip_origins(chunked.ip_origins, whole.ip_origins), "ip origins differ" + where);
  FUZZ_CHECK(same_domain_origins(chunked.domain_origins, whole.domain_origins), "domain origins differ" + where);
}

template <class T>
void check_intervals(const model::IntervalSet<T>& set, const std::vector<feeds::IpOrigin>& origins,
                     model::Family family) {
  std::vector<T> firsts;
  std::vector<T> lasts;
  for (const auto& o : origins) {
    if (o.entry.family != family) continue;
    firsts.push_back(static_cast<T>(o.entry.first));
    lasts.push_back(static_cast<T>(o.entry.last));
  }
  std::sort(firsts.begin(), firsts.end());
  std::sort(lasts.begin(), lasts.end());

  const auto ivs = set.intervals();
  for (std::size_t i = 0; i < ivs.size(); ++i) {
    const auto at = [&] {
      return std::string(model::family_name(family)) + " interval " + std::to_string(i) + " [" + hex128(ivs[i].first) +
             ", " + hex128(ivs[i].last) + "]";
    };
    FUZZ_CHECK(ivs[i].first <= ivs[i].last, at() + ": first > last");
    if (i > 0) {
      // Sorted, disjoint and non-adjacent: a gap of at least one value after the previous interval.
      FUZZ_CHECK(ivs[i - 1].last < ivs[i].first && ivs[i].first - ivs[i - 1].last >= 2,
                 at() + " overlaps or touches the one before, ending at " + hex128(ivs[i - 1].last));
    }
    FUZZ_CHECK(std::binary_search(firsts.begin(), firsts.end(), ivs[i].first) &&
                   std::binary_search(lasts.begin(), lasts.end(), ivs[i].last),
               at() + " does not start and end at parsed entries");
  }
}

void check_list(const PlainList& list, const PlainListOptions& options, std::size_t line_count) {
  FUZZ_CHECK(list.ok() == (list.error_count == 0), std::string("ok() disagrees with error_count"));
  FUZZ_CHECK(list.errors.size() == std::min(list.error_count, options.max_diagnostics),
             "kept " + std::to_string(list.errors.size()) + " of " + std::to_string(list.error_count) + " errors");
  FUZZ_CHECK(
      list.warnings.size() == std::min(list.warning_count, options.max_diagnostics),
      "kept " + std::to_string(list.warnings.size()) + " of " + std::to_string(list.warning_count) + " warnings");
  for (const auto* diagnostics : {&list.errors, &list.warnings}) {
    std::size_t previous = 0;
    for (const auto& d : *diagnostics) {
      FUZZ_CHECK(d.line >= 1 && d.line <= line_count && d.line >= previous,
                 "diagnostic line " + std::to_string(d.line) + " (list has " + std::to_string(line_count) +
                     " lines, previous diagnostic at " + std::to_string(previous) + ")");
      previous = d.line;
      FUZZ_CHECK(!d.message.empty(), "empty message at line " + std::to_string(d.line));
      FUZZ_CHECK(printable_ascii(d.message), "message with control or non-ASCII bytes at line " +
                                                 std::to_string(d.line) + ": \"" + escape_all(d.message) + "\"");
      FUZZ_CHECK(d.message.size() <= kMaxMessage, "message of " + std::to_string(d.message.size()) + " bytes");
    }
  }

  // keep_origins is on: one origin per entry, in line order.
  FUZZ_CHECK(list.ip_origins.size() == list.ip_entries && list.domain_origins.size() == list.domain_entries,
             std::string("origin counts differ from entry counts"));
  std::size_t previous = 0;
  for (const auto& o : list.ip_origins) {
    FUZZ_CHECK(o.line >= 1 && o.line <= line_count && o.line > previous,
               "ip origin at line " + std::to_string(o.line) + " after " + std::to_string(previous));
    previous = o.line;
    FUZZ_CHECK(list.ips.covers(o.entry), "entry at line " + std::to_string(o.line) + " not covered by the set");
  }
  FUZZ_CHECK(list.ip_entries > 0 || list.ips.empty(), std::string("non-empty ip set without entries"));
  check_intervals(list.ips.v4(), list.ip_origins, model::Family::kV4);
  check_intervals(list.ips.v6(), list.ip_origins, model::Family::kV6);

  const auto patterns = list.domains.patterns();
  FUZZ_CHECK(patterns.size() == list.domains.size(), std::string("patterns() size differs from size()"));
  FUZZ_CHECK(std::is_sorted(patterns.begin(), patterns.end(), model::domain_order),
             std::string("patterns() not in domain_order"));
  for (const auto& o : list.domain_origins)
    FUZZ_CHECK(list.domains.covers(o.pattern), "domain at line " + std::to_string(o.line) + " not covered");

  // The minimal CIDR cover of a small set is the same set again.
  if (list.ips.v4().interval_count() + list.ips.v6().interval_count() <= 8) {
    model::IpSetBuilder builder;
    for (const std::string& cidr : list.ips.to_cidr_strings()) {
      const auto e = model::parse_ip_entry(cidr);
      FUZZ_CHECK(e && e->form == model::EntryForm::kPrefix && !e->host_bits_cleared,
                 "to_cidr_strings wrote \"" + escape_all(cidr) + "\", which is not a clean prefix");
      builder.add(*e);
    }
    FUZZ_CHECK(std::move(builder).build() == list.ips, std::string("to_cidr_strings does not cover the set exactly"));
  }
}

// Lines as the parser numbers them: after an optional byte order mark, one per '\n', plus an unterminated last.
std::size_t count_lines(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

void run(std::string_view text, std::size_t split, PlainListOptions options) {
  options.keep_origins = true;
  const PlainList whole = feeds::parse_plain_list(text, options);
  check_list(whole, options, count_lines(text));

  {
    feeds::PlainListParser parser(options);
    parser.feed(text.substr(0, split));
    parser.feed(text.substr(split));
    check_equal(whole, std::move(parser).finish(), "two chunks split at " + std::to_string(split));
  }
  {
    // The first bytes singly (the byte order mark is recognized across chunks), then the rest.
    feeds::PlainListParser parser(options);
    const std::size_t singles = std::min<std::size_t>(text.size(), 8);
    for (std::size_t i = 0; i < singles; ++i) parser.feed(text.substr(i, 1));
    parser.feed({});
    parser.feed(text.substr(singles));
    check_equal(whole, std::move(parser).finish(), "first bytes one at a time");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  allowdrift::fuzz::g_input = std::string_view(reinterpret_cast<const char*>(data), size);
  // 0 splits before the first byte, 255 after the last; values between spread over the list.
  const std::size_t split = text.size() * data[0] / 255;

  run(text, split, PlainListOptions{});
  PlainListOptions small;
  small.max_diagnostics = 2;
  small.max_line_length = 24;
  run(text, split, small);
  return 0;
}
