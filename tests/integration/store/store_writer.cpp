// A separate process for the store fault tests (store_fault_test.cpp): something to kill -9 in the middle of a
// write, and another program holding the database lock.
//
//   store_writer write DB FIRST_GEN [COUNT]   records generations FIRST_GEN, FIRST_GEN+1, ... (COUNT of them, or
//                                             until killed) of store_fault_content.h; on stdout:
//                                               "R"        the database is open
//                                               "B K"      record() of generation K starts
//                                               "C K ID"   generation K is committed as snapshot ID
//   store_writer hold DB                      BEGIN EXCLUSIVE, inserts the source "holder", prints "L", keeps the
//                                             lock until stdin reaches end of file, then commits and prints "U".
//
// Never deletes or renames any file: the -wal of a killed writer is left for the next opener to recover.
#include "store/snapshot_store.h"
#include "store/state_db.h"
#include "store_fault_content.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace allowdrift::store;

void say(const std::string& line) {
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n <= 0) std::_Exit(3);
    done += static_cast<std::size_t>(n);
  }
}

int write_generations(const std::string& db_path, std::int64_t first, std::int64_t count) {
  Database db = open_state_db(db_path);
  SnapshotStore store(db);
  say("R");
  for (std::int64_t gen = first; count < 0 || gen < first + count; ++gen) {
    const SnapshotInput in = fault::snapshot_input(gen);
    say("B " + std::to_string(gen));
    const RecordResult r = store.record(in);
    if (!r.created) {
      std::fprintf(stderr, "store_writer: generation %lld was not stored as a new snapshot\n",
                   static_cast<long long>(gen));
      return 1;
    }
    say("C " + std::to_string(gen) + " " + std::to_string(r.snapshot_id));
  }
  return 0;
}

int hold_lock(const std::string& db_path) {
  Database db = open_state_db(db_path);
  db.exec("BEGIN EXCLUSIVE");
  db.exec("INSERT INTO source(name) VALUES ('holder')");
  say("L");
  char buf[64];
  while (::read(STDIN_FILENO, buf, sizeof buf) > 0) {
  }
  db.exec("COMMIT");
  say("U");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: store_writer write DB FIRST_GEN [COUNT] | store_writer hold DB\n";
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "write" && (argc == 4 || argc == 5))
      return write_generations(argv[2], std::stoll(argv[3]), argc == 5 ? std::stoll(argv[4]) : -1);
    if (mode == "hold" && argc == 3) return hold_lock(argv[2]);
  } catch (const StoreFailure& e) {
    std::fprintf(stderr, "store_writer: %s: %s\n", std::string(to_string(e.error().kind)).c_str(), e.what());
    return 2;
  }
  std::fputs(usage.c_str(), stderr);
  return 64;
}
