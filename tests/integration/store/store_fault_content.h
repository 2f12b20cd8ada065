// Deterministic snapshot content shared by the fault tests and store_writer: generation K of the source "fault"
// is a fixed set of IPv4 /32s, so the test can recompute exactly what the writer meant to store for any snapshot
// it finds, and tell a complete snapshot from a torn one.
#pragma once

#include "model/ip_set.h"
#include "store/snapshot_store.h"

#include <cstdint>
#include <optional>
#include <string>

namespace allowdrift::store::fault {

inline constexpr const char* kSource = "fault";
inline constexpr std::int64_t kShift = 25'000;  // consecutive generations share N - kShift entries

// 50k to 75k prefixes: large enough that one record() spends most of its time inside its transaction.
inline std::int64_t entry_count(std::int64_t gen) { return 50'000 + (gen % 6) * 5'000; }

// Generation K: the addresses 10.0.0.0 + 2 * j for j in [K * kShift, K * kShift + N(K)), each a /32 that merges
// with no neighbour, so the minimal CIDR cover has exactly N(K) blocks.
inline model::IpSet content_of(std::int64_t gen, std::int64_t count) {
  model::IpSetBuilder builder;
  builder.reserve_v4(static_cast<std::size_t>(count));
  constexpr std::uint32_t kBase = 0x0A000000U;  // 10.0.0.0
  for (std::int64_t j = gen * kShift; j < gen * kShift + count; ++j) {
    const auto address = kBase + 2U * static_cast<std::uint32_t>(j);
    builder.add(model::IpEntry{model::Family::kV4, address, address, model::EntryForm::kAddress});
  }
  return std::move(builder).build();
}

// The writer stores "gen=K;n=N" as the vendor change token: the test reads K and N back from each row.
inline std::string change_token(std::int64_t gen) {
  return "gen=" + std::to_string(gen) + ";n=" + std::to_string(entry_count(gen));
}

struct TokenFields {
  std::int64_t gen = 0;
  std::int64_t count = 0;
};

inline std::optional<TokenFields> parse_change_token(const std::string& token) {
  TokenFields out;
  const auto sep = token.find(";n=");
  if (token.rfind("gen=", 0) != 0 || sep == std::string::npos) return std::nullopt;
  try {
    out.gen = std::stoll(token.substr(4, sep - 4));
    out.count = std::stoll(token.substr(sep + 3));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

inline SnapshotInput snapshot_input(std::int64_t gen) {
  SnapshotInput in;
  in.source = kSource;
  in.fetched_at = 1'700'000'000'000 + gen * 1000;
  in.change_token = change_token(gen);
  in.sections.push_back({"", content_of(gen, entry_count(gen)), {}});
  return in;
}

}  // namespace allowdrift::store::fault
