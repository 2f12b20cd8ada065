// allowdrift_bench_store's input (see bench_store.cpp): synthetic prefix lists of disjoint prefixes, snapshot
// inputs, the real AWS list and its generated following days.
#include "bench_store.h"

#include "model/ip_entry.h"
#include "model/ip_set.h"
#include "store/snapshot_store.h"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allowdrift::bench_store {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> SyntheticSource::make(std::size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(fresh());
  return out;
}

std::vector<std::string> SyntheticSource::replace(std::vector<std::string> list, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto at = static_cast<std::ptrdiff_t>(ab::uniform(rng_, list.size() - i));
    std::swap(*(list.begin() + at), *(list.end() - static_cast<std::ptrdiff_t>(i) - 1));
  }
  list.resize(list.size() - count);
  for (std::size_t i = 0; i < count; ++i) list.push_back(fresh());
  return list;
}

std::string SyntheticSource::fresh() {
  while (true) {
    const bool v4 = ab::uniform(rng_, 10) < 8;
    const std::uint64_t slot = v4 ? ab::uniform(rng_, 223ULL * 65536 / 2) : ab::uniform(rng_, 1ULL << 44);
    if (!used_.insert(slot << 1 | (v4 ? 0U : 1U)).second) continue;
    const std::uint64_t shape = ab::uniform(rng_, 10);
    if (v4) {
      const m::U128 net = m::U128{0x010000 + 2 * slot} << 8;
      if (shape < 5) return m::format_cidr(m::Family::kV4, net, 24);
      if (shape < 8) return m::format_cidr(m::Family::kV4, net + ab::uniform(rng_, 256), 32);
      const int len = 25 + static_cast<int>(ab::uniform(rng_, 7));
      return m::format_cidr(m::Family::kV4, net + (m::U128{ab::uniform(rng_, 1ULL << (len - 24))} << (32 - len)), len);
    }
    const m::U128 net = (m::U128{1} << 125) | (m::U128{2 * slot} << 80);
    if (shape < 5) return m::format_cidr(m::Family::kV6, net, 48);
    if (shape < 8) return m::format_cidr(m::Family::kV6, net | (m::U128{ab::uniform(rng_, 65536)} << 64), 64);
    const m::U128 host = (m::U128{ab::uniform(rng_, 65536)} << 64) | m::U128{rng_()};
    return m::format_cidr(m::Family::kV6, net | host, 128);
  }
}

m::IpSet to_ip_set(const std::vector<std::string>& prefixes) {
  m::IpSetBuilder builder;
  for (const auto& p : prefixes) {
    auto entry = m::parse_ip_entry(p);
    if (!entry) fail("bad prefix " + p + ": " + entry.error().message);
    builder.add(*entry);
  }
  return std::move(builder).build();
}

st::SnapshotInput snapshot_input(std::string source, std::int64_t fetched_at, m::IpSet ips) {
  st::SnapshotInput in;
  in.source = std::move(source);
  in.fetched_at = fetched_at;
  in.sections.push_back({"", std::move(ips), {}});
  return in;
}

m::IpSet read_aws(const fs::path& path, std::size_t& listed) {
  const boost::json::value doc = boost::json::parse(read_file(path));
  std::vector<std::string> prefixes;
  for (const auto& [array, key] : {std::pair{"prefixes", "ip_prefix"}, std::pair{"ipv6_prefixes", "ipv6_prefix"}})
    for (const auto& item : doc.as_object().at(array).as_array())
      prefixes.emplace_back(std::string_view(item.as_object().at(key).as_string()));
  listed = prefixes.size();
  return to_ip_set(prefixes);
}

namespace {

m::IpSet one_block(const std::string& cidr) { return to_ip_set({cidr}); }

}  // namespace

m::IpSet next_day(const m::IpSet& today, ab::Rng& rng) {
  constexpr int kRemove = 2;
  constexpr int kAdd4 = 2;
  constexpr int kAdd6 = 1;
  m::IpSet out = today;
  for (int i = 0; i < kRemove; ++i) {
    const auto blocks = out.to_cidr_strings();
    out = out.difference(one_block(blocks[ab::uniform(rng, blocks.size())]));
  }
  for (int i = 0; i < kAdd4 + kAdd6; ++i) {
    while (true) {
      const std::string cidr =
          i < kAdd4
              ? m::format_cidr(m::Family::kV4, m::U128{0x010000 + ab::uniform(rng, 223ULL * 65536)} << 8, 24)
              : m::format_cidr(m::Family::kV6, (m::U128{1} << 125) | (m::U128{ab::uniform(rng, 1ULL << 45)} << 80), 48);
      if (today.intersects(*m::parse_ip_entry(cidr))) continue;
      out = out.unite(one_block(cidr));
      break;
    }
  }
  return out;
}

}  // namespace allowdrift::bench_store
