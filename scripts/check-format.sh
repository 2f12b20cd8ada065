#!/usr/bin/env bash
# Fails when a C++ source differs from what clang-format (the repository's .clang-format) would write.
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z $clang_format ]]; then
  echo "check-format: clang-format not found (Debian: clang-format-14)" >&2
  exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z -- '*.cpp' '*.h'
else  # an exported tree without .git
  find daemon tests bench -name build -prune -o \( -name '*.cpp' -o -name '*.h' \) -print0
fi | xargs -0 "$clang_format" --dry-run --Werror
