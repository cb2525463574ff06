#!/usr/bin/env bash
# Property: in TUN mode, 30 curl requests to VIP 10.0.0.100:8080 are served round robin by three
# backends that receive them in IPIP, decapsulate them (in user space: this kernel has no ipip
# module, see scripts/lib/ipip_decap.py) and answer the client directly; the gateway's downlink
# receives no IPv4 frame (only ARP). A 200 kB upload with full-size DF segments completes too:
# the gateway answers the first too-big segment with ICMP fragmentation-needed (MTU 1480), the
# client's kernel lowers its path MTU to the VIP and resends smaller segments.
#
# Topology: as in dr_test.sh (lab_direct_return: the client's second leg c1 on the backends'
# bridge is their route back), plus a decapsulator and tun0 in every backend.
SL_PREFIX=sle2e-tun
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_direct_return
lab_backend_vip 10.0.0.100
lab_ipip_decap
# A sink for the upload: reads to EOF, answers with the byte count.
for be in "${LAB_BACKENDS[@]}"; do
  lab_spawn "$be" "$be-sink" "$LAB_PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.100", 9000)); s.listen(8)
while True:
    c, _ = s.accept(); n = 0
    while (d := c.recv(65536)): n += len(d)
    c.sendall(str(n).encode()); c.close()'
done
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_set_services "$WORK/sluice.yaml" '  - { name: web, address: 10.0.0.100, port: 8080, protocol: tcp, forwarding: tun,
      backends: [{ address: 10.0.1.11 }, { address: 10.0.1.12 }, { address: 10.0.1.13 }] }
  - { name: sink, address: 10.0.0.100, port: 9000, protocol: tcp, forwarding: tun,
      backends: [{ address: 10.0.1.11 }] }'
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

lab_spawn gw down-frames "$LAB_PY" "$E2E_DIR/count_frames.py" gw-down
for _ in {1..50}; do grep -q ready "$LAB_STATE/down-frames.log" 2>/dev/null && break; sleep 0.1; done

expect_round_robin http://10.0.0.100:8080/ 30
grep -q decapsulated "$LAB_STATE/be1-decap.log" || fail "be1's decapsulator saw no IPIP packet"

sent=$(lab_exec client "$LAB_PY" -c '
import socket
s = socket.create_connection(("10.0.0.100", 9000), timeout=10)
s.sendall(b"x" * 200000); s.shutdown(socket.SHUT_WR)
print(s.recv(100).decode())') || fail "the upload through the tunnel failed"
((sent == 200000)) || fail "the sink received $sent of 200000 bytes"
pmtu=$(lab_exec client ip route get 10.0.0.100)
[[ $pmtu == *"mtu 1480"* ]] || fail "the client learnt no path MTU of 1480 to the VIP: $pmtu"
stats=$(ctl stats --json) || fail "sluicectl stats failed"
frag=$("$LAB_PY" -c 'import json,sys; print(json.load(sys.stdin)["drops"]["tun_frag_needed"])' <<<"$stats")
((frag >= 1)) || fail "no ICMP fragmentation-needed was counted (tun_frag_needed=$frag)"

for pid in $(ip netns pids "$(lab_ns gw)"); do
  [[ $(tr '\0' ' ' </proc/"$pid"/cmdline) == *count_frames.py* ]] && kill -TERM "$pid"
done
sleep 0.5
down=$(tail -n 1 "$LAB_STATE/down-frames.log")
echo "gateway downlink received: $down; frag-needed sent: $frag; $pmtu"
[[ $down =~ ^ipv4=0\ arp=[1-9] ]] || fail "the gateway's downlink received IPv4 from the backends: $down"

table=$(ctl list) || fail "sluicectl list failed"
grep -Eq '^  -> 10\.0\.1\.12:8080 +Tunnel ' <<<"$table" || fail "sluicectl list shows no Tunnel backend:"$'\n'"$table"

e2e_stop
pass
