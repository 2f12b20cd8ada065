// Shared helpers of the store tests: a fresh temporary state directory per test (temp_dir.h), and snapshot inputs
// built from list text.
#pragma once

#include "../temp_dir.h"
#include "feeds/plain_list.h"
#include "store/snapshot_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace allowdrift::store::testing {

using allowdrift::testing::TempDir;

// A single-section snapshot from plain list text ("192.0.2.0/24\nexample.com\n").
inline SnapshotInput snapshot_of(const std::string& source, std::int64_t at, const std::string& list_text,
                                 SnapshotStatus status = SnapshotStatus::kAccepted, const std::string& section = "") {
  auto list = feeds::parse_plain_list(list_text);
  EXPECT_TRUE(list.ok()) << (list.errors.empty() ? "" : list.errors.front().message);
  SnapshotInput in;
  in.source = source;
  in.fetched_at = at;
  in.status = status;
  in.sections.push_back({section, list.ips, list.domains.patterns()});
  return in;
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace allowdrift::store::testing
