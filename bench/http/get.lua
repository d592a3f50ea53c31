-- wrk script: authenticated GETs (balance look-ups) round the demo's cards.
--   wrk -t2 -c64 -d10s --latency -s get.lua http://127.0.0.1:8080 -- TOKEN CARD[,CARD…]
function init(args)
  token = args[1]
  cards = {}
  for c in string.gmatch(args[2], "[^,]+") do table.insert(cards, c) end
  n = 0
end

function request()
  n = n + 1
  local card = cards[(n % #cards) + 1]
  return wrk.format("GET", "/v1/cards/" .. card .. "/balance",
                    {["Authorization"] = "Bearer " .. token})
end
