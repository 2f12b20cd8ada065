#!/usr/bin/env bash
# Fails when a C++ source differs from what clang-format (the repository's .clang-format) would write.
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z $clang_format ]]; then
  echo "check-format: clang-format not found (Debian: clang-format-14)" >&2
  exit 1
fi
git ls-files -z -- '*.cpp' '*.h' | xargs -0 "$clang_format" --dry-run --Werror
