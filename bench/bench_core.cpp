// Micro-benchmarks of the stages of `allowdrift diff --only missing P A` on generated 1M-entry lists (prefix_gen.h):
// parse (tokens to entries), parse+merge (the whole plain list parser), merge alone (sort and coalesce),
// difference, and rendering the minimal CIDR list. Run: build/release/bench/allowdrift_bench_core
#include "prefix_gen.h"

#include "diff/diff_report.h"
#include "diff/list_diff.h"
#include "feeds/plain_list.h"
#include "model/ip_entry.h"
#include "model/ip_set.h"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace ab = allowdrift::bench;
using allowdrift::feeds::PlainList;

constexpr std::size_t kCount = 1000000;
constexpr std::uint64_t kSeed = 1;

struct Lists {
  std::string published_text;
  std::string local_text;
  PlainList published;
  PlainList local;
};

const Lists& lists(ab::Family family) {
  static std::map<ab::Family, Lists> cache;
  auto it = cache.find(family);
  if (it == cache.end()) {
    ab::GenOptions o;
    o.family = family;
    o.count = kCount;
    o.seed = kSeed;
    Lists l;
    l.published_text = ab::to_text(family, ab::generate(o));
    o.local = true;
    l.local_text = ab::to_text(family, ab::generate(o));
    l.published = allowdrift::feeds::parse_plain_list(l.published_text);
    l.local = allowdrift::feeds::parse_plain_list(l.local_text);
    it = cache.emplace(family, std::move(l)).first;
  }
  return it->second;
}

ab::Family family_arg(const benchmark::State& state) { return state.range(0) == 4 ? ab::Family::kV4 : ab::Family::kV6; }

// parse_ip_entry on every line, nothing kept: the per-token cost.
void BM_ParseEntries(benchmark::State& state) {
  const std::string& text = lists(family_arg(state)).published_text;
  for (auto _ : state) {
    std::size_t ok = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      ok += allowdrift::model::parse_ip_entry(rest.substr(0, nl)).has_value() ? std::size_t{1} : std::size_t{0};
      rest.remove_prefix(nl + 1);
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(kCount)));
}

// The whole plain list parser, fed in 1 MiB chunks like read_list_file: lines, tokens, entries, sort and merge.
void BM_ParseAndMerge(benchmark::State& state) {
  const std::string& text = lists(family_arg(state)).published_text;
  for (auto _ : state) {
    allowdrift::feeds::PlainListParser parser;
    for (std::size_t at = 0; at < text.size(); at += std::size_t{1} << 20)
      parser.feed(std::string_view(text).substr(at, std::size_t{1} << 20));
    PlainList list = std::move(parser).finish();
    benchmark::DoNotOptimize(list.ips.v4().interval_count() + list.ips.v6().interval_count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(kCount)));
}

// Sort and coalesce alone, from already parsed entries.
void BM_MergeOnly(benchmark::State& state) {
  const std::string& text = lists(family_arg(state)).published_text;
  std::vector<allowdrift::model::IpEntry> entries;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    entries.push_back(allowdrift::model::parse_ip_entry(rest.substr(0, nl)).value());
    rest.remove_prefix(nl + 1);
  }
  for (auto _ : state) {
    allowdrift::model::IpSetBuilder builder;
    for (const auto& e : entries) builder.add(e);
    const allowdrift::model::IpSet set = std::move(builder).build();
    benchmark::DoNotOptimize(set.v4().interval_count() + set.v6().interval_count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(kCount)));
}

// compare_lists: both differences (missing and stale), as the CLI computes them.
void BM_CompareLists(benchmark::State& state) {
  const Lists& l = lists(family_arg(state));
  for (auto _ : state) {
    const auto d = allowdrift::diff::compare_lists(l.published.ips, l.published.domains, l.local.ips, l.local.domains);
    benchmark::DoNotOptimize(d.missing_ips.v4().interval_count() + d.missing_ips.v6().interval_count());
  }
  state.counters["P_intervals"] =
      static_cast<double>(l.published.ips.v4().interval_count() + l.published.ips.v6().interval_count());
  state.counters["A_intervals"] =
      static_cast<double>(l.local.ips.v4().interval_count() + l.local.ips.v6().interval_count());
}

// write_bare_list of the missing side into a sink that only counts bytes.
void BM_RenderMissing(benchmark::State& state) {
  const Lists& l = lists(family_arg(state));
  const auto d = allowdrift::diff::compare_lists(l.published.ips, l.published.domains, l.local.ips, l.local.domains);
  std::size_t bytes = 0;
  for (auto _ : state) {
    allowdrift::diff::OutputSink sink([&](std::string_view s) { bytes += s.size(); });
    allowdrift::diff::write_bare_list(d, allowdrift::diff::Side::kMissing, sink);
  }
  state.counters["bytes_per_run"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(BM_ParseEntries)->Arg(4)->Arg(6)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseAndMerge)->Arg(4)->Arg(6)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MergeOnly)->Arg(4)->Arg(6)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompareLists)->Arg(4)->Arg(6)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderMissing)->Arg(4)->Arg(6)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
