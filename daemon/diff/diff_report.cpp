#include "diff/diff_report.h"

#include "diff/origin_index.h"

#include <boost/json.hpp>

#include <array>
#include <unordered_map>

namespace allowdrift::diff {
namespace {

namespace json = boost::json;
using model::Family;
using model::U128;

// Calls fn(family, network, prefix_length, first, last) for every block of the set.
template <class Fn>
void for_each_block(const model::IpSet& set, Fn&& fn) {
  model::for_each_cidr(set.v4(), [&](std::uint32_t net, int len) {
    fn(Family::kV4, U128{net}, len, U128{net}, U128{net | model::low_mask<std::uint32_t>(32 - len)});
  });
  model::for_each_cidr(
      set.v6(), [&](U128 net, int len) { fn(Family::kV6, net, len, net, net | model::low_mask<U128>(128 - len)); });
}

void write_cidr(Family family, U128 net, int len, OutputSink& out) {
  std::array<char, model::kMaxIpv6Text + 5> buf{};
  std::size_t n = family == Family::kV4 ? model::format_ipv4(static_cast<std::uint32_t>(net), buf.data())
                                        : model::format_ipv6(net, buf.data());
  buf[n++] = '/';
  if (len >= 100) buf[n++] = static_cast<char>('0' + len / 100);
  if (len >= 10) buf[n++] = static_cast<char>('0' + (len / 10) % 10);
  buf[n++] = static_cast<char>('0' + len % 10);
  out.write(std::string_view(buf.data(), n));
}

struct BlockCounts {
  std::size_t v4_blocks = 0;
  std::size_t v6_blocks = 0;
  std::uint64_t v4_addresses = 0;
};

BlockCounts count_blocks(const model::IpSet& set) {
  BlockCounts c;
  model::for_each_cidr(set.v4(), [&](std::uint32_t, int len) {
    ++c.v4_blocks;
    c.v4_addresses += std::uint64_t{1} << (32 - len);
  });
  model::for_each_cidr(set.v6(), [&](U128, int) { ++c.v6_blocks; });
  return c;
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::unordered_map<std::string, std::size_t> domain_lines(const feeds::PlainList& list) {
  std::unordered_map<std::string, std::size_t> lines;
  for (const auto& o : list.domain_origins) lines.emplace(o.pattern.to_string(), o.line);  // first occurrence wins
  return lines;
}

constexpr std::size_t kOriginsShown = 3;

void write_side(std::string_view title, const model::IpSet& ips, const std::vector<model::DomainPattern>& domains,
                const NamedList& from, OutputSink& out) {
  const BlockCounts c = count_blocks(ips);
  out.write(title);
  if (ips.empty() && domains.empty()) {
    out.write(": none\n");
    return;
  }
  std::string summary = ": " + plural(c.v4_blocks, "IPv4 block", "IPv4 blocks");
  if (c.v4_blocks > 0) summary += " (" + plural(c.v4_addresses, "address", "addresses") + ")";
  summary += ", " + plural(c.v6_blocks, "IPv6 block", "IPv6 blocks") + ", " +
             plural(domains.size(), "domain", "domains") + "\n";
  out.write(summary);

  const OriginIndex index(from.list.ip_origins);
  for_each_block(ips, [&](Family family, U128 net, int len, U128 first, U128 last) {
    std::string line = "  ";
    const std::size_t start = line.size();
    line += model::format_cidr(family, net, len);
    line.resize(std::max(line.size() + 2, start + 44), ' ');
    const auto origins = index.overlapping(family, first, last, kOriginsShown + 1);
    for (std::size_t i = 0; i < origins.size() && i < kOriginsShown; ++i) {
      if (i > 0) line += ", ";
      const auto text = entry_text(origins[i].entry);
      const bool same = origins[i].entry.first == first && origins[i].entry.last == last;
      line += same ? from.name : "part of " + text + " in " + from.name;
      line += ":" + std::to_string(origins[i].line);
    }
    if (origins.size() > kOriginsShown) line += ", ...";
    line += '\n';
    out.write(line);
  });
  const auto lines = domain_lines(from.list);
  for (const auto& d : domains) {
    std::string line = "  " + d.to_string();
    line.resize(std::max(line.size() + 2, std::size_t{46}), ' ');
    if (const auto it = lines.find(d.to_string()); it != lines.end())
      line += from.name + ":" + std::to_string(it->second);
    line += '\n';
    out.write(line);
  }
}

json::array json_blocks(const model::IpSet& ips, const NamedList& from) {
  json::array arr;
  const OriginIndex index(from.list.ip_origins);
  for_each_block(ips, [&](Family family, U128 net, int len, U128 first, U128 last) {
    json::array origins;
    for (const auto& o : index.overlapping(family, first, last, kOriginsShown)) {
      origins.push_back(json::object{{"line", o.line}, {"entry", entry_text(o.entry)}});
    }
    arr.push_back(json::object{{"cidr", model::format_cidr(family, net, len)}, {"from", std::move(origins)}});
  });
  return arr;
}

json::array json_domains(const std::vector<model::DomainPattern>& domains, const NamedList& from) {
  json::array arr;
  const auto lines = domain_lines(from.list);
  for (const auto& d : domains) {
    json::object o{{"domain", d.to_string()}};
    if (const auto it = lines.find(d.to_string()); it != lines.end()) o["line"] = it->second;
    arr.push_back(std::move(o));
  }
  return arr;
}

json::object json_list_summary(const NamedList& l) {
  json::array warnings;
  for (const auto& w : l.list.warnings) warnings.push_back(json::object{{"line", w.line}, {"message", w.message}});
  return json::object{{"file", l.name},
                      {"ip_entries", l.list.ip_entries},
                      {"domain_entries", l.list.domain_entries},
                      {"warning_count", l.list.warning_count},
                      {"warnings", std::move(warnings)}};
}

}  // namespace

void write_bare_list(const ListDiff& diff, Side side, OutputSink& out) {
  const bool missing = side == Side::kMissing;
  const auto& ips = missing ? diff.missing_ips : diff.stale_ips;
  const auto& domains = missing ? diff.missing_domains : diff.stale_domains;
  for_each_block(ips, [&](Family family, U128 net, int len, U128, U128) {
    write_cidr(family, net, len, out);
    out.write('\n');
  });
  for (const auto& d : domains) {
    out.write(d.to_string());
    out.write('\n');
  }
}

void write_text_report(const ListDiff& diff, const NamedList& published, const NamedList& local, OutputSink& out) {
  out.write("published " + published.name + ": " + plural(published.list.ip_entries, "IP entry", "IP entries") + ", " +
            plural(published.list.domain_entries, "domain", "domains") + "\n");
  out.write("local     " + local.name + ": " + plural(local.list.ip_entries, "IP entry", "IP entries") + ", " +
            plural(local.list.domain_entries, "domain", "domains") + "\n\n");
  write_side("missing (published, not allowed locally)", diff.missing_ips, diff.missing_domains, published, out);
  out.write("\n");
  write_side("stale (allowed locally, no longer published)", diff.stale_ips, diff.stale_domains, local, out);
}

std::string json_report(const ListDiff& diff, const NamedList& published, const NamedList& local, Side side) {
  if (side != Side::kBoth) {
    json::array arr;
    std::string text;
    OutputSink sink([&](std::string_view s) { text.append(s); });
    write_bare_list(diff, side, sink);
    sink.flush();
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      arr.emplace_back(rest.substr(0, nl));
      rest.remove_prefix(nl + 1);
    }
    return json::serialize(arr) + "\n";
  }
  json::object root{
      {"drift", !diff.empty()},
      {"published", json_list_summary(published)},
      {"local", json_list_summary(local)},
      {"missing", json::object{{"ips", json_blocks(diff.missing_ips, published)},
                               {"domains", json_domains(diff.missing_domains, published)}}},
      {"stale",
       json::object{{"ips", json_blocks(diff.stale_ips, local)}, {"domains", json_domains(diff.stale_domains, local)}}},
  };
  return json::serialize(root) + "\n";
}

}  // namespace allowdrift::diff
