-- Rate sweep against sluiced: for each frame size, offered rate steps (percent of link rate),
-- one trial each, printing offered/delivered Mpps and loss. UNTESTED (see sluice.lua).
--   pktgen ... -f perf/pktgen/rate-sweep.lua      (run from perf/pktgen, or set LUA_PATH)
-- SLUICE_STEPS: comma-separated percentages (default 5,10,20,30,40,50,60,70,80,90,100).
package.path = package.path .. ";perf/pktgen/?.lua;?.lua"
local s = require "sluice"

local steps = {}
for v in string.gmatch(os.getenv("SLUICE_STEPS") or "5,10,20,30,40,50,60,70,80,90,100", "[^,]+") do
  table.insert(steps, tonumber(v))
end

s.setup()
for _, size in ipairs(s.sizes) do
  s.warmup(size)
  s.log(string.format("== rate sweep, %d-byte frames, %d s per step", size, s.duration_ms / 1000))
  for _, rate in ipairs(steps) do s.trial(size, rate) end
end
s.log("== done")
