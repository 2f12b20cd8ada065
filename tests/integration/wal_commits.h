// Commits counted in a SQLite WAL file: each commit's last frame carries the database size in pages, every other
// frame zero (sqlite.org/fileformat2.html#walformat). Tests use it to see how many commits (and so fsyncs under
// synchronous = FULL) a piece of work made.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace allowdrift::testing {

inline int wal_commits(const std::filesystem::path& wal) {
  std::ifstream in(wal, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto big_endian = [&](std::size_t at) {
    return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
           (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
  };
  if (bytes.size() < 32) return 0;
  const std::size_t page = big_endian(8);
  int commits = 0;
  for (std::size_t at = 32; at + 24 + page <= bytes.size(); at += 24 + page) {
    if (big_endian(at + 4) != 0) ++commits;
  }
  return commits;
}

}  // namespace allowdrift::testing
