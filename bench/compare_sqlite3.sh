#!/usr/bin/env bash
# Times storing one 100k-prefix snapshot through allowdrift against the sqlite3 command-line shell inserting the
# same rows into the same table, side by side in one run, and checks the target: allowdrift at most 2x sqlite3.
#
# What is compared. Both sides start from a byte copy of the same empty state database, created and migrated by
# allowdrift itself (`allowdrift_bench_store init-db`): the same entry table with its four indexes, the same
# foreign keys, the same page size, WAL journal mode (persistent in the file). Both end with the same rows
# committed: one source row, one snapshot row and 100000 entry rows (checked below, row by row).
#   allowdrift  `allowdrift_bench_store record DB LIST`: one process that reads the 100k-line prefix list, parses
#               and normalizes it, opens the database as the daemon does (open_state_db: quick_check, migration
#               check, journal_mode=WAL, synchronous=FULL, foreign_keys=ON, journal_size_limit=64 MiB) and calls
#               SnapshotStore::record(): one transaction (BEGIN IMMEDIATE .. COMMIT) that writes the source, the
#               snapshot and the entry rows through prepared statements, after sorting and hashing the content.
#   sqlite3     `sqlite3 DB < FILE.sql`: one process that runs the same pragmas (synchronous=FULL, foreign_keys=ON,
#               journal_size_limit), BEGIN IMMEDIATE, the INSERTs of the same source, snapshot and entry rows (the
#               values allowdrift stores, in the order it stores them), COMMIT. Two forms of the SQL file:
#                 per-row    one INSERT statement per row, as `.dump` writes it;
#                 multi-row  INSERT ... VALUES with 1000 rows per statement: far less SQL to parse, the fastest way
#                            to feed rows to the shell as text.
#               The target is checked against the faster of the two (the stricter reference). `.import` is not
#               used: on this STRICT table it can neither leave the id to SQLite nor write NULL into removed_in, so
#               it would need a staging table and a second copy of every row.
# Times are wall-clock times of the whole process on each side (start-up, reading the input, the transaction with
# its fsyncs at commit, the WAL auto-checkpoint that both trigger, exit), from bash's `time` (1 ms resolution).
# allowdrift's own figure for the record() call alone is printed beside it for information.
#
# Exit status: 0 when all sides stored the same rows, 1 when they differ (or a command fails), 2 on a setup
# problem. Missing the performance target prints FAIL but does not change the exit status.
#
# Environment:
#   ALLOWDRIFT_BENCH_STORE  allowdrift_bench_store  (default: build/release/bench/allowdrift_bench_store)
#   BENCH_COUNT             prefixes in the snapshot (default: 100000)
#   BENCH_SEED              generator seed           (default: 1)
#   BENCH_RUNS              timed runs per side      (default: 5; the median is reported, the best beside it)
#   BENCH_TMPDIR            where the databases go   (default: mktemp -d; removed on exit)
set -euo pipefail

script=compare_sqlite3.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${ALLOWDRIFT_BENCH_STORE:-$repo_root/build/release/bench/allowdrift_bench_store}
count=${BENCH_COUNT:-100000}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-5}

# Target: allowdrift at most twice the time of the sqlite3 shell.
readonly target=2.0


[[ -x $bench ]] || die "$bench is not an executable; build Release first (see bench/README.md)"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $count =~ ^[1-9][0-9]*$ ]] || die "BENCH_COUNT must be a positive integer"

# --- tools: install the sqlite3 shell only when missing ---------------------------------------------------------------
command -v sqlite3 >/dev/null 2>&1 || install_packages sqlite3

make_tmp

# --- inputs -----------------------------------------------------------------------------------------------------------
"$bench" init-db "$tmp/template.db"
[[ ! -e $tmp/template.db-wal ]] || die "init-db left a WAL file behind"
"$bench" write-list "$tmp/list.txt" --count "$count" --seed "$seed"
"$bench" write-sql "$tmp/rows.sql" --count "$count" --seed "$seed"

# The same connection settings as allowdrift's open_state_db (daemon/store/state_db.cpp); journal_mode=WAL is
# already recorded in the template file. Output of the pragmas (their new values) goes to /dev/null.
header="PRAGMA busy_timeout = 5000;
PRAGMA foreign_keys = ON;
PRAGMA synchronous = FULL;
PRAGMA journal_size_limit = 67108864;
BEGIN IMMEDIATE;"
{
  echo "$header"
  cat "$tmp/rows.sql"
  echo "COMMIT;"
} >"$tmp/per_row.sql"
# rows.sql: two single-row INSERTs (source, snapshot), then one "INSERT INTO entry(...) VALUES (...);" a line.
{
  echo "$header"
  head -n 2 "$tmp/rows.sql"
  tail -n +3 "$tmp/rows.sql" | awk '
    {
      at = index($0, " VALUES ")
      head = substr($0, 1, at + 7)
      row = substr($0, at + 8, length($0) - at - 8)  # without the final ";"
      printf "%s%s", (NR % 1000 == 1 ? (NR > 1 ? ";\n" : "") head : ",\n"), row
    }
    END { if (NR > 0) print ";" }'
  echo "COMMIT;"
} >"$tmp/multi_row.sql"

# --- helpers ----------------------------------------------------------------------------------------------------------

# fresh NAME: a copy of the empty template database at $tmp/NAME.db (no WAL, no shared-memory file).
fresh() {
  rm -f "$tmp/$1.db" "$tmp/$1.db-wal" "$tmp/$1.db-shm"
  cp "$tmp/template.db" "$tmp/$1.db"
}

