-- Shared setup and one RFC 2544 trial for Pktgen-DPDK 23.06 against sluiced
-- (perf/pktgen/sluice-memif.yaml). Loaded by rate-sweep.lua and zero-loss.lua.
-- UNTESTED: Pktgen is not packaged in Debian and could not be built on the machine these were
-- written on; written against Pktgen 23.06's Lua API (pktgen.set / set_ipaddr / set_proto /
-- set_mac / start / stop / clr / delay / portStats). The same method runs tested with testpmd
-- in perf/pktgen/testpmd-sweep.
--
-- Environment (all optional):
--   SLUICE_SEND_PORT  port that sends to the VIP (default "0")
--   SLUICE_RECV_PORT  port whose rx counts as delivered (default = send port: over memif the
--                     backend is testpmd 5tswap and answers back through sluiced; with two NICs
--                     use "1", the port cabled to sluiced's downlink, listed as the backends'
--                     static neighbour)
--   SLUICE_DUT_MAC    sluiced uplink MAC (default 00:01:02:03:04:01, as in sluice-memif.yaml)
--   SLUICE_VIP        default 192.168.1.1 (service "pktgen", UDP 5678)
--   SLUICE_SRC        default 192.168.0.1/24 (Pktgen's own default for port 0)
--   SLUICE_SIZES      frame sizes, comma separated (default "64")
--   SLUICE_SECONDS    seconds per trial (default 10); SLUICE_OUT result file (default sluice-pktgen.txt)
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;../?.lua"
require "Pktgen"

local M = {}

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

M.send = env("SLUICE_SEND_PORT", "0")
M.recv = env("SLUICE_RECV_PORT", M.send)
M.dut_mac = env("SLUICE_DUT_MAC", "00:01:02:03:04:01")
M.vip = env("SLUICE_VIP", "192.168.1.1")
M.src = env("SLUICE_SRC", "192.168.0.1/24")
M.duration_ms = tonumber(env("SLUICE_SECONDS", "10")) * 1000
M.pause_ms = 1000
M.sizes = {}
for s in string.gmatch(env("SLUICE_SIZES", "64"), "[^,]+") do table.insert(M.sizes, tonumber(s)) end

local out = io.open(env("SLUICE_OUT", "sluice-pktgen.txt"), "a")

function M.log(line)
  print(line)
  out:write(line .. "\n")
  out:flush()
end

-- UDP (a TCP stream that is not SYNs opens no NAT flow) from Pktgen's default source to the
-- service's VIP and port, framed to sluiced's uplink MAC (no ARP).
function M.setup()
  pktgen.stop(M.send)
  pktgen.set_proto(M.send, "udp")
  pktgen.set_mac(M.send, "dst", M.dut_mac)
  pktgen.set_ipaddr(M.send, "dst", M.vip)
  pktgen.set_ipaddr(M.send, "src", M.src)
  pktgen.set(M.send, "sport", 1234)
  pktgen.set(M.send, "dport", 5678)
  pktgen.set(M.send, "count", 0) -- continuous
  pktgen.set(M.send, "burst", 32)
end

-- One trial at RATE percent of the link rate: clear, start, wait, stop, let the path drain,
-- then compare what the send port sent with what the receive port got.
-- Returns tx, rx, loss (packets), offered and delivered Mpps.
function M.trial(size, rate)
  pktgen.clr()
  pktgen.set(M.send, "size", size)
  pktgen.set(M.send, "rate", rate)
  pktgen.delay(M.pause_ms)
  pktgen.start(M.send)
  pktgen.delay(M.duration_ms)
  pktgen.stop(M.send)
  pktgen.delay(M.pause_ms)
  local tx = pktgen.portStats(M.send, "port")[tonumber(M.send)].opackets
  local rx = pktgen.portStats(M.recv, "port")[tonumber(M.recv)].ipackets
  local loss = tx - rx
  if loss < 0 then loss = 0 end
  local secs = M.duration_ms / 1000
  local offered, delivered = tx / secs / 1e6, rx / secs / 1e6
  M.log(string.format("size %4d rate %6.2f%%  tx %12d rx %12d loss %10d (%.4f%%)  offered %.3f Mpps delivered %.3f Mpps",
    size, rate, tx, rx, loss, tx > 0 and 100 * loss / tx or 0, offered, delivered))
  return tx, rx, loss, offered, delivered
end

-- Prime the NAT flow (the first packet opens it) so trials measure established forwarding.
function M.warmup(size)
  pktgen.set(M.send, "size", size)
  pktgen.set(M.send, "rate", 1)
  pktgen.start(M.send)
  pktgen.delay(1000)
  pktgen.stop(M.send)
  pktgen.delay(M.pause_ms)
end

return M
