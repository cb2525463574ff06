# shellcheck shell=bash
# The ECMP scale-out lab (sourced after lib.sh): a router running BIRD 2 with multipath between
# one client and two Sluice appliances that announce the same VIP by BGP, DR backends behind.
#
#   client 10.0.2.10 ── r-c 10.0.2.1 ┐              ┌ edge-a ══ gw-up (gwa: DPDK 10.0.0.2, tap exc-up)
#                                    │ rtr (BIRD,   ├ edge-b ══ gw-up (gwb: DPDK 10.0.0.3, tap exc-up)
#                                    │ AS 65000)    │    bridge br0 in "edge", router r-up 10.0.0.1
#                                    └ r-lan 10.0.1.1 ══ br0 in "lan" ─┬─ gw-down of gwa 10.0.1.2 / gwb 10.0.1.3
#                                                                      └─ be1..be3 10.0.1.11-13 (VIP on lo)
# Backends answer from the VIP straight to the router (their default gateway), which routes the
# replies to the client: the appliances see client-to-VIP traffic only (DR).

ECMP_VIP=10.0.5.100
LAB_EXTRA_NS=(rtr edge gwa gwb)

# ecmp_bridge NS: a bridge br0 in NS that forwards at once (no STP, no snooping).
ecmp_bridge() {
  lab_add_ns "$1"
  ip -n "$(lab_ns "$1")" link add br0 type bridge stp_state 0 mcast_snooping 0
  ip -n "$(lab_ns "$1")" link set br0 up
}

# ecmp_port NS IF BRIDGE_NS PORT: a veth from NS into BRIDGE_NS's br0.
ecmp_port() {
  lab_veth "$1" "$2" "$3" "$4"
  ip -n "$(lab_ns "$3")" link set "$4" master br0
}

ecmp_lab_up() {
  lab_down
  mkdir -p "$LAB_STATE"
  local n be i
  for n in client rtr gwa gwb "${LAB_BACKENDS[@]}"; do lab_add_ns "$n"; done
  ecmp_bridge edge
  ecmp_bridge lan

  lab_veth client c0 rtr r-c
  ip -n "$(lab_ns client)" addr add 10.0.2.10/24 dev c0
  ip -n "$(lab_ns client)" route add default via 10.0.2.1
  ip -n "$(lab_ns rtr)" addr add 10.0.2.1/24 dev r-c
  ecmp_port rtr r-up edge edge-r
  ip -n "$(lab_ns rtr)" addr add 10.0.0.1/24 dev r-up
  ecmp_port rtr r-lan lan lan-r
  ip -n "$(lab_ns rtr)" addr add 10.0.1.1/24 dev r-lan
  # L4 hashing spreads one client's connections over both next hops; replies come back from the
  # backends on r-lan while the route to the VIP points at the edge: no reverse-path filter.
  lab_exec rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

  for n in gwa gwb; do
    ecmp_port "$n" gw-up edge "edge-${n#gw}"
    ecmp_port "$n" gw-down lan "lan-${n#gw}"
  done

  i=1
  for be in "${LAB_BACKENDS[@]}"; do
    ecmp_port "$be" eth0 lan "lan-$be"
    ip -n "$(lab_ns "$be")" addr add "10.0.1.1$i/24" dev eth0
    ip -n "$(lab_ns "$be")" route add default via 10.0.1.1
    ip -n "$(lab_ns "$be")" addr add "$ECMP_VIP/32" dev lo
    lab_exec "$be" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    lab_spawn "$be" "$be-tcp" "$LAB_PY" "$LAB_ROOT/scripts/lib/tcp_echo.py" 7000 "$be"
    i=$((i + 1))
  done
  lab_log "ecmp up: client 10.0.2.10 -> rtr -> {gwa 10.0.0.2, gwb 10.0.0.3} -> be1..be3 (VIP $ECMP_VIP)"
}

# ecmp_router_bird [bfd]: BIRD in rtr, AS 65000, one eBGP session per appliance, routes merged
# into multipath kernel routes. With "bfd", the sessions are BFD-protected with BIRD's default
# timers, so the appliances' interval and multiplier decide how fast a dead one is dropped.
ecmp_router_bird() {
  local bfd_protocol="" bfd_session=""
  if [[ ${1:-} == bfd ]]; then
    bfd_protocol="protocol bfd { }"
    bfd_session="bfd on;"
  fi
  cat >"$LAB_STATE/rtr-bird.conf" <<CONF
router id 10.0.0.1;
log "$LAB_STATE/rtr-bird.log" all;
timeformat log iso long ms;
protocol device { scan time 10; }
$bfd_protocol
protocol kernel {
  ipv4 { import none; export all; };
  merge paths on;
}
template bgp appliance {
  local 10.0.0.1 as 65000;
  hold time 9;
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 10;
  $bfd_session
  ipv4 { import all; export none; };
}
protocol bgp gwa from appliance { neighbor 10.0.0.2 as 65001; }
protocol bgp gwb from appliance { neighbor 10.0.0.3 as 65001; }
CONF
  lab_spawn rtr rtr-bird bird -f -c "$LAB_STATE/rtr-bird.conf" -s "$LAB_STATE/rtr-bird.ctl" \
    -P "$LAB_STATE/rtr-bird.pid"
}

