# shellcheck shell=bash
# The namespace lab shared by scripts/lab, scripts/demo and tests/e2e. Source it; it defines
# functions only. Every name carries $SL_PREFIX so two labs (a demo and a test) never collide.
#
#   client ─ c0 10.0.0.1 ══ gw-up ┐ sluiced (DPDK af_packet, no kernel addresses) ┌ gw-down ══ br0 ─┬─ be1 10.0.1.11
#   VIP 10.0.0.100 on this link   └──────────── namespace $SL_PREFIX-gw ───────────┘  ($SL_PREFIX-lan)├─ be2 10.0.1.12
#                                                                                                    └─ be3 10.0.1.13
# Backends route everything via 10.0.1.2 (sluiced's downlink address) and serve HTTP on 8080 and
# UDP echo on 5353, each answering with its own name.

SL_PREFIX=${SL_PREFIX:-sl}
LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_STATE=/run/sluice-lab/$SL_PREFIX
LAB_BACKENDS=(be1 be2 be3)
LAB_EXTRA_NS=() # further namespaces a test builds itself; lab_down removes them too
LAB_PY=/usr/bin/python3 # Debian's interpreter: the only one with scapy

# A short name (client, gw, lan, be1..) gets the prefix; a full name ("sl-be1") is kept.
lab_ns() { if [[ $1 == *-* ]]; then echo "$1"; else echo "$SL_PREFIX-$1"; fi; }
lab_exec() { local ns=$1; shift; ip netns exec "$(lab_ns "$ns")" "$@"; }
lab_log() { echo "lab[$SL_PREFIX]: $*" >&2; }

