-- wrk script: GET <path_prefix><random id 1..max_id><path_suffix> with a bearer token.
-- Usage: wrk ... -s bench/random_get.lua URL -- TOKEN PREFIX MAXID [SUFFIX]
local token, prefix, max_id, suffix
function init(args)
  token = args[1]
  prefix = args[2]
  max_id = tonumber(args[3])
  suffix = args[4] or ""
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  local id = math.random(1, max_id)
  return wrk.format("GET", prefix .. id .. suffix, {["Authorization"] = "Bearer " .. token})
end