rtr_birdc() { birdc -s "$LAB_STATE/rtr-bird.ctl" "$@"; }

# ecmp_config NAME UP_ADDR DOWN_ADDR MAIN_LCORE [BGP_LINE]: sluiced's config for appliance NAME;
# BGP_LINE is one more key of announce.bgp (e.g. "bfd: { interval_ms: 100, multiplier: 3 }").
ecmp_config() {
  local name=$1 up=$2 down=$3 main=$4 bgp_line=${5:-}
  cat >"$WORK/$name.yaml" <<YAML
dataplane:
  # Both appliances share this machine's two cores: each puts its worker on the other's main.
  eal_args: ["-l", "0-1", "--main-lcore", "$main", "--in-memory", "--no-pci",
             "--file-prefix", "$SL_PREFIX-$name"]
  workers: 1
  flows_per_worker: 65536
interfaces:
  - name: uplink
    device: "net_af_packet0,iface=gw-up"
    address: $up/24
    gateway: 10.0.0.1
    exception_path: { tap: exc-up, rate_limit_pps: 10000 }
  - name: downlink
    device: "net_af_packet1,iface=gw-down"
    address: $down/24
    exception_path: { tap: exc-down, rate_limit_pps: 10000 } # health checks reach the backends
services:
  - name: echo
    address: $ECMP_VIP
    port: 7000
    forwarding: dr
    scheduler: mh
    health_check: { type: tcp, interval_ms: 500, timeout_ms: 300, rise: 2, fall: 3 }
    backends: [{ address: 10.0.1.11 }, { address: 10.0.1.12 }, { address: 10.0.1.13 }]
admin:
  socket: $WORK/$name.sock
  metrics: 127.0.0.1:9469
announce:
  bgp:
    local_asn: 65001
    bird_socket: $WORK/$name-bird/bird.ctl
    peers: [{ address: 10.0.0.1, asn: 65000, hold_time: 9 }]
    communities: ["65000:100"]
    withdraw_delay_ms: 2000
    $bgp_line
YAML
}

# ecmp_nexthops: the router's next hops for the VIP, one address per line, sorted.
ecmp_nexthops() {
  ip -n "$(lab_ns rtr)" -4 route show "$ECMP_VIP" | grep -Eo 'via [0-9.]+' | awk '{print $2}' | sort
}

# --- both appliances and their timeline (tests declare `declare -A PID` and source this after
#     lib.sh) ------------------------------------------------------------------------------------

# ecmp_need: skips without root, fails without the binaries or BIRD.
ecmp_need() {
  ((EUID == 0)) || { echo "SKIP $TEST_NAME: needs root (network namespaces, DPDK)"; exit 77; }
  e2e_need_binaries
  "$LAB_ROOT/scripts/setup"
  command -v bird >/dev/null || fail "bird (Debian bird2) is not installed"
}

ecmp_show_logs() {
  local f
  for f in "$LAB_STATE"/sluiced-*.log "$LAB_STATE/rtr-bird.log"; do
    [[ -s $f ]] && { echo "--- $f ---" >&2; tail -n 30 "$f" >&2; }
  done
  return 0
}
fail() { echo "FAIL $TEST_NAME: $*" >&2; ecmp_show_logs; exit 1; }
now() { date +%s.%N; }
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# ecmp_appliances_up [BGP_LINE]: sluiced in gwa and gwb (PID[gwa], PID[gwb]), both answering,
# and the router's two-nexthop route to the VIP.
ecmp_appliances_up() {
  local gw t
  for gw in gwa gwb; do
    [[ $gw == gwa ]] && ecmp_config gwa 10.0.0.2 10.0.1.2 0 "${1:-}" ||
      ecmp_config gwb 10.0.0.3 10.0.1.3 1 "${1:-}"
    ip netns exec "$(lab_ns "$gw")" "$SLUICED" --config "$WORK/$gw.yaml" >"$LAB_STATE/sluiced-$gw.log" 2>&1 </dev/null &
    PID[$gw]=$!
  done
  for gw in gwa gwb; do
    SLUICED_PID=${PID[$gw]} sluiced_wait "$SLUICECTL" "$WORK/$gw.sock" 30 || fail "sluiced in $gw did not answer"
  done
  SLUICED_PID=
  for ((t = 0; t < 300; t++)); do [[ $(ecmp_nexthops | tr '\n' ' ') == "10.0.0.2 10.0.0.3 " ]] && break; sleep 0.1; done
  ((t < 300)) || fail "no two-nexthop route to $ECMP_VIP on the router after 30 s:
$(ip -n "$(lab_ns rtr)" route; rtr_birdc show protocols; rtr_birdc show route all)"
  echo "router: $(ip -n "$(lab_ns rtr)" route show "$ECMP_VIP" | tr -s ' \n' ' ')"
}

