-- POST /posts with a random valid form body (100 seeded authors)
math.randomseed(os.time())
local words = { "serv", "osgi", "pool", "route", "bundle", "jetty", "grüße", "naïve", "données", "tenant" }
request = function()
  local title = words[math.random(#words)] .. "-" .. math.random(1, 1000000)
  local parts = {}
  for i = 1, math.random(40, 150) do parts[#parts + 1] = words[math.random(#words)] end
  local body = "title=" .. title .. "&content=" .. table.concat(parts, "+") .. "&author_id=" .. math.random(1, 100)
  return wrk.format("POST", "/posts", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
