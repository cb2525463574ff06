#!/usr/bin/env bash
# Property: while steady traffic flows (long-lived TCP connections plus a UDP stream), 1000
# configuration changes applied by reload — services added and removed, weights changed,
# schedulers changed, a backend of the live service removed and restored — plus 300 runtime
# changes through the admin API between them (backend weights of the live service, services
# added and deleted) reset no established connection, move none to another backend, and lose
# no UDP answer: the running flows keep their backends and the snapshot swap (RCU) never stalls
# or drops a packet.
SL_PREFIX=sle2e-zl
source "$(dirname "$0")/lib.sh"
e2e_start

# A TCP echo service for the long-lived connections.
for i in 1 2 3; do lab_spawn "be$i" "be$i-tcp" "$LAB_PY" "$LAB_ROOT/scripts/lib/tcp_echo.py" 7000 "be$i"; done
sleep 0.5

# The test's config split around its services list, so variants can append services to it.
base=$WORK/base.yaml admin=$WORK/admin.yaml
sed '/^admin:/,$d' "$WORK/sluice.yaml" >"$base"
sed -n '/^admin:/,$p' "$WORK/sluice.yaml" >"$admin"
# variant N: the base config plus the live service (scheduler, weights and members vary with
# N) and N % 7 extra services on other VIPs.
variant() {
  local n=$1 sched=(rr wrr lc wlc sh mh random) k
  cp "$base" "$WORK/sluice.yaml"
  {
    echo "  - name: steady"
    echo "    address: 10.0.0.100"
    echo "    port: 7000"
    echo "    scheduler: ${sched[n % 7]}"
    echo "    backends:"
    echo "      - { address: 10.0.1.11, port: 7000, weight: $((n % 5 + 1)) }"
    echo "      - { address: 10.0.1.12, port: 7000, weight: $(((n / 5) % 3)) }"
    ((n % 11 == 0)) || echo "      - { address: 10.0.1.13, port: 7000 }"
    for ((k = 0; k < n % 7; k++)); do
      echo "  - { name: extra$k, address: 10.0.0.$((101 + k)), port: $((8000 + n % 50)), backends: [{ address: 10.0.1.1$((k % 3 + 1)), port: 8080 }] }"
    done
    cat "$admin"
  } >>"$WORK/sluice.yaml"
}
variant 1
ctl reload >/dev/null || fail "first reload refused"

stop=$WORK/stop
lab_exec client "$LAB_PY" "$E2E_DIR/steady_traffic.py" 10.0.0.100 24 "$stop" >"$WORK/traffic.json" 2>"$WORK/traffic.err" &
traffic=$!
sleep 2

applied=0 api=0
for n in $(seq 2 1001); do
  variant "$n"
  ctl reload >/dev/null || fail "reload $n refused: $(ctl reload 2>&1)"
  applied=$((applied + 1))
  if ((n % 10 == 0)); then
    # Per-service recompilation between reloads: the live service itself and a neighbour.
    ctl -e -t 10.0.0.100:7000 -r 10.0.1.11:7000 -w $((n % 4 + 1)) || fail "API weight change $n"
    ctl -A -t 10.0.0.120:80 -s wrr || fail "API add service $n"
    ctl -D -t 10.0.0.120:80 || fail "API delete service $n"
    api=$((api + 3))
  fi
done
sleep 1
touch "$stop"
wait "$traffic" || fail "traffic generator failed: $(cat "$WORK/traffic.err")"

summary=$(cat "$WORK/traffic.json")
echo "after $applied reloads and $api API changes: $summary"
/usr/bin/python3 - "$summary" <<'PY' || fail "traffic was disturbed: $summary"
import json, sys
s = json.loads(sys.argv[1])
ok = (s["resets"] == 0 and s["moved"] == 0 and s["timeouts"] == 0 and s["rounds"] > 10
      and s["exchanges"] == s["rounds"] * s["connections"] and s["udp_answered"] == s["udp_sent"])
sys.exit(0 if ok else 1)
PY
e2e_stop
pass