# ecmp_flows_of NAME: "client_port backend" per client flow of the echo service on appliance NAME.
ecmp_flows_of() {
  "$SLUICECTL" --socket "$WORK/$1.sock" conns -t "$ECMP_VIP:7000" --limit 100000 |
    awk '$4 ~ /^10\.0\.2\.10:/ { split($4, c, ":"); split($6, d, ":"); print c[2], d[1] }' | sort
}

# ecmp_hold N: N long-lived connections from the client (ecmp_probe.py hold, log hold.log), open;
# prints their local ports. Stopped by touching $WORK/stop-hold.
ecmp_hold() {
  local t
  lab_spawn client hold "$LAB_PY" "$E2E_DIR/ecmp_probe.py" hold "$ECMP_VIP" 7000 "$1" "$WORK/stop-hold"
  for ((t = 0; t < 100; t++)); do grep -q '"ports"' "$LAB_STATE/hold.log" 2>/dev/null && break; sleep 0.1; done
  ((t < 100)) || fail "long-lived connections did not open: $(cat "$LAB_STATE/hold.log")"
  "$LAB_PY" -c 'import json,sys; print(" ".join(map(str, json.loads(sys.argv[1])["ports"])))' \
    "$(head -n 1 "$LAB_STATE/hold.log")"
}

# ecmp_held_on NAME PORTS: ecmp_flows_of NAME restricted to the connections on local PORTS.
ecmp_held_on() {
  ecmp_flows_of "$1" | awk -v p=" $2 " 'index(p, " " $1 " ")'
}

# ecmp_hold_on_both N: N long-lived connections (ecmp_hold); sets `ports`, and `on_a` / `on_b`
# (ecmp_held_on gwa / gwb); fails unless both appliances carry some.
ecmp_hold_on_both() {
  ports=$(ecmp_hold "$1")
  on_a=$(ecmp_held_on gwa "$ports")
  on_b=$(ecmp_held_on gwb "$ports")
  echo "long-lived connections: $(wc -l <<<"$on_a") on gwa, $(wc -l <<<"$on_b") on gwb"
  [[ -n $on_a && -n $on_b ]] || fail "the $1 long-lived connections are not on both appliances:
gwa: $on_a
gwb: $on_b"
}

# ecmp_taken_over: waits until gwb carries gwa's connections ($on_a), each with the backend gwa
# had chosen (Maglev on both), or fails after 10 s.
ecmp_taken_over() {
  local t taken moved_ports
  moved_ports=$(awk '{ print $1 }' <<<"$on_a" | tr '\n' ' ')
  for ((t = 0; t < 100; t++)); do
    taken=$(ecmp_held_on gwb "$moved_ports")
    [[ $(wc -l <<<"$taken") == $(wc -l <<<"$on_a") ]] && break
    sleep 0.1
  done
  [[ $taken == "$on_a" ]] || fail "gwb did not take gwa's connections with the same backends (Maglev):
on gwa before: $on_a
on gwb after:  $taken"
}

# ecmp_hold_summary: stops the long-lived connections; prints the probe's JSON summary.
ecmp_hold_summary() {
  local t
  touch "$WORK/stop-hold"
  for ((t = 0; t < 100; t++)); do [[ $(wc -l <"$LAB_STATE/hold.log") -ge 2 ]] && break; sleep 0.1; done
  tail -n 1 "$LAB_STATE/hold.log"
}

# ecmp_route_change_ms T0 SKIP: ms from T0 to the first change of the VIP's route that the
# router's `ip -ts monitor route` (log route-monitor.log) saw after its first SKIP lines.
ecmp_route_change_ms() {
  local at
  at=$(tail -n +$(($2 + 1)) "$LAB_STATE/route-monitor.log" | grep -m 1 -F "$ECMP_VIP" | sed -E 's/^\[([^]]+)\].*/\1/')
  [[ -n $at ]] || fail "ip monitor saw no change of the route to $ECMP_VIP"
  awk -v a="$1" -v b="$(date -d "$at" +%s.%N)" 'BEGIN { printf "%d", (b - a) * 1000 }'
}
