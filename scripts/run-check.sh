#!/usr/bin/env bash
# Command 1 of the README: installs what the build needs, builds in Release and runs the main job on the
# shipped example: a one-shot comparison of Cloudflare's published ranges with a real local allowlist.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DALLOWDRIFT_BUILD_TESTS=OFF -DALLOWDRIFT_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target allowdrift

status=0
build/release/daemon/allowdrift diff config/example/cloudflare-ips.txt config/example/local-allowlist.txt || status=$?
case $status in
  0) echo "allowdrift: exit 0, the local allowlist matches the published list" ;;
  1) echo "allowdrift: exit 1, drift found (expected for the shipped example)" ;;
  *) echo "allowdrift: exit $status, the check could not run" >&2; exit "$status" ;;
esac
