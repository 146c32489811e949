-- wrk script: random zoom-12 tiles over metropolitan France (fixed seed).
-- TILE_PATH is a format with three %d (z, x, y), e.g. /api/tiles/practices/%d/%d/%d.mvt (Repère) or
-- /bench_practices/%d/%d/%d (Martin).
local fmt = os.getenv("TILE_PATH") or "/api/tiles/practices/%d/%d/%d.mvt"
math.randomseed(12)
request = function()
  return wrk.format("GET", string.format(fmt, 12, math.random(1995, 2135), math.random(1375, 1500)))
end
