-- wrk script: POST a message event to a random case: one durable write per request.
-- Usage: wrk ... -s bench/random_post.lua URL -- TOKEN MAXCASE
local token, max_id
local body = '{"kind":"message","body":{"text":"Sigue fallando el Wi-Fi en el segundo piso"}}'
function init(args)
  token = args[1]
  max_id = tonumber(args[2])
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  local id = math.random(1, max_id)
  return wrk.format("POST", "/api/v1/cases/" .. id .. "/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
local errors = 0
function response(status, headers, body)
  if status ~= 201 then errors = errors + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non-201 responses: %d\n", errors))
end
