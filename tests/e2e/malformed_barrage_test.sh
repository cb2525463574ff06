#!/usr/bin/env bash
# Property: every malformed frame is dropped under exactly its named reason (the per-reason drop
# deltas equal what the barrage sent of that kind, nothing else moves), and the barrage neither
# kills sluiced nor stops it forwarding. (No fragments: af_packet reassembles them in the kernel.)
SL_PREFIX=sle2e-bad
source "$(dirname "$0")/lib.sh"
e2e_start

# Prime ARP on both sides with one real request, so the barrage's deltas are the only drops.
lab_exec client curl -s --max-time 2 -o /dev/null http://10.0.0.100/ || fail "curl through the VIP failed before the barrage"

gw_mac=$(ip -n "$(lab_ns gw)" link show gw-up | awk '/link\/ether/ {print $2}')
ctl stats --json >"$WORK/before.json" || fail "sluicectl stats --json failed"
lab_exec client "$LAB_PY" "$E2E_DIR/malformed_barrage.py" send c0 "$gw_mac" 10 >"$WORK/expected.json" ||
  fail "the barrage helper failed"

# Counters are per worker and read asynchronously: allow them a few seconds to settle.
for _ in {1..25}; do
  ctl stats --json >"$WORK/after.json" || fail "sluicectl stats --json failed after the barrage"
  "$LAB_PY" "$E2E_DIR/malformed_barrage.py" compare "$WORK"/{expected,before,after}.json >/dev/null && break
  sleep 0.2
done
diff=$("$LAB_PY" "$E2E_DIR/malformed_barrage.py" compare "$WORK"/{expected,before,after}.json) ||
  fail "drop counters do not match the barrage (sent: $(cat "$WORK/expected.json")):"$'\n'"$diff"

kill -0 "$SLUICED_PID" 2>/dev/null || fail "sluiced died during the barrage"
body=$(lab_exec client curl -s --max-time 2 http://10.0.0.100/) || fail "curl through the VIP failed after the barrage"
[[ $body =~ ^be[123]$ ]] || fail "curl after the barrage answered '$body'"

e2e_stop
pass
