-- wrk script: durable earns, each with its own idempotency key, over the demo's cards.
--   wrk -t2 -c64 -d10s --latency -s earn.lua http://127.0.0.1:8080 -- TOKEN CARD[,CARD…]
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  token = args[1]
  cards = {}
  for c in string.gmatch(args[2], "[^,]+") do table.insert(cards, c) end
  n = 0
end

function request()
  n = n + 1
  local card = cards[(n % #cards) + 1]
  return wrk.format("POST", "/v1/points/earn", {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = "bench-" .. tid .. "-" .. n .. "-" .. os.time(),
    ["Content-Type"] = "application/json",
  }, '{"card":"' .. card .. '","points":1}')
end

function response(status, headers, body)
  if status ~= 200 then
    errors_seen = (errors_seen or 0) + 1
    if errors_seen < 3 then print("status " .. status .. ": " .. body) end
  end
end
