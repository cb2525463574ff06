# shellcheck shell=bash
# Shared by the perf/idle scripts: the namespace lab (scripts/lib/lab.sh) with sluiced on
# config/demo.yaml in a chosen dataplane.idle mode, the worker thread's CPU time, and the
# kernel's own DNAT on the same lab as the baseline (LAB-NOTES, "Kernel baseline").
# Run the scripts under `flock /tmp/sluice-e2e.lock`: they use fixed namespace names.
set -euo pipefail

IDLE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SL_PREFIX=${SL_PREFIX:-slperf-idle}
source "$IDLE_DIR/../../scripts/lib/lab.sh"
BUILD=${BUILD:-$LAB_ROOT/build}
SLUICED=$BUILD/sluiced
SLUICECTL=$BUILD/sluicectl
WORK=$(mktemp -d /tmp/sluice-idle-perf.XXXXXX)
SOCK=$WORK/admin.sock

idle_cleanup() {
  sluiced_stop >/dev/null 2>&1 || true
  lab_down
  rm -rf "$WORK"
}
trap idle_cleanup EXIT
trap 'exit 130' INT TERM

machine() {
  echo "idle settings: spin ${IDLE_SPIN_US:-default} µs, max sleep ${IDLE_MAX_SLEEP_US:-default} µs"
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) vCPUs, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); commit $(git -C "$LAB_ROOT" rev-parse --short HEAD)"
}

# sluiced_mode MODE: sluiced on the demo config with dataplane.idle MODE; IDLE_SPIN_US and
# IDLE_MAX_SLEEP_US, when set, give dataplane.idle_spin_us and idle_max_sleep_us.
sluiced_mode() {
  lab_config "$WORK/sluice.yaml" "$SOCK"
  local extra="  idle: $1"
  [[ -n ${IDLE_SPIN_US:-} ]] && extra+=$'\n'"  idle_spin_us: $IDLE_SPIN_US"
  [[ -n ${IDLE_MAX_SLEEP_US:-} ]] && extra+=$'\n'"  idle_max_sleep_us: $IDLE_MAX_SLEEP_US"
  awk -v extra="$extra" '{print} /^  workers: 1$/ {print extra}' "$WORK/sluice.yaml" >"$WORK/s.yaml"
  mv "$WORK/s.yaml" "$WORK/sluice.yaml"
  sluiced_start "$SLUICED" "$WORK/sluice.yaml"
  sluiced_wait "$SLUICECTL" "$SOCK" 30
  # Warm: ARP both ways, one connection through NAT.
  lab_exec client ping -c 1 -W 1 10.0.0.100 >/dev/null
  lab_exec client curl -s --max-time 2 -o /dev/null http://10.0.0.100/
}

# thread_demand PID TID SECONDS: "CPU% RUNNABLE%": the share of one core the thread used over
# SECONDS, and the share of the time it was running or waiting to run (/proc/.../schedstat): on a
# loaded host a poller gets less than a core but is runnable all the time.
thread_demand() {
  local sched=/proc/$1/task/$2/schedstat stat=/proc/$1/task/$2/stat t0 t1 r0 w0 r1 w1 hz
  hz=$(getconf CLK_TCK)
  t0=$(awk '{print $14 + $15}' "$stat"); read -r r0 w0 _ <"$sched"
  sleep "$3"
  t1=$(awk '{print $14 + $15}' "$stat"); read -r r1 w1 _ <"$sched"
  awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$3" -v rw=$((r1 - r0 + w1 - w0)) \
    'BEGIN {printf "%.1f %.1f\n", 100 * d / (hz * s), 100 * rw / (s * 1e9)}'
}

# kernel_dnat_up / kernel_dnat_down: the gateway namespace's kernel forwarding for the VIP as
# kube-proxy's iptables mode does (random DNAT to the three backends), with sluiced stopped.
kernel_dnat_up() {
  local gw; gw=$(lab_ns gw)
  ip -n "$gw" addr add 10.0.0.2/24 dev gw-up
  ip -n "$gw" addr add 10.0.0.100/32 dev gw-up
  ip -n "$gw" addr add 10.0.1.2/24 dev gw-down
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$gw" iptables -t nat -A PREROUTING -d 10.0.0.100 -p tcp --dport 80 \
    -m statistic --mode random --probability 0.33333 -j DNAT --to-destination 10.0.1.11:8080
  ip netns exec "$gw" iptables -t nat -A PREROUTING -d 10.0.0.100 -p tcp --dport 80 \
    -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.0.1.12:8080
  ip netns exec "$gw" iptables -t nat -A PREROUTING -d 10.0.0.100 -p tcp --dport 80 \
    -j DNAT --to-destination 10.0.1.13:8080
  lab_exec client ip neigh flush dev c0
  lab_exec client curl -s --max-time 2 -o /dev/null http://10.0.0.100/
}
kernel_dnat_down() {
  local gw; gw=$(lab_ns gw)
  ip netns exec "$gw" iptables -t nat -F PREROUTING
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=0
  ip -n "$gw" addr flush dev gw-up
  ip -n "$gw" addr flush dev gw-down
  lab_exec client ip neigh flush dev c0
  local be; for be in "${LAB_BACKENDS[@]}"; do lab_exec "$be" ip neigh flush dev eth0; done
}

# median of the numbers on stdin, one per line.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
