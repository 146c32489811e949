-- wrk script: GeoJSON items of a random small bbox (0.05° × 0.04°) over France, limit=100.
-- ITEMS_PATH is a format with four %f (west, south, east, north).
local fmt = os.getenv("ITEMS_PATH") or "/api/collections/practices/items?bbox=%f,%f,%f,%f&limit=100"
math.randomseed(13)
request = function()
  local x = -4.5 + math.random() * 12
  local y = 42.5 + math.random() * 8
  return wrk.format("GET", string.format(fmt, x, y, x + 0.05, y + 0.04))
end
