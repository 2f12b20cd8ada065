#include "feeds/list_guards.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace allowdrift::feeds {
namespace {

std::string percent(double share) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.0f%%", share * 100.0);
  return buf.data();
}

struct SpecialRange {
  model::Family family;
  const char* cidr;
  const char* what;
};

// Ranges that have no business in a vendor's list of public addresses (RFC 6890 and friends).
constexpr std::array<SpecialRange, 12> kSpecial{{
    {model::Family::kV4, "10.0.0.0/8", "private (RFC 1918)"},
    {model::Family::kV4, "172.16.0.0/12", "private (RFC 1918)"},
    {model::Family::kV4, "192.168.0.0/16", "private (RFC 1918)"},
    {model::Family::kV4, "127.0.0.0/8", "loopback"},
    {model::Family::kV4, "169.254.0.0/16", "link-local"},
    {model::Family::kV4, "100.64.0.0/10", "shared address space (CGNAT)"},
    {model::Family::kV4, "192.0.2.0/24", "documentation"},
    {model::Family::kV4, "198.51.100.0/24", "documentation"},
    {model::Family::kV4, "203.0.113.0/24", "documentation"},
    {model::Family::kV6, "::1/128", "loopback"},
    {model::Family::kV6, "fe80::/10", "link-local"},
    {model::Family::kV6, "fc00::/7", "unique local"},
}};

void flag_ranges(const ExtractedSection& section, std::vector<std::string>& flags) {
  const std::string where = section.name.empty() ? "" : " in section " + section.name;
  for (const auto& special : kSpecial) {
    const auto entry = model::parse_ip_entry(special.cidr);
    if (entry && section.ips.intersects(*entry))
      flags.push_back(std::string(special.what) + " addresses (" + special.cidr + ")" + where);
  }
  auto broad = [&](model::Family family, model::U128 net, int len, int min_len) {
    if (len < min_len) flags.push_back("very broad prefix " + model::format_cidr(family, net, len) + where);
  };
  model::for_each_cidr(section.ips.v4(), [&](std::uint32_t net, int len) { broad(model::Family::kV4, net, len, 8); });
  model::for_each_cidr(section.ips.v6(), [&](model::U128 net, int len) { broad(model::Family::kV6, net, len, 16); });
}

bool is_decimal(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kAccept:
      return "accept";
    case Verdict::kSuspect:
      return "suspect";
    case Verdict::kReject:
      return "reject";
  }
  return "reject";
}

std::size_t entry_count(const ExtractedList& list) {
  std::size_t n = 0;
  for (const auto& s : list.sections) n += s.ips.cidr_count() + s.domains.size();
  return n;
}

std::optional<int> compare_change_tokens(const std::string& a, const std::string& b) {
  const bool numeric = is_decimal(a) && is_decimal(b);
  if (!numeric && a.size() != b.size()) return std::nullopt;
  if (!numeric) {
    // Same-shape timestamps: every non-digit at the same place, so text order is time order.
    for (std::size_t i = 0; i < a.size(); ++i) {
      const bool da = a[i] >= '0' && a[i] <= '9';
      const bool db = b[i] >= '0' && b[i] <= '9';
      if (da != db || (!da && a[i] != b[i])) return std::nullopt;
    }
  }
  // Decimal numbers: strip leading zeros, then the longer is larger.
  std::string_view x = a;
  std::string_view y = b;
  if (numeric) {
    while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
    while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  }
  const int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

GuardReport judge(const ExtractedList& current, const ExtractedList* previous, const GuardPolicy& policy) {
  GuardReport report;
  auto reject = [&](std::string why) {
    report.verdict = Verdict::kReject;
    report.reasons.push_back(std::move(why));
  };
  auto suspect = [&](std::string why) {
    if (report.verdict == Verdict::kAccept) report.verdict = Verdict::kSuspect;
    report.reasons.push_back(std::move(why));
  };

  if (current.rejected_tokens > policy.max_rejected_tokens) {
    std::string why = std::to_string(current.rejected_tokens) + " invalid token(s), " +
                      std::to_string(policy.max_rejected_tokens) + " tolerated";
    if (!current.rejected_samples.empty()) why += "; first: " + current.rejected_samples.front();
    reject(std::move(why));
  }
  const std::size_t now = entry_count(current);
  if (now == 0 && !policy.may_be_empty) reject("empty list (the source is not configured as possibly empty)");

  if (previous != nullptr && report.verdict != Verdict::kReject) {
    const std::size_t before = entry_count(*previous);
    if (before > 0 && now < before) {
      const double shrink = 1.0 - static_cast<double>(now) / static_cast<double>(before);
      if (shrink > policy.max_shrink)
        suspect("shrank by " + percent(shrink) + " (" + std::to_string(before) + " -> " + std::to_string(now) +
                " entries; more than " + percent(policy.max_shrink) + ")");
    }
    if (before > 0 && static_cast<double>(now) >= policy.max_growth * static_cast<double>(before))
      suspect("grew " + std::to_string(now / before) + "x (" + std::to_string(before) + " -> " + std::to_string(now) +
              " entries)");
    if (current.change_token && previous->change_token) {
      const auto order = compare_change_tokens(*current.change_token, *previous->change_token);
      if (order && *order < 0)
        suspect("change token went backwards (" + *previous->change_token + " -> " + *current.change_token +
                "): an older copy of the list?");
    }
  }
  for (const auto& section : current.sections) flag_ranges(section, report.flags);
  return report;
}

}  // namespace allowdrift::feeds
