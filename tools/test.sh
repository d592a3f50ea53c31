#!/usr/bin/env bash
# What `make test` runs after installing dependencies: the format check, the sanitizer build
# (AddressSanitizer + UBSan, warnings as errors), every test, then the fuzz targets briefly.
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
cd ../..

# The fuzz targets (clang, libFuzzer + ASan + UBSan), each for a short time from its corpus.
# A crash fails the run and leaves the input in build/fuzz-crashes/.
tools/build.sh fuzz
fuzz_seconds=${ONECARD_FUZZ_SECONDS:-60}
rm -rf build/fuzz-corpus && mkdir -p build/fuzz-corpus build/fuzz-crashes
build/fuzz/fuzz/api_fuzz build/fuzz-corpus fuzz/corpus -max_total_time="$fuzz_seconds" \
  -timeout=20 -rss_limit_mb=4096 -artifact_prefix=build/fuzz-crashes/ >build/fuzz-run.log 2>&1 || {
  grep -E "api_fuzz:|ERROR|SUMMARY|what\(\)" build/fuzz-run.log | head -n 20
  echo "The API fuzz target failed (log: build/fuzz-run.log, input in build/fuzz-crashes/)"
  exit 1
}
grep -E "^Done" build/fuzz-run.log | sed 's/^/api_fuzz: /' || true
