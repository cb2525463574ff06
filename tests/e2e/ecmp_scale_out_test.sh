#!/usr/bin/env bash
# Property: two appliances announcing the same VIP by BGP (through BIRD on their exception
# paths) share a router's ECMP route; one client's connections spread over both; with Maglev (mh)
# in DR mode both map a flow to the same backend, so when one appliance stops (SIGTERM: withdraw,
# wait withdraw_delay_ms, stop) its established connections keep working through the survivor —
# no reset, no timeout, same backend. A backend killed is held down by health checks within
# fall x interval + timeout and gets no new connection. A VIP whose backends are all drained (weight 0) is withdrawn
# and announced again when one returns; a sluiced killed outright leaves no BIRD behind and its
# route goes after the hold time. Prints the failover timings (perf/RESULTS.md).
SL_PREFIX=sle2e-bgp
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/ecmp_lab.sh"

ecmp_need

declare -A PID
ecmp_lab_up
ecmp_router_bird
# 1. The router learns the VIP from both appliances and installs a two-nexthop route.
ecmp_appliances_up
for gw in gwa gwb; do
  metrics=$(lab_exec "$gw" curl -s --max-time 2 127.0.0.1:9469/metrics)
  grep -qx "sluice_bgp_announced{vip=\"$ECMP_VIP\"} 1" <<<"$metrics" ||
    fail "$gw's metrics do not show $ECMP_VIP announced: $(grep sluice_bgp <<<"$metrics")"
done
grep -q '(65000,100)' <<<"$(rtr_birdc show route "$ECMP_VIP/32" all)" ||
  fail "the announcement lacks community 65000:100: $(rtr_birdc show route "$ECMP_VIP/32" all)"

# 2. Many connections from one client spread over both appliances (each counts its own).
spread=$(lab_exec client "$LAB_PY" "$E2E_DIR/ecmp_probe.py" spread "$ECMP_VIP" 7000 200)
echo "spread over backends: $spread"
[[ $spread == *'"failed": 0}' ]] || fail "some of 200 connections failed: $spread"
conns_of() { # total connections a service counted on appliance $1
  "$SLUICECTL" --socket "$WORK/$1.sock" list --stats | awk '/^TCP/ { print $3; exit }'
}
a=$(conns_of gwa) b=$(conns_of gwb)
echo "connections per appliance: gwa=$a gwb=$b"
((a + b >= 200 && a >= 30 && b >= 30)) || fail "200 connections not spread over both appliances: gwa=$a gwb=$b"

# 3. Long-lived connections; each appliance holds some of them.
ecmp_hold_on_both 16

# 4. Stop gwa. Timeline from SIGTERM, from events (polling from the shell is far too coarse on a
#    loaded 2-core machine): the router's route change (ip monitor's timestamp), the first
#    packet of one of gwa's connections arriving at gwb (a packet socket on gwb's uplink), then
#    gwa's connections in gwb's flow table (Maglev takeover), each with the backend gwa chose.
moved_ports=$(awk '{print $1}' <<<"$on_a" | tr '\n' ' ')
lab_spawn rtr route-monitor ip -ts monitor route
# shellcheck disable=SC2086 # one argument per port
lab_spawn gwb first-moved "$LAB_PY" "$E2E_DIR/first_packet.py" gw-up 7000 $moved_ports
for ((t = 0; t < 100; t++)); do grep -q ready "$LAB_STATE/first-moved.log" 2>/dev/null && break; sleep 0.1; done
sleep 1
t0=$(now)
kill -TERM "${PID[gwa]}"
for ((t = 0; t < 100; t++)); do [[ $(ecmp_nexthops | tr '\n' ' ') == "10.0.0.3 " ]] && break; sleep 0.1; done
((t < 100)) || fail "gwa's next hop still on the router 10 s after SIGTERM: $(ip -n "$(lab_ns rtr)" route show "$ECMP_VIP")"
for ((t = 0; t < 100; t++)); do grep -q first "$LAB_STATE/first-moved.log" && break; sleep 0.1; done
((t < 100)) || fail "no packet of gwa's connections reached gwb after the withdrawal"
ecmp_taken_over
route_ms=$(ecmp_route_change_ms "$t0" 0)
survivor_ms=$("$LAB_PY" -c 'import json,sys; print(int((json.loads(sys.argv[1])["first"] - float(sys.argv[2])) * 1000))' \
  "$(grep first "$LAB_STATE/first-moved.log")" "$t0")
rc=0; wait "${PID[gwa]}" || rc=$?
stopped_ms=$(ms_since "$t0")
((rc == 0)) || fail "sluiced in gwa exited with status $rc on SIGTERM"
grep -q 'BGP routes withdrawn' "$LAB_STATE/sluiced-gwa.log" || fail "gwa did not log its withdrawal"

