-- RFC 2544 throughput (zero-loss search) against sluiced: for each frame size, a binary search
-- on the rate (percent of link rate) for the highest rate with no loss, then a confirmation run
-- at that rate (RFC 2544 asks 60 s: SLUICE_CONFIRM_SECONDS, default 60). UNTESTED (see sluice.lua).
--   pktgen ... -f perf/pktgen/zero-loss.lua
-- SLUICE_ITERATIONS: search steps (default 10: resolution 100/2^10 %).
-- SLUICE_TOLERANCE: allowed loss in percent (default 0, RFC 2544's definition).
package.path = package.path .. ";perf/pktgen/?.lua;?.lua"
local s = require "sluice"

local iterations = tonumber(os.getenv("SLUICE_ITERATIONS") or "10")
local tolerance = tonumber(os.getenv("SLUICE_TOLERANCE") or "0")
local confirm_ms = tonumber(os.getenv("SLUICE_CONFIRM_SECONDS") or "60") * 1000

local function lossless(tx, loss)
  return tx > 0 and 100 * loss / tx <= tolerance
end

s.setup()
for _, size in ipairs(s.sizes) do
  s.warmup(size)
  s.log(string.format("== zero-loss search, %d-byte frames, %d iterations, tolerance %g%%", size, iterations, tolerance))
  local lo, hi, best = 0, 100, nil
  -- Full rate first: if it is lossless there is nothing to search.
  local tx, _, loss, offered, delivered = s.trial(size, 100)
  if lossless(tx, loss) then
    lo, best = 100, { rate = 100, offered = offered, delivered = delivered }
  else
    for _ = 1, iterations do
      local rate = (lo + hi) / 2
      tx, _, loss, offered, delivered = s.trial(size, rate)
      if lossless(tx, loss) then
        lo, best = rate, { rate = rate, offered = offered, delivered = delivered }
      else
        hi = rate
      end
    end
  end
  if best == nil then
    s.log(string.format("RESULT size %d: loss at every rate tried (lowest %.3f%%)", size, hi))
  else
    local saved = s.duration_ms
    s.duration_ms = confirm_ms
    tx, _, loss = s.trial(size, best.rate)
    s.duration_ms = saved
    s.log(string.format("RESULT size %d: zero-loss rate %.3f%% = %.3f Mpps offered, %.3f Mpps delivered; confirmation %s",
      size, best.rate, best.offered, best.delivered, lossless(tx, loss) and "passed" or "FAILED (loss in the long run)"))
  end
end
s.log("== done")
