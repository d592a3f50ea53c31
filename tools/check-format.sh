#!/usr/bin/env bash
# Fails when a C++ source is not formatted as .clang-format says; `make format` fixes it.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ -n "$files" ] || exit 0
if ! out=$(echo "$files" | xargs clang-format --dry-run --Werror 2>&1); then
  echo "$out" | grep -E "error:" | head -n 20
  echo "Some sources are not formatted; run \`make format\`."
  exit 1
fi