# 5. The connections keep working through the survivor after gwa has stopped forwarding: the
#    probe ran until 3 s after gwa's exit with every round answered on all 16 connections and
#    no gap of 3 s, so rounds completed after gwa was gone.
sleep 3
summary=$(ecmp_hold_summary)
echo "long-lived connections through the failover: $summary"
"$LAB_PY" -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(s["resets"] + s["timeouts"] + s["moved"] != 0 or s["max_gap_ms"] >= 3000)' "$summary" ||
  fail "established connections broke during the failover: $summary"
read -r gap median_gap < <("$LAB_PY" -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["max_gap_ms"], s["median_gap_ms"])' "$summary")
echo "FAILOVER sigterm_to_route_withdrawn_ms=$route_ms sigterm_to_first_packet_on_survivor_ms=$survivor_ms sigterm_to_exit_ms=$stopped_ms client_round_gap_ms_max=$gap client_round_gap_ms_median=$median_gap moved_connections=$(wc -l <<<"$on_a")"

# 6. Health checks on the survivor: be3's server killed is held down within fall x interval +
#    timeout (3 x 500 + 300 ms) and gets no new connection while be1 and be2 take them all.
health_of() { # the survivor's health state of backend $1
  "$SLUICECTL" --socket "$WORK/gwb.sock" list --json | "$LAB_PY" -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    for b in s["backends"]:
        if b["address"] == sys.argv[1]: print(b.get("health", {}).get("state", "none"))' "$1"
}
for pid in $(ip netns pids "$(lab_ns be3)"); do
  [[ $(tr '\0' ' ' </proc/"$pid"/cmdline) == *tcp_echo.py* ]] && be3_echo=$pid
done
killed_at=$(date +%s%3N)
kill -TERM "${be3_echo:?be3 echo server not found}"
for ((t = 0; t < 100; t++)); do [[ $(health_of 10.0.1.13) == down ]] && break; sleep 0.1; done
((t < 100)) || fail "be3 not held down 10 s after its server was killed: $(health_of 10.0.1.13)"
down_at=$(date -d "$(grep -m1 -F 'msg="backend down" service=echo backend=10.0.1.13:7000' "$LAB_STATE/sluiced-gwb.log" | cut -d' ' -f1)" +%s%3N)
echo "be3 held down $((down_at - killed_at)) ms after its server was killed (bound 1800 ms)"
((down_at - killed_at <= 1800)) || fail "be3 detected down after $((down_at - killed_at)) ms, want <= 1800"
spread=$(lab_exec client "$LAB_PY" "$E2E_DIR/ecmp_probe.py" spread "$ECMP_VIP" 7000 60)
echo "with be3 down: $spread"
[[ $spread == *'"failed": 0}' && $spread != *be3* ]] || fail "new connections failed or reached be3: $spread"

# 7. Eligibility both ways on the survivor: all backends drained to weight 0 withdraw the VIP,
#    one back at weight 1 announces it again.
weights() {
  local be
  for be in 11 12 13; do
    "$SLUICECTL" --socket "$WORK/gwb.sock" -e -t "$ECMP_VIP:7000" -r "10.0.1.$be:7000" -w "$1" >/dev/null ||
      fail "cannot set weight $1 on gwb"
    [[ -z ${2:-} ]] || break
  done
}
weights 0
for ((t = 0; t < 100; t++)); do [[ -z $(ecmp_nexthops) ]] && break; sleep 0.1; done
((t < 100)) || fail "the VIP stayed announced with every backend at weight 0: $(ip -n "$(lab_ns rtr)" route show "$ECMP_VIP")"
weights 1 first-only
for ((t = 0; t < 100; t++)); do [[ $(ecmp_nexthops) == 10.0.0.3 ]] && break; sleep 0.1; done
((t < 100)) || fail "the VIP was not announced again with a backend back at weight 1"

# 8. sluiced killed outright (SIGKILL: no withdrawal of its own). Its exception path dies with
#    it, so nothing it sends reaches the router any more: the router drops the route when the
#    hold time (9 s) expires. Its BIRD must not outlive it (parent-death signal).
seen=$(wc -l <"$LAB_STATE/route-monitor.log")
t0=$(now)
kill -KILL "${PID[gwb]}"
deadline=$((SECONDS + 15))
while [[ -n $(ecmp_nexthops) ]]; do
  ((SECONDS < deadline)) || fail "gwb's route outlived sluiced by 15 s (hold time 9 s)"
  sleep 0.2
done
echo "sluiced SIGKILL -> route deleted on the router (hold time 9 s): $(ecmp_route_change_ms "$t0" "$seen") ms"
for ((t = 0; t < 50; t++)); do [[ -z $(ip netns pids "$(lab_ns gwb)") ]] && break; sleep 0.1; done
((t < 50)) || fail "processes left in gwb after sluiced died: $(ip netns pids "$(lab_ns gwb)" | xargs -r ps -o pid,args -p)"
pass
