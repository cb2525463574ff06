#!/usr/bin/env bash
# Property: while a spoofed-source SYN flood hits the VIP's web service with many times
# dataplane.max_half_open SYNs, 30 established connections keep exchanging lines with no loss,
# reset or move; the worker's half-open flows, sampled during the flood from `sluicectl stats
# --json`, never exceed the cap; the evictions are counted (JSON and /metrics agree); and a real
# client reaches the flooded service during the flood and after it.
SL_PREFIX=sle2e-ho
source "$(dirname "$0")/lib.sh"
cap=8192 rate=40000 seconds=4
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
sed -i "s/^  flows_per_worker: .*/&\n  max_half_open: $cap/" "$WORK/sluice.yaml"
lab_set_services "$WORK/sluice.yaml" '  - { name: steady, address: 10.0.0.100, port: 7000,
      backends: [{ address: 10.0.1.11, port: 7000 }, { address: 10.0.1.12, port: 7000 }, { address: 10.0.1.13, port: 7000 }] }
  - { name: web, address: 10.0.0.100, port: 80,
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }, { address: 10.0.1.13, port: 8080 }] }
  - { name: echo, address: 10.0.0.100, port: 53, protocol: udp,
      backends: [{ address: 10.0.1.11, port: 5353 }, { address: 10.0.1.12, port: 5353 }, { address: 10.0.1.13, port: 5353 }] }'
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"
for i in 1 2 3; do lab_spawn "be$i" "be$i-tcp" "$LAB_PY" "$LAB_ROOT/scripts/lib/tcp_echo.py" 7000 "be$i"; done
sleep 0.5

counter() { # counter NAME: worker 0's counter NAME from `sluicectl stats --json`
  ctl stats --json | jq -r ".workers[0].$1"
}

stop=$WORK/stop
lab_exec client "$LAB_PY" "$E2E_DIR/steady_traffic.py" 10.0.0.100 30 "$stop" >"$WORK/traffic.json" 2>"$WORK/traffic.err" &
traffic=$!
sleep 2

lab_exec client "$LAB_PY" "$E2E_DIR/syn_flood.py" 10.0.0.100 80 "$rate" "$seconds" >"$WORK/flood.json" &
flood=$!
sleep 0.5
# During the flood: the half-open gauge sampled, and real clients served by the flooded service.
highest=0 served=0 tries=0
while kill -0 "$flood" 2>/dev/null; do
  n=$(counter half_open_flows)
  ((n > highest)) && highest=$n
  if [[ $(lab_exec client curl -s --max-time 5 http://10.0.0.100/) =~ ^be[123]$ ]]; then served=$((served + 1)); fi
  tries=$((tries + 1))
done
wait "$flood" || fail "the flood did not run"
sleep 0.5
touch "$stop"
wait "$traffic" || fail "traffic generator failed: $(cat "$WORK/traffic.err")"

evicted=$(counter half_open_evicted)
metric=$(scrape_metrics | sed -n 's/^sluice_worker_half_open_evicted_total{worker="0"} //p')
echo "flood $(cat "$WORK/flood.json"); cap $cap; half-open flows at most $highest; evicted $evicted" \
  "(metrics $metric); real clients served during the flood $served/$tries"
echo "steady connections: $(cat "$WORK/traffic.json")"

((highest <= cap)) || fail "the worker held $highest half-open flows, more than max_half_open $cap"
((evicted > cap)) || fail "the flood evicted only $evicted half-open flows: it never reached the cap $cap"
[[ $metric == "$evicted" ]] || fail "sluice_worker_half_open_evicted_total is '$metric', the JSON says $evicted"
((tries > 0 && served == tries)) || fail "real clients were served $served times of $tries during the flood"
/usr/bin/python3 - "$(cat "$WORK/traffic.json")" <<'PY' || fail "established connections were disturbed"
import json, sys
s = json.loads(sys.argv[1])
sys.exit(0 if s["resets"] == 0 and s["moved"] == 0 and s["timeouts"] == 0 and s["rounds"] > 10
         and s["exchanges"] == s["rounds"] * s["connections"] else 1)
PY
for i in 1 2 3; do
  [[ $(lab_exec client curl -s --max-time 2 http://10.0.0.100/) =~ ^be[123]$ ]] || fail "no answer from the web service after the flood"
done
e2e_stop
pass