# A namespace with lo up and IPv6 off before any link exists, so no ND/MLD reaches sluiced.
lab_add_ns() {
  local ns; ns=$(lab_ns "$1")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# lab_veth NS1 IF1 NS2 IF2: a veth pair created directly inside its namespaces (no name ever
# exists in the root namespace, so labs with different prefixes cannot collide).
lab_veth() {
  ip link add "$2" netns "$(lab_ns "$1")" mtu 1500 type veth peer name "$4" netns "$(lab_ns "$3")" mtu 1500
  lab_link_up "$1" "$2"
  lab_link_up "$3" "$4"
}

# Offloads off: af_packet hands DPDK whatever the kernel queued, and with tx checksum offload or
# TSO/GSO/GRO on, kernel TCP arrives with unfilled checksums or as 64 KiB super-frames.
lab_link_up() {
  lab_exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
  lab_exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null
  ip -n "$(lab_ns "$1")" link set "$2" up
}

# lab_spawn NS NAME CMD...: a background server in NS, logging to $LAB_STATE/NAME.log.
lab_spawn() {
  local ns=$1 name=$2; shift 2
  lab_exec "$ns" setsid "$@" >"$LAB_STATE/$name.log" 2>&1 </dev/null &
}

lab_up() {
  lab_down
  mkdir -p "$LAB_STATE"
  local n
  for n in client gw lan "${LAB_BACKENDS[@]}"; do lab_add_ns "$n"; done

  lab_veth client c0 gw gw-up
  ip -n "$(lab_ns client)" addr add 10.0.0.1/24 dev c0

  ip -n "$(lab_ns lan)" link add br0 type bridge stp_state 0 mcast_snooping 0
  ip -n "$(lab_ns lan)" link set br0 up
  lab_veth gw gw-down lan lan-gw
  ip -n "$(lab_ns lan)" link set lan-gw master br0

  local i=1 be
  for be in "${LAB_BACKENDS[@]}"; do
    lab_veth "$be" eth0 lan "lan-$be"
    ip -n "$(lab_ns lan)" link set "lan-$be" master br0
    ip -n "$(lab_ns "$be")" addr add "10.0.1.1$i/24" dev eth0
    ip -n "$(lab_ns "$be")" route add default via 10.0.1.2
    mkdir -p "$LAB_STATE/$be-www"
    echo "$be" >"$LAB_STATE/$be-www/index.html"
    lab_spawn "$be" "$be-http" "$LAB_PY" -m http.server 8080 --directory "$LAB_STATE/$be-www"
    lab_spawn "$be" "$be-udp" "$LAB_PY" "$LAB_ROOT/scripts/lib/udp_echo.py" 5353 "$be"
    i=$((i + 1))
  done
  lab_wait_servers
  lab_log "up: $(lab_ns client) 10.0.0.1 -> VIP 10.0.0.100 via $(lab_ns gw) (gw-up, gw-down) -> ${LAB_BACKENDS[*]}"
}

# Each backend answers HTTP and UDP echo on its own address, from inside its namespace.
lab_wait_servers() {
  local be i=1 t
  for be in "${LAB_BACKENDS[@]}"; do
    for ((t = 0; t < 50; t++)); do
      [[ $(lab_exec "$be" curl -s --max-time 1 "http://10.0.1.1$i:8080/") == "$be" ]] &&
        [[ $(lab_udp_ask "$be" "10.0.1.1$i" 5353 ping) == "$be:ping" ]] && break
      sleep 0.2
    done
    ((t < 50)) || { lab_log "servers in $(lab_ns "$be") did not come up"; cat "$LAB_STATE/$be"-*.log >&2; return 1; }
    i=$((i + 1))
  done
}

# lab_udp_ask NS HOST PORT PAYLOAD: prints the one-datagram answer (empty after 2 s of silence).
lab_udp_ask() {
  lab_exec "$1" "$LAB_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
try: print(s.recvfrom(2048)[0].decode())
except socket.timeout: pass' "$2" "$3" "$4"
}

# Kills every process living in a lab namespace (servers, sluiced, testpmd), then removes the
# namespaces. Safe to run when nothing is up.
lab_down() {
  local n ns pids
  for n in client gw lan "${LAB_BACKENDS[@]}" "${LAB_EXTRA_NS[@]}"; do
    ns=$(lab_ns "$n")
    ip netns list | awk '{print $1}' | grep -qx "$ns" || continue
    mapfile -t pids < <(ip netns pids "$ns")
    if ((${#pids[@]})); then
      kill "${pids[@]}" 2>/dev/null || true
      for _ in {1..50}; do [[ -z $(ip netns pids "$ns") ]] && break; sleep 0.1; done
      mapfile -t pids < <(ip netns pids "$ns")
      if ((${#pids[@]})); then kill -9 "${pids[@]}" 2>/dev/null || true; fi
    fi
    ip netns del "$ns"
  done
  rm -rf "$LAB_STATE"
}

# --- sluiced in the gateway namespace --------------------------------------------------------

# lab_config OUT SOCKET: config/demo.yaml with this lab's admin socket and EAL file prefix.
lab_config() {
  sed -e "s|^\(  socket:\).*|\1 $2|" -e "s|\"sl-demo\"|\"$SL_PREFIX\"|" \
    "$LAB_ROOT/config/demo.yaml" >"$1"
}

# sluiced_start BINARY CONFIG: runs it in the gateway namespace; log in $LAB_STATE/sluiced.log.
sluiced_start() {
  mkdir -p "$LAB_STATE"
  # A plain command, not lab_exec: a backgrounded function would run in a subshell, and $! must
  # be sluiced itself (ip netns exec execs it) so that SIGTERM and wait reach the daemon.
  ip netns exec "$(lab_ns gw)" "$1" --config "$2" >"$LAB_STATE/sluiced.log" 2>&1 </dev/null &
  SLUICED_PID=$!
}

# sluiced_wait SLUICECTL SOCKET [SECONDS]: until `list` answers; on timeout shows the log, fails.
sluiced_wait() {
  local t
  for ((t = 0; t < ${3:-20} * 5; t++)); do
    timeout 2 "$1" --socket "$2" list >/dev/null 2>&1 && return 0
    kill -0 "$SLUICED_PID" 2>/dev/null || { lab_log "sluiced exited early:"; sed 's/^/  | /' "$LAB_STATE/sluiced.log" >&2; return 1; }
    sleep 0.2
  done
  lab_log "sluiced did not answer on $2 within ${3:-20} s; its log:"
  sed 's/^/  | /' "$LAB_STATE/sluiced.log" >&2
  return 1
}

# sluiced_worker_tid: the thread id of the running sluiced's first worker lcore (DPDK 22.11
# names worker threads rte-worker-N).
sluiced_worker_tid() {
  local t
  for t in /proc/"$SLUICED_PID"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == rte-worker-* ]] && { basename "$t"; return 0; }
  done
  return 1
}

# sluiced_stop: SIGTERM, expect exit 0 within 10 s. Returns sluiced's exit status.
sluiced_stop() {
  [[ -n ${SLUICED_PID:-} ]] || return 0
  local pid=$SLUICED_PID rc=0; SLUICED_PID=
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in {1..100}; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    lab_log "sluiced ignored SIGTERM for 10 s; killing it"; kill -9 "$pid"; wait "$pid" 2>/dev/null; return 1
  fi
  wait "$pid" || rc=$?
  return $rc
}

# --- DR and TUN: backends that answer the client directly ------------------------------------
#
#   client ─ c0 10.0.0.1 ══ gateway ══ br0 ─┬─ be1..be3 (VIP on lo, route 10.0.0.0/24 via 10.0.1.100)
#          └ c1 10.0.1.100 ═════════════════┘
# The client's second leg on the backends' bridge is their way back: replies from the VIP reach
# the client without the gateway, which is the point of both modes.

# lab_direct_return: adds c1 and the backends' route back through it. rp_filter is off in the
# client, which receives replies from 10.0.0.100 on c1 while its route to that address is c0.
lab_direct_return() {
  local be
  lab_veth client c1 lan lan-client
  ip -n "$(lab_ns lan)" link set lan-client master br0
  ip -n "$(lab_ns client)" addr add 10.0.1.100/24 dev c1
  lab_exec client sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.c1.rp_filter=0
  for be in "${LAB_BACKENDS[@]}"; do
    ip -n "$(lab_ns "$be")" route add 10.0.0.0/24 via 10.0.1.100
  done
}

# lab_backend_vip VIP [UDP_PORT]: every backend owns VIP on lo as /32 without answering or
# announcing it by ARP (arp_ignore=1, arp_announce=2), and with UDP_PORT an echo bound to the VIP
# (a wildcard-bound UDP server would answer from its eth0 address).
lab_backend_vip() {
  local be
  for be in "${LAB_BACKENDS[@]}"; do
    ip -n "$(lab_ns "$be")" addr add "$1/32" dev lo
    lab_exec "$be" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    [[ -z ${2:-} ]] || lab_spawn "$be" "$be-vip-udp" "$LAB_PY" "$LAB_ROOT/scripts/lib/udp_echo.py" \
      "$2" "$be" "$1"
  done
}

# lab_ipip_decap: every backend decapsulates IPIP in user space (this kernel has no ipip module)
# into its tun0, where the inner packet is delivered as if it had arrived on a link.
lab_ipip_decap() {
  local be t
  for be in "${LAB_BACKENDS[@]}"; do
    lab_spawn "$be" "$be-decap" "$LAB_PY" "$LAB_ROOT/scripts/lib/ipip_decap.py" tun0
  done
  for be in "${LAB_BACKENDS[@]}"; do
    for ((t = 0; t < 50; t++)); do grep -q ready "$LAB_STATE/$be-decap.log" 2>/dev/null && break; sleep 0.1; done
    ((t < 50)) || { lab_log "decapsulator in $(lab_ns "$be") did not start:"; cat "$LAB_STATE/$be-decap.log" >&2; return 1; }
  done
}

# lab_exception_paths CONFIG: gives both interfaces of CONFIG (a lab_config output) a kernel twin
# (interfaces[].exception_path): taps tap-up (10.0.0.2/24) and tap-down (10.0.1.2/24) appear in
# the gateway namespace once sluiced answers, and host tools there reach both links through DPDK.
lab_exception_paths() {
  sed -i -e 's|^\(    address: 10\.0\.0\.2/24\).*|\1\n    exception_path: { tap: tap-up }|' \
    -e 's|^\(    address: 10\.0\.1\.2/24\).*|\1\n    exception_path: { tap: tap-down }|' "$1"
}

# lab_two_workers CONFIG: two workers on the machine's second core (three lcores for two CPUs),
# two af_packet queue pairs per port.
lab_two_workers() {
  sed -i -e 's/workers: 1/workers: 2/' -e 's/"-l", "0-1"/"--lcores", "0@0,1@1,2@1"/' \
    -e 's/iface=gw-up"/iface=gw-up,qpairs=2"/' -e 's/iface=gw-down"/iface=gw-down,qpairs=2"/' "$1"
}

# lab_set_services CONFIG YAML: replaces the services: list of CONFIG (a lab_config output).
lab_set_services() {
  local cfg=$1 services=$2
  awk -v svc="$services" '/^services:/ { print; print svc; skip = 1; next }
    /^[a-z]/ { skip = 0 } !skip' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}
