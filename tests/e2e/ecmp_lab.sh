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

# ecmp_router_bird: BIRD in rtr, AS 65000, one eBGP session per appliance, routes merged into
# multipath kernel routes.
ecmp_router_bird() {
  cat >"$LAB_STATE/rtr-bird.conf" <<CONF
router id 10.0.0.1;
log "$LAB_STATE/rtr-bird.log" all;
protocol device { scan time 10; }
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
  ipv4 { import all; export none; };
}
protocol bgp gwa from appliance { neighbor 10.0.0.2 as 65001; }
protocol bgp gwb from appliance { neighbor 10.0.0.3 as 65001; }
CONF
  lab_spawn rtr rtr-bird bird -f -c "$LAB_STATE/rtr-bird.conf" -s "$LAB_STATE/rtr-bird.ctl" \
    -P "$LAB_STATE/rtr-bird.pid"
}

rtr_birdc() { birdc -s "$LAB_STATE/rtr-bird.ctl" "$@"; }

# ecmp_config NAME UP_ADDR DOWN_ADDR MAIN_LCORE: sluiced's config for appliance NAME.
ecmp_config() {
  local name=$1 up=$2 down=$3 main=$4
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
YAML
}

# ecmp_nexthops: the router's next hops for the VIP, one address per line, sorted.
ecmp_nexthops() {
  ip -n "$(lab_ns rtr)" -4 route show "$ECMP_VIP" | grep -Eo 'via [0-9.]+' | awk '{print $2}' | sort
}
