#!/usr/bin/env bash
# Property: two appliances with announce.bgp.bfd { interval_ms: 100, multiplier: 3 } and a router
# running BFD on their BGP sessions (BIRD's default timers: the appliances' decide) share its
# ECMP route. When one appliance dies, the router drops it from the route in interval x
# multiplier plus BIRD's and the kernel's reaction — well under 1 s, where the hold time alone
# takes 9 s (ecmp_scale_out_test.sh) — and every connection keeps working through the survivor:
# those it carried without interruption, the dead one's taken over by Maglev with the same
# backend. Prints the failover time (perf/RESULTS.md).
#
# Appliance death here is sluiced and its BIRD SIGKILLed in one kill(1): the DPDK ports and the
# exception path vanish with sluiced, so neither a BGP NOTIFICATION nor a BFD packet (Down or
# AdminDown) can leave, as when a box loses power; the router learns it only from BFD's silence.
SL_PREFIX=sle2e-bfd
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/ecmp_lab.sh"

ecmp_need

declare -A PID
ecmp_lab_up
ecmp_router_bird bfd
ecmp_appliances_up "bfd: { interval_ms: 100, multiplier: 3 }"
grep -qF 'bfd { interval 100 ms; multiplier 3; };' "$WORK/gwa-bird/bird.conf" ||
  fail "gwa's BIRD config has no BFD timers on its session: $(grep -n bfd "$WORK/gwa-bird/bird.conf")"

# 1. Both BFD sessions are Up on the router, at the appliances' 100 ms and 3 x 100 ms timeout.
bfd_sessions() { rtr_birdc show bfd sessions | awk '$1 ~ /^10\.0\.0\./ && $3 == "Up" { print $1, $5, $6 }'; }
for ((t = 0; t < 100; t++)); do [[ $(bfd_sessions | wc -l) == 2 ]] && break; sleep 0.1; done
((t < 100)) || fail "the router's BFD sessions are not both Up: $(rtr_birdc show bfd sessions)"
echo "router BFD sessions (address interval timeout): $(bfd_sessions | tr '\n' ';')"
[[ $(bfd_sessions | awk '{ print $2, $3 }' | sort -u) == "0.100 0.300" ]] ||
  fail "the router did not take the appliances' timers: $(rtr_birdc show bfd sessions)"

# 2. Long-lived connections, some through each appliance.
ecmp_hold_on_both 16

# 3. gwa dies. The router's route change is timed by ip monitor (event timestamps); the 10 ms
#    poll of the route only waits for it.
bird_pid=$(cat "$WORK/gwa-bird/bird.pid")
lab_spawn rtr route-monitor ip -ts monitor route
sleep 0.5
t0=$(now)
kill -KILL "${PID[gwa]}" "$bird_pid"
for ((t = 0; t < 500; t++)); do [[ $(ecmp_nexthops | tr '\n' ' ') == "10.0.0.3 " ]] && break; sleep 0.01; done
polled_ms=$(ms_since "$t0")
((t < 500)) || fail "gwa's next hop still on the router 5 s after it died: $(ip -n "$(lab_ns rtr)" route show "$ECMP_VIP")"
route_ms=$(ecmp_route_change_ms "$t0" 0)
((route_ms < 1000)) || fail "the router dropped gwa ${route_ms} ms after it died, want < 1000 ms"

# 4. Every connection continues through gwb: gwa's appear in gwb's flow table with the backend
#    gwa had chosen, and the client saw no reset, timeout (3 s) or other backend on any of the
#    16 while it went on for a second after the takeover.
ecmp_taken_over
[[ $(ecmp_held_on gwb "$ports") == "$(sort <<<"$on_a"$'\n'"$on_b")" ]] ||
  fail "gwb lost some of its own connections: $(ecmp_held_on gwb "$ports")"
sleep 1
summary=$(ecmp_hold_summary)
echo "long-lived connections through the failover: $summary"
"$LAB_PY" -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(s["resets"] + s["timeouts"] + s["moved"] != 0 or s["exchanges"] == 0)' "$summary" ||
  fail "connections broke during the failover: $summary"
[[ $(bfd_sessions | awk '{ print $1 }') == 10.0.0.3 ]] ||
  fail "the survivor's BFD session is not the one Up: $(rtr_birdc show bfd sessions)"
gap=$("$LAB_PY" -c 'import json,sys; print(json.loads(sys.argv[1])["max_gap_ms"])' "$summary")
echo "BFD_FAILOVER death_to_route_withdrawn_ms=$route_ms death_to_route_polled_ms=$polled_ms client_round_gap_ms_max=$gap moved_connections=$(wc -l <<<"$on_a")"
pass
