#!/usr/bin/env bash
# Command 1 of the README: installs what the build needs, builds in Release and runs the main job: a one-shot check
# (`allowdrift --once`) with the shipped example config, config/allowdrift.toml. It fetches Cloudflare's published
# ranges over HTTPS and compares them with a real nginx allowlist from 2019 shipped beside the config
# (config/example/local-allowlist.txt), which has drifted since. State goes to build/release/state.
#
# Exit status: 0 when allowdrift produced its report (whatever drift it found: it prints 0 in sync, 1 warning,
# 2 critical); otherwise allowdrift's own status: 3 when an input could not be read (offline: the report names the
# fetches that failed), 4 or more when it could not run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DALLOWDRIFT_BUILD_TESTS=OFF -DALLOWDRIFT_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target allowdrift

status=0
build/release/daemon/allowdrift --once --config config/allowdrift.toml --state-dir build/release/state || status=$?
case $status in
  0) echo "allowdrift --once: exit 0, in sync" ;;
  1) echo "allowdrift --once: exit 1, warning: stale entries found" ;;
  2) echo "allowdrift --once: exit 2, critical: published entries missing locally (expected for the shipped example)" ;;
  3) echo "allowdrift --once: exit 3, unknown: an input could not be read (see the report above)" >&2; exit 3 ;;
  *) echo "allowdrift --once: exit $status, the check could not run" >&2; exit "$status" ;;
esac
