-- wrk script: the 10 practices nearest a random point over France.
math.randomseed(14)
request = function()
  return wrk.format("GET", string.format("/api/nearby?lon=%f&lat=%f&k=10", -4.5 + math.random() * 12, 42.5 + math.random() * 8))
end
