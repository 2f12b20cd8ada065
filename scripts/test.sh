#!/usr/bin/env bash
# Command 2 of the README (and all of CI): installs what the build and tests need, builds with
# AddressSanitizer + UndefinedBehaviorSanitizer and warnings as errors (GCC), builds the libFuzzer targets
# (clang-14), and runs every test through ctest.
#   ALLOWDRIFT_TEST_LABELS=unit scripts/test.sh   runs one label (unit, integration, privileged, fuzz)
#   ALLOWDRIFT_FUZZ_SECONDS=60 scripts/test.sh    fuzzes longer (default 20 s a target)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DALLOWDRIFT_SANITIZE=ON -DALLOWDRIFT_WERROR=ON \
  -DALLOWDRIFT_FUZZ_CXX=/usr/bin/clang++-14 -DALLOWDRIFT_FUZZ_SECONDS="${ALLOWDRIFT_FUZZ_SECONDS:-20}"
cmake --build build/test

label_args=()
if [[ -n ${ALLOWDRIFT_TEST_LABELS:-} ]]; then
  label_args=(-L "$ALLOWDRIFT_TEST_LABELS")
fi
# The privileged tests (network namespaces, nftables, tmpfs mounts) need root: as another user, ctest runs
# under sudo, so that they run rather than fail.
as_root=()
if [[ $(id -u) -ne 0 ]]; then as_root=(sudo --preserve-env=ALLOWDRIFT_FUZZ_SECONDS); fi
"${as_root[@]}" ctest --test-dir build/test --output-on-failure --no-tests=error -j "$(nproc)" "${label_args[@]}"
