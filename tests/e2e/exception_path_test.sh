#!/usr/bin/env bash
# Property: with an exception path on both interfaces (kernel twins tap-up 10.0.0.2/24 and
# tap-down 10.0.1.2/24 in the gateway namespace), host tools work on NICs that DPDK owns:
#  - a TCP server the gateway's kernel runs on 10.0.0.2 answers the client through the DPDK
#    uplink (the kernel resolves the client by ARP through the tap);
#  - the gateway's kernel pings a backend and fetches its HTTP page out of the DPDK downlink;
#  - the VIP still forwards, the dataplane still answers ping for 10.0.0.2;
#  - both directions are counted (sluicectl stats, sluice_exception_* metrics), and the kernel
#    does not answer ARP on the veth DPDK reads (NOARP, rp_filter 1 on gw-up and gw-down).
# With EXC_WORKERS=2 (exception_path_two_workers_test.sh) the same with two workers, each reading
# and writing its own tap queue.
SL_PREFIX=${SL_PREFIX:-sle2e-exc}
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_exception_paths "$WORK/sluice.yaml"
if [[ ${EXC_WORKERS:-1} == 2 ]]; then lab_two_workers "$WORK/sluice.yaml"; fi
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

lab_exec gw ip -4 addr show dev tap-up | grep -q 'inet 10\.0\.0\.2/24' || fail "tap-up has no 10.0.0.2/24"
lab_exec gw ip -4 addr show dev tap-down | grep -q 'inet 10\.0\.1\.2/24' || fail "tap-down has no 10.0.1.2/24"
for dev in gw-up gw-down; do
  lab_exec gw ip link show dev "$dev" | grep -q NOARP || fail "$dev still does ARP in the kernel"
  [[ $(lab_exec gw sysctl -n "net.ipv4.conf.$dev.rp_filter") == 1 ]] || fail "$dev rp_filter is not 1"
done

# The client reaches a server of the gateway's kernel, through the uplink.
mkdir -p "$WORK/www" && echo gateway-kernel >"$WORK/www/index.html"
lab_spawn gw kernel-http "$LAB_PY" -m http.server 8022 --bind 10.0.0.2 --directory "$WORK/www"
got=
for _ in {1..50}; do
  got=$(lab_exec client curl -s --max-time 2 http://10.0.0.2:8022/ || true)
  [[ $got == gateway-kernel ]] && break
  sleep 0.2
done
[[ $got == gateway-kernel ]] || fail "client -> 10.0.0.2:8022 (the gateway's kernel) answered '$got'"
for i in {1..10}; do
  [[ $(lab_exec client curl -s --max-time 2 http://10.0.0.2:8022/) == gateway-kernel ]] ||
    fail "request $i to the gateway's kernel failed"
done

# The gateway's kernel reaches a backend, through the downlink.
lab_exec gw ping -c 3 -i 0.2 -W 2 10.0.1.11 >"$WORK/ping.out" || fail "gateway kernel ping to 10.0.1.11 failed: $(cat "$WORK/ping.out")"
[[ $(lab_exec gw curl -s --max-time 3 http://10.0.1.11:8080/) == be1 ]] ||
  fail "the gateway kernel's TCP connection to be1:8080 failed"

# The dataplane keeps its own work.
[[ $(lab_exec client curl -s --max-time 2 http://10.0.0.100/) =~ ^be[123]$ ]] || fail "the VIP no longer forwards"
lab_exec client ping -c 2 -i 0.2 -W 2 10.0.0.2 >/dev/null || fail "ping of 10.0.0.2 unanswered"

stats=$(ctl stats --json) || fail "sluicectl stats failed"
to=$("$LAB_PY" -c 'import json,sys; print(sum(w["exception_to_kernel"] for w in json.load(sys.stdin)["workers"]))' <<<"$stats")
from=$("$LAB_PY" -c 'import json,sys; print(sum(w["exception_from_kernel"] for w in json.load(sys.stdin)["workers"]))' <<<"$stats")
echo "exception path: to kernel $to, from kernel $from"
((to >= 20 && from >= 20)) || fail "exception counters too low: to_kernel=$to from_kernel=$from"
metrics=$(lab_exec gw curl -sf --max-time 2 http://127.0.0.1:9469/metrics) || fail "no metrics"
grep -Eq '^sluice_exception_to_kernel_packets_total\{worker="0"\} [1-9]' <<<"$metrics" ||
  fail "no sluice_exception_to_kernel_packets_total"
grep -Eq '^sluice_exception_from_kernel_packets_total\{worker="0"\} [1-9]' <<<"$metrics" ||
  fail "no sluice_exception_from_kernel_packets_total"

e2e_stop
lab_exec gw ip link show dev tap-up >/dev/null 2>&1 && fail "tap-up outlived sluiced"
pass