# timed LABEL CMD... (stdin from $stdin_file when set): runs CMD on a fresh $tmp/LABEL.db and appends
# "wall_ms cpu_ms" to $tmp/LABEL.times (cpu = user + system). Output goes to $tmp/LABEL.out.
stdin_file=/dev/null
timed() {
  local label=$1
  shift
  fresh "$label"
  local TIMEFORMAT='%3R %3U %3S' rc=0 t
  t=$({ time "$@" <"$stdin_file" >"$tmp/$label.out" 2>"$tmp/$label.stderr"; } 2>&1) || rc=$?
  if ((rc != 0)); then
    echo "compare_sqlite3.sh: '$*' failed with status $rc:" >&2
    head -20 "$tmp/$label.stderr" >&2
    exit 1
  fi
  awk '{printf "%.0f %.0f\n", $1 * 1000, ($2 + $3) * 1000}' <<<"$t" >>"$tmp/$label.times"
}

run_allowdrift() { stdin_file=/dev/null timed "$1" "$bench" record "$tmp/$1.db" "$tmp/list.txt"; }
run_sqlite3() { stdin_file=$tmp/$2.sql timed "$1" sqlite3 -batch "$tmp/$1.db"; }
run_all() {
  run_allowdrift "$1ad"
  grep -o 'record_ms=[0-9.]*' "$tmp/$1ad.out" | cut -d= -f2 >>"$tmp/$1ad.record"
  run_sqlite3 "$1per" per_row
  run_sqlite3 "$1multi" multi_row
}


machine_line "sqlite3 shell $(sqlite3 --version | cut -d ' ' -f 1)"
echo "files:   $tmp ($(df -PT "$tmp" | awk 'NR == 2 {print $2 " on " $1}'))"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min) at start; other jobs on the machine skew wall times"
echo "input:   $count prefixes, seed $seed; $runs timed runs per side after one warm-up, interleaved"
echo

# --- the runs: one warm-up of each side, then the timed runs, interleaved so all sides share the machine's state ----
run_all warmup_
for ((i = 0; i < runs; ++i)); do run_all ""; done

# --- equality: the same rows on every side, and each database intact ---------------------------------------------------
same=true
dump() {
  sqlite3 -batch "$tmp/$1.db" "SELECT 'source', id, name FROM source ORDER BY id;
    SELECT 'snapshot', id, source_id, fetched_at, confirmed_at, status, reason, content_sha256, ip_count, domain_count
      FROM snapshot ORDER BY id;
    SELECT 'entry', id, source_id, section, value, added_in, removed_in FROM entry ORDER BY id;"
}
for db in ad per multi; do
  check=$(sqlite3 -batch "$tmp/$db.db" "PRAGMA integrity_check")
  [[ $check == ok ]] || {
    echo "$db.db: integrity_check: $check" >&2
    same=false
  }
  dump "$db" >"$tmp/$db.rows"
done
entry_rows=$(grep -c '^entry|' "$tmp/ad.rows" || true)
for db in per multi; do
  if ! cmp -s "$tmp/ad.rows" "$tmp/$db.rows"; then
    echo "allowdrift and sqlite3 ($db) stored different rows:" >&2
    diff "$tmp/ad.rows" "$tmp/$db.rows" | head -n 10 >&2 || true
    same=false
  fi
done
size() {
  sqlite3 -batch "$tmp/$1.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  stat -c %s "$tmp/$1.db"
}

ad_wall=$(median "$tmp/ad.times" 1)
per_wall=$(median "$tmp/per.times" 1)
multi_wall=$(median "$tmp/multi.times" 1)
ref_wall=$((per_wall < multi_wall ? per_wall : multi_wall))
ref_name=$([[ $ref_wall == "$multi_wall" ]] && echo "multi-row" || echo "per-row")

row() { printf '  %-46s %12s %12s %10s %14s\n' "$@"; }
echo "store one $count-prefix snapshot ($entry_rows entry rows, one transaction, WAL, synchronous=FULL)"
row "command" "wall ms med" "wall ms best" "CPU ms med" "DB bytes"
row "allowdrift (read list, open, record)" "$ad_wall" "$(best "$tmp/ad.times" 1)" "$(median "$tmp/ad.times" 2)" \
  "$(size ad)"
row "  of which SnapshotStore::record() alone" "$(median "$tmp/ad.record" 1)" "$(best "$tmp/ad.record" 1)" "" ""
row "sqlite3 < per_row.sql (one INSERT a row)" "$per_wall" "$(best "$tmp/per.times" 1)" \
  "$(median "$tmp/per.times" 2)" "$(size per)"
row "sqlite3 < multi_row.sql (1000 rows an INSERT)" "$multi_wall" "$(best "$tmp/multi.times" 1)" \
  "$(median "$tmp/multi.times" 2)" "$(size multi)"
row "ratio allowdrift / sqlite3 per-row" "$(ratio "$ad_wall" "$per_wall")" "" \
  "$(ratio "$(median "$tmp/ad.times" 2)" "$(median "$tmp/per.times" 2)")" ""
row "ratio allowdrift / sqlite3 multi-row" "$(ratio "$ad_wall" "$multi_wall")" "" \
  "$(ratio "$(median "$tmp/ad.times" 2)" "$(median "$tmp/multi.times" 2)")" ""
ref_ratio=$(ratio "$ad_wall" "$ref_wall")
echo "  target allowdrift <= $target x sqlite3 (the faster form, $ref_name): ratio $ref_ratio: $(at_most "$ref_ratio" "$target")"
echo "  same rows on all sides: $([[ $same == true ]] && echo yes || echo NO)"

if [[ $same != true ]]; then
  echo "FAILED: allowdrift and the sqlite3 shell stored different rows" >&2
  exit 1
fi
