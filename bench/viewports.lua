-- wrk script: the tiles a map asks for while someone pans and zooms over the generated cities (fixed
-- seed). Each "view" is a city at zoom 10 to 14, shifted at random by up to a screen; the requests walk
-- its 4×3 tiles in turn, then the next view. TILE_PATH as in tiles.lua.
local fmt = os.getenv("TILE_PATH") or "/api/tiles/practices/%d/%d/%d.mvt"
-- Some of the cities `repere generate` spreads the practices around (lon, lat).
local cities = {
  {2.35, 48.86}, {2.25, 48.75}, {4.84, 45.76}, {5.37, 43.30}, {1.44, 43.60}, {7.26, 43.70},
  {5.93, 43.12}, {-1.55, 47.22}, {7.75, 48.58}, {3.06, 50.63}, {-0.58, 44.84},
}
math.randomseed(15)
local queue = {}

local function tile_of(lon, lat, z)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return x, y
end

local function next_view()
  local c = cities[math.random(#cities)]
  local z = math.random(10, 14)
  local x, y = tile_of(c[1], c[2], z)
  x = x + math.random(-2, 2)
  y = y + math.random(-1, 1)
  for dx = -2, 1 do
    for dy = -1, 1 do
      queue[#queue + 1] = string.format(fmt, z, x + dx, y + dy)
    end
  end
end

request = function()
  if #queue == 0 then next_view() end
  return wrk.format("GET", table.remove(queue))
end
