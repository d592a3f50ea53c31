#!/usr/bin/env bash
# What `make run` does after building: create the data file with the demo tenant if there is
# none, prove its books, and serve the HTTP API with the demo logins (until Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/build/release/apps/onecard/onecard"
db=${ONECARD_DB:-$PWD/data/onecard.db}
export ONECARD_DB=$db
listen=${ONECARD_LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
  "$bin" init --demo
fi
echo
"$bin" verify
if [ "$("$bin" --json staff list 2>/dev/null | tr -d ' \n')" = "[]" ]; then
  echo
  echo "This data file has no staff logins yet (it predates them). Add one, e.g.:"
  echo "  $bin staff add admin --role admin --password-stdin <<< 'onecard-admin'"
  echo "or delete $db to start again with a fresh demo."
fi
cat <<MSG

Data file: $db (set DB=… to use another; delete it to start again with a fresh demo).
Demo logins (tenant "demo"; POST /v1/auth/login, then send Authorization: Bearer TOKEN):

  admin         / onecard-admin       head office, everything
  marketing     / onecard-marketing   members, point adjustments, programmes, catalogue
  finance       / onecard-finance     reversals, verify, audit log, gift-card reports
  zhou.manager  / onecard-manager     store manager at sh01
  zhou.clerk    / onecard-clerk       clerk at sh01
  wang.clerk    / onecard-clerk       clerk at bj01

Try (in another terminal):

  t=\$(curl -s http://$listen/v1/auth/login -d '{"username":"zhou.clerk","password":"onecard-clerk"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
  curl -s http://$listen/v1/cards/88000000013/balance -H "Authorization: Bearer \$t"
  curl -s http://$listen/v1/points/earn -H "Authorization: Bearer \$t" -H "Idempotency-Key: try-1" \\
       -d '{"card":"88000000013","points":120}'
  curl -s "http://$listen/v1/products?category=tea" -H "Authorization: Bearer \$t"
  curl -s http://$listen/v1/checkout/settle -H "Authorization: Bearer \$t" -H "Idempotency-Key: try-2" \\
       -d '{"card":"88000000013","doc_no":"R-1","lines":[{"sku":"TEA-LJ-250"},{"sku":"CAKE-EGG","quantity":2}],
            "tenders":[{"method":"points","points":100},{"method":"cash","amount":17600}]}'
  curl -s http://$listen/v1/gift-cards/balance -H "Authorization: Bearer \$t" \\
       -d '{"card":"88000000096","pin":"135790"}'
  Gift cards (docs/giftcards.md): 88000000070 PIN 246810 and 88000000096 PIN 135790 are sold,
  88000000104 PIN 112233 is not; pay with {"method":"gift_card","card":…,"pin":…,"amount":…}.
  Coupons (docs/coupons.md): promo code WELCOME10 takes ¥10 off ¥100 once per member; card
  88000000013 has a 20% coupon its identify lists — add "coupons":["WELCOME10",{"id":1}] to a sale.
  Top-ups (docs/storedvalue.md): ¥50 for every ¥500 (10% at gold and diamond); ask first with
  POST /v1/value/top-up/quote -d '{"card":"88000000013","amount":100000}', then /v1/value/top-up.
  Count cards (docs/passes.md): 李娜 (13900139000) has 88000000088, "10 teas": a line
  {"sku":"TEA-POT-INSTORE","pass":"88000000088"} in her sale at bj01 costs nothing (2 a day).
  The API: http://$listen/openapi.json · docs/api.md · the command line: $bin --help

MSG
exec "$bin" serve --listen "$listen"
