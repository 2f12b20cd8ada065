#include "firewall/config_text.h"

#include <algorithm>

namespace allowdrift::firewall {

std::vector<TextLine> split_lines(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<TextLine> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({++number, line});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && to_lower(a) == to_lower(b); }

std::string origin(std::string_view source, std::size_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

ReadError parse_error(std::string_view source, std::size_t line, std::string_view what) {
  return {ReadErrorKind::kParse, origin(source, line) + ": " + std::string(what)};
}

model::IpSet entry_set(const model::IpEntry& entry) {
  model::IpSetBuilder builder;
  builder.add(entry);
  return std::move(builder).build();
}

namespace {

template <class T>
void add_entries(const model::IntervalSet<T>& set, model::Family family, std::vector<model::IpEntry>& out) {
  const int width = model::address_bits(family);
  for (const auto& iv : set.intervals()) {
    model::IpEntry e;
    e.family = family;
    e.first = iv.first;
    e.last = iv.last;
    const model::U128 span = e.last - e.first;
    if (span == 0) {
      e.form = model::EntryForm::kAddress;
    } else {
      // A prefix when the block size is a power of two and the start is aligned to it.
      const bool whole = width == 128 ? span == ~model::U128{0} : span == model::low_mask<model::U128>(width);
      const bool power = whole || ((span + 1) & span) == 0;
      const bool aligned = whole || (e.first & span) == 0;
      e.form = power && aligned ? model::EntryForm::kPrefix : model::EntryForm::kRange;
    }
    out.push_back(e);
  }
}

}  // namespace

std::vector<model::IpEntry> entries_from_set(const model::IpSet& set) {
  std::vector<model::IpEntry> out;
  add_entries(set.v4(), model::Family::kV4, out);
  add_entries(set.v6(), model::Family::kV6, out);
  return out;
}

model::IpEntry whole_family(model::Family family) {
  model::IpEntry e;
  e.family = family;
  e.first = 0;
  e.last = family == model::Family::kV4 ? model::low_mask<model::U128>(32) : ~model::U128{0};
  e.form = model::EntryForm::kPrefix;
  return e;
}

std::string describe_set(const model::IpSet& set, std::size_t max) {
  const auto cidrs = set.to_cidr_strings();
  std::string out;
  const std::size_t shown = std::min(cidrs.size(), max);
  for (std::size_t i = 0; i < shown; ++i) out += (i == 0 ? "" : ", ") + cidrs[i];
  if (cidrs.size() > shown) out += " and " + std::to_string(cidrs.size() - shown) + " more";
  return out;
}

}  // namespace allowdrift::firewall
