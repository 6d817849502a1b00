-- GET /posts/{random id} over the 10,000 seeded posts
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/posts/" .. math.random(1, 10000))
end
