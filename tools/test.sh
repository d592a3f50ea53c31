#!/usr/bin/env bash
# What `make test` runs after installing dependencies: the format check, the sanitizer build
# (AddressSanitizer + UBSan, warnings as errors) and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/check-format.sh
tools/build.sh asan
cd build/asan
ctest --output-on-failure -j2 --timeout 900 "$@" >../ctest.log 2>&1 || {
  grep -E "tests passed|Failed|\*\*\*" ../ctest.log | tail -n 40
  echo "Tests failed (full log: build/ctest.log)"
  exit 1
}
tail -n 3 ../ctest.log | grep -E "tests passed|Total Test time" || true
