#!/usr/bin/env bash
# What `make run` does after building: create the data file with the demo tenant if there is
# none, prove its books, and show what is in it and what to try next. (When the HTTP server
# exists, this is where it starts.)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/build/release/apps/onecard/onecard"
db=${ONECARD_DB:-$PWD/data/onecard.db}
export ONECARD_DB=$db
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
  "$bin" init --demo
fi
echo
"$bin" verify
echo
"$bin" overview
cat <<MSG

Data file: $db (set DB=… to use another; delete it to start again with a fresh demo).
Try, as a clerk at store sh01 (the demo's card numbers are above):

  alias onecard="$bin --store sh01 --staff you"
  onecard balance 88000000013                      # 张伟: points by expiry, stored value
  onecard points earn --card 88000000013 --points 120 --expires 2027-12-31 --doc S-9001
  onecard points spend --card 88000000013 --points 100      # earliest-expiring points first
  onecard value pay --card 88000000013 --amount 12.50
  onecard hold --card 13900139000 --amount 200 --timeout 10m   # then: onecard capture HOLD_ID
  onecard history --card 88000000013
  onecard card lost 88000000013 --reason "lost at the gym"  # now it refuses value movements
  onecard card replace 88000000013                 # every balance moves to a new number
  onecard member find 1380                         # by phone tail, name, card or WeChat id
  onecard verify                                   # recompute the books from the journal
  onecard --help                                   # everything else

MSG
