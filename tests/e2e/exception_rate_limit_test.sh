#!/usr/bin/env bash
# Property: a UDP flood at the gateway's own address (no VIP) reaches the kernel at no more than
# the exception path's rate_limit_pps (500 here, plus one burst) yet at about that rate (the
# kernel gets its share); the rest is dropped as exception_to_kernel_limited, and the VIP keeps
# forwarding during the flood.
SL_PREFIX=sle2e-excrl
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_exception_paths "$WORK/sluice.yaml"
sed -i 's/{ tap: tap-up }/{ tap: tap-up, rate_limit_pps: 500 }/' "$WORK/sluice.yaml"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

# Paced at ~20,000 packets/s: 40 times the limit, yet below what the client's veth and the
# gateway's af_packet ring carry on a loaded 2-vCPU machine, so a lost VIP packet can only be
# the gateway's doing (an unpaced flood overflowed the ring and took the request with it).
seconds=4
lab_spawn client flood "$LAB_PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
start = time.monotonic(); end = start + float(sys.argv[1]); n = 0
while time.monotonic() < end:
    for _ in range(100): s.sendto(b"x" * 32, ("10.0.0.2", 9))
    n += 100
    ahead = start + n / 20000 - time.monotonic()
    if ahead > 0: time.sleep(ahead)
print("sent", n)' "$seconds"
sleep 1
[[ $(lab_exec client curl -s --max-time 2 http://10.0.0.100/) =~ ^be[123]$ ]] || fail "the VIP stopped forwarding during the flood"
for _ in {1..50}; do grep -q sent "$LAB_STATE/flood.log" && break; sleep 0.2; done
sent=$(awk '/^sent/ {print $2}' "$LAB_STATE/flood.log")
[[ -n $sent ]] || fail "the flood did not finish: $(cat "$LAB_STATE/flood.log")"
sleep 0.5
read -r to limited < <(ctl stats --json | "$LAB_PY" -c '
import json, sys
s = json.load(sys.stdin)
print(sum(w["exception_to_kernel"] for w in s["workers"]), s["drops"]["exception_to_kernel_limited"])')
echo "flood: sent $sent in ${seconds}s, to the kernel $to, dropped by the rate limit $limited"
max=$((500 * (seconds + 2) + 64)) # the flood, the curl and ARP around it, one burst
((to <= max)) || fail "$to packets reached the kernel, want at most $max (rate_limit_pps 500)"
# The rest of what was sent the veth's af_packet ring may have dropped before DPDK saw it.
((limited > 0)) || fail "nothing was dropped by the rate limit"
((to >= 500 * (seconds - 1))) || fail "only $to packets reached the kernel: the flood starved it"
e2e_stop
pass
