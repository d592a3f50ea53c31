#!/usr/bin/env bash
# Installs the Debian 12 packages OneCard needs to build, test and run, and nothing else.
# Quiet and quick when everything is there already (one dpkg-query). Needs root (or sudo) only
# when something is missing.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config make clang-format clang libclang-rt-14-dev
  # libraries (see ../shared/DEPENDENCIES.md and docs/dependencies.md)
  libsqlite3-dev libcli11-dev nlohmann-json3-dev libsodium-dev libhowardhinnant-date-dev tzdata
  libzint-dev libboost-dev libtomlplusplus-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev zbar-tools wrk
)

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
