// Store faults in the files themselves: truncated, header-garbled and zero-filled databases are refused at open with
// their bytes untouched; a missing state directory is kCannotOpen.
#include "store_fault_util.h"
#include "store_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace allowdrift::store {
namespace {

using namespace fault_test;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;

// --- corrupt or not-a-database files ---

// Both open paths (daemon: read-write; CLI: read-only) refuse the file, name it, and leave it and its directory
// exactly as they were.
void expect_refused_untouched(const fs::path& path) {
  const std::string before = read_bytes(path);
  const auto files_before = listing(path.parent_path());
  for (const bool read_only : {false, true}) {
    SCOPED_TRACE(read_only ? "open_state_db_read_only" : "open_state_db");
    const StoreError e = open_failure([&] {
      if (read_only)
        open_state_db_read_only(path);
      else
        open_state_db(path);
    });
    EXPECT_THAT(e.kind, AnyOf(StoreErrorKind::kCorrupt, StoreErrorKind::kNotADatabase)) << describe(e);
    EXPECT_THAT(e.message, HasSubstr(path.string()));
    EXPECT_EQ(read_bytes(path), before) << "the refused file was modified";
    auto files = listing(path.parent_path());
    if (read_only) {
      // A read-only SQLite connection to a WAL-mode file cannot remove the -wal and -shm it opened (it does so
      // with a sound database too); what matters is that it wrote no frame.
      const fs::path wal = path.string() + "-wal";
      if (fs::exists(wal)) {
        EXPECT_EQ(fs::file_size(wal), 0U) << "frames written to " << wal;
      }
      files.erase(wal.filename().string());
      files.erase(path.filename().string() + "-shm");
    }
    EXPECT_EQ(files, files_before) << "files left next to the refused database";
  }
}

TEST(StoreFault, TruncatedDatabaseIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path path = dir.path() / "state.db";
  make_database(path);
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 40U * 4096U);
  fs::resize_file(path, size / 2);
  expect_refused_untouched(path);
  EXPECT_EQ(fs::file_size(path), size / 2);
}

TEST(StoreFault, RandomBytesInTheHeaderAreRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path clean = dir.path() / "clean.db";
  make_database(clean);
  const std::string original = read_bytes(clean);
  std::mt19937 rng(100U);
  std::uniform_int_distribution<int> byte(0, 255);
  // All 100 header bytes, then (several seeds) everything after the 16-byte magic string, which SQLite must
  // judge from the fields themselves (page size, payload fractions, file format numbers, ...).
  for (int variant = 0; variant < 9; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    std::string bytes = original;
    for (std::size_t i = variant == 0 ? 0 : 16; i < 100; ++i) bytes[i] = static_cast<char>(byte(rng));
    const fs::path path = dir.path() / ("garbled-" + std::to_string(variant) + ".db");
    write_file(path, bytes);
    expect_refused_untouched(path);
  }
}

TEST(StoreFault, ZeroFilledFileIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path path = dir.path() / "state.db";
  write_file(path, std::string(4 * 4096, '\0'));
  expect_refused_untouched(path);
  EXPECT_EQ(read_bytes(path), std::string(4 * 4096, '\0'));
}

// --- missing state directory ---

TEST(StoreFault, MissingStateDirectoryIsAClearErrorAtStart) {
  TempDir dir;
  const fs::path missing = dir.path() / "not-created-yet" / "state.db";
  for (const bool read_only : {false, true}) {
    const StoreError e = open_failure([&] {
      if (read_only)
        open_state_db_read_only(missing);
      else
        open_state_db(missing);
    });
    EXPECT_EQ(e.kind, StoreErrorKind::kCannotOpen) << describe(e);
    EXPECT_THAT(e.message, HasSubstr(missing.string()));
    EXPECT_THAT(e.message, HasSubstr("does not exist"));
  }
  EXPECT_FALSE(fs::exists(missing.parent_path())) << "the state directory must not be created behind our back";

  // A regular file where the state directory should be.
  const fs::path not_a_dir = dir.path() / "state";
  write_file(not_a_dir, "x");
  const StoreError e = open_failure([&] { open_state_db(not_a_dir / "state.db"); });
  EXPECT_EQ(e.kind, StoreErrorKind::kCannotOpen) << describe(e);
  EXPECT_THAT(e.message, HasSubstr((not_a_dir / "state.db").string()));
  EXPECT_EQ(read_bytes(not_a_dir), "x");
}

}  // namespace
}  // namespace allowdrift::store
