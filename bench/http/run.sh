#!/usr/bin/env bash
# HTTP benchmark (issue #3): the release `onecard serve` over a fresh demo database, loaded by
# wrk on the same machine. Every figure is printed next to a trivial endpoint (/healthz)
# measured in the same run, because the machine is shared.
#   bench/http/run.sh [SECONDS]      (make bench-http)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
bin=$PWD/build/release/apps/onecard/onecard
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n 4096
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
export ONECARD_DB=$dir/bench.db
"$bin" init --demo >/dev/null
key=$("$bin" --json api-key add bench-till --role clerk --store sh01 | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
cards=$("$bin" --json member list --limit 100 | python3 -c '
import json, sys
print(",".join(c["number"] for m in json.load(sys.stdin) for c in m["cards"] if c["status"] == "active"))')
# Stored value on every card, for the settles to pay ¥1.00 of each sale with.
for c in ${cards//,/ }; do
  "$bin" --store sh01 value top-up --card "$c" --amount 100000 >/dev/null 2>&1 || true  # (a frozen card)
done
"$bin" serve --listen 127.0.0.1:0 --no-access-log >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q serving "$dir/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$dir/out")
url=http://127.0.0.1:$port
echo "onecard serve on $url, demo cards: $cards"

run() {  # name, wrk args… → "name req/s p50 p99"
  local name=$1; shift
  local out
  out=$(wrk -t2 -d"${secs}s" --latency "$@")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  local errs
  errs=$(awk '/Non-2xx/{print $4}' <<<"$out")
  printf "%-34s %10s req/s   p50 %-9s p99 %-9s %s\n" "$name" "$rps" "$p50" "$p99" "${errs:+non-2xx: $errs}"
}
# Look-ups first, while the demo's cards hold a handful of lots each (a balance lists them).
run "GET /healthz (baseline), 64 conns" -c64 "$url/healthz"
run "GET /v1/cards/N/balance, 64 conns" -c64 -s bench/http/get.lua "$url" -- "$key" "$cards"
run "POST /v1/points/earn, 64 conns" -c64 -s bench/http/earn.lua "$url" -- "$key" "$cards"
run "POST /v1/checkout/settle, 32 conns" -c32 -s bench/http/settle.lua "$url" -- "$key" "$cards"
run "  … by SKU from the catalogue" -c32 -s bench/http/settle.lua "$url" -- "$key" "$cards" catalogue
run "POST /v1/points/earn, 32 conns" -c32 -s bench/http/earn.lua "$url" -- "$key" "$cards"
run "GET /healthz (baseline again)" -c64 "$url/healthz"
echo "1,000 idle keep-alive connections held open during an earn run:"
python3 bench/http/idle.py "$port" 1000 "$secs" &
idle=$!
sleep 3
run "POST /v1/points/earn, 64 + 1000 idle" -c64 -s bench/http/earn.lua "$url" -- "$key" "$cards"
wait $idle
curl -s "$url/metrics" | grep -E '^onecard_writer_group_size_(sum|count) '
ONECARD_DB=$dir/bench.db "$bin" verify
