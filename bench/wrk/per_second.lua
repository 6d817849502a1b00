-- One continuous load, counted second by second (bench/warmup.sh): GET /posts/{random id} over the 10,000 seeded
-- posts, or the path in SERV_BENCH_LUA_PATH. Each thread counts its responses per wall-clock second; at the end the
-- counts of all threads are added up and printed as "second N: count" lines, the first and last (partial) seconds
-- left out.
local path = os.getenv("SERV_BENCH_LUA_PATH")
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  counts = {}
end

function request()
  if path then
    return wrk.format("GET", path)
  end
  return wrk.format("GET", "/posts/" .. math.random(1, 10000))
end

function response(status, headers, body)
  local now = os.time()
  counts[now] = (counts[now] or 0) + 1
end

function done(summary, latency, requests)
  local total, first, last = {}, nil, nil
  for _, t in ipairs(threads) do
    for second, n in pairs(t:get("counts")) do
      total[second] = (total[second] or 0) + n
      if first == nil or second < first then first = second end
      if last == nil or second > last then last = second end
    end
  end
  if first == nil then return end
  for second = first + 1, last - 1 do
    io.write(string.format("second %d: %d\n", second - first, total[second] or 0))
  end
end
