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
rm -rf build/fuzz-corpus && mkdir -p build/fuzz-crashes
# target, its seed corpus, its share of the time: a quarter for the CSV reader, the rest for the API.
csv_seconds=$(((fuzz_seconds + 3) / 4))
for spec in "api_fuzz fuzz/corpus $((fuzz_seconds - csv_seconds + 1))" "csv_fuzz fuzz/csv-corpus $csv_seconds"; do
  read -r target seeds seconds <<<"$spec"
  mkdir -p "build/fuzz-corpus/$target"
  "build/fuzz/fuzz/$target" "build/fuzz-corpus/$target" "$seeds" -max_total_time="$seconds" \
    -timeout=20 -rss_limit_mb=4096 -artifact_prefix=build/fuzz-crashes/ \
    >"build/fuzz-$target.log" 2>&1 || {
    grep -E "$target:|ERROR|SUMMARY|what\(\)" "build/fuzz-$target.log" | head -n 20
    echo "The fuzz target $target failed (log: build/fuzz-$target.log, input in build/fuzz-crashes/)"
    exit 1
  }
  grep -E "^Done" "build/fuzz-$target.log" | sed "s/^/$target: /" || true
done
