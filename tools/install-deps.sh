#!/usr/bin/env bash
# tools/install-deps.sh [test|bench]: installs the Debian 12 packages OneCard needs to build
# and run (`make run`), plus those for the tests (`test`: `make test`) or the benchmarks
# (`bench`), and nothing else. Quiet and quick when everything is there already (one
# dpkg-query). Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config make
  # libraries (see ../shared/DEPENDENCIES.md and docs/dependencies.md)
  libsqlite3-dev libcli11-dev nlohmann-json3-dev libsodium-dev libhowardhinnant-date-dev tzdata
  libzint-dev libboost-dev libtomlplusplus-dev
)
case "${1:-}" in
  test)  # format check, tests, the fuzz build (clang + libFuzzer)
    packages+=(clang-format clang libclang-rt-14-dev libgtest-dev libgmock-dev libbenchmark-dev
               librapidcheck-dev zbar-tools) ;;
  bench) packages+=(wrk) ;;
  "") ;;
  *) echo "usage: tools/install-deps.sh [test|bench]" >&2; exit 2 ;;
esac

missing=()
while read -r name status; do
  [ "$status" = "installed" ] || missing+=("$name")
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
# dpkg-query prints nothing at all for packages it has never heard of.
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || {
    [[ " ${missing[*]} " == *" $p "* ]] || missing+=("$p")
  }
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run as root (or install sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "Installing packages failed." >&2
  exit 1
fi
rm -f "$log"
