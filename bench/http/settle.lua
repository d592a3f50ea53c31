-- wrk script: full checkout settles (issue #5, item 12): a 5-line basket, ¥1.00 of it paid with
-- stored value and the rest in cash, points earned on all of it; each with its own key and
-- receipt number, over the demo's cards. Two baskets: open-price lines (prices given by the till),
-- or "catalogue": four lines named by SKU from the demo's catalogue (priced by it, one under a
-- promotion, a non-earning bag) and one open-price line.
--   wrk -t2 -c32 -d10s --latency -s settle.lua http://127.0.0.1:8080 -- TOKEN CARD[,CARD…] [catalogue]
local next_id = 0

local lines = '[{"sku":"TEA-500","quantity":2,"price":"12.50"},' ..
              '{"sku":"CUP-01","price":"5.00"},{"sku":"PEN","quantity":3,"price":"2.00"},' ..
              '{"sku":"LAMP","price":"9.00"},{"sku":"RUG","price":"5.00"}]'
local cash = 4900
-- ¥168.00 + ¥158.00 (promotion) + 3 × ¥9.00 + 2 × ¥1.00 (non-earning) + ¥5.00 = ¥360.00
local catalogue_lines = '[{"sku":"TEA-LJ-250"},{"sku":"CAKE-MOON-6"},{"sku":"CAKE-EGG","quantity":3},' ..
                        '{"sku":"BAG","quantity":2},{"sku":"GIFT-WRAP","price":"5.00"}]'

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  token = args[1]
  cards = {}
  for c in string.gmatch(args[2], "[^,]+") do table.insert(cards, c) end
  n = 0
  started = os.time()
  if args[3] == "catalogue" then
    lines = catalogue_lines
    cash = 35900
  end
end

function request()
  n = n + 1
  local card = cards[(n % #cards) + 1]
  local doc = "B-" .. tid .. "-" .. started .. "-" .. n
  return wrk.format("POST", "/v1/checkout/settle", {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = "settle-" .. doc,
    ["Content-Type"] = "application/json",
  }, '{"card":"' .. card .. '","doc_no":"' .. doc .. '","lines":' .. lines ..
     ',"tenders":[{"method":"stored_value","amount":100},{"method":"cash","amount":' .. cash .. '}]}')
end

function response(status, headers, body)
  if status ~= 201 then
    errors_seen = (errors_seen or 0) + 1
    if errors_seen < 3 then print("status " .. status .. ": " .. body) end
  end
end
