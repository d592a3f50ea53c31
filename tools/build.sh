#!/usr/bin/env bash
# tools/build.sh PRESET: configures (once) and builds a CMake preset, quietly: the full log goes
# to build/PRESET.log and is shown only when something fails.
set -euo pipefail
preset=$1
cd "$(dirname "$0")/.."
mkdir -p build
log="build/$preset.log"
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  echo "Configuring ($preset)…"
  cmake --preset "$preset" >"$log" 2>&1 || { cat "$log"; exit 1; }
fi
# Say something when there is real work, so a first build of several minutes is not silent.
if ! ninja -C "build/$preset" -n 2>/dev/null | grep -q "no work to do"; then
  echo "Building ($preset, log: $log)…"
fi
cmake --build --preset "$preset" >"$log" 2>&1 || { tail -n 80 "$log"; echo "Build failed (full log: $log)"; exit 1; }
