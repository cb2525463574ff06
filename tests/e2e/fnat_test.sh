#!/usr/bin/env bash
# Property: in full-NAT mode, with two workers on two af_packet queues per port, backends that
# have no route back to the client (their default route is removed) still serve every one of 120
# curl requests from four client addresses round robin, because each request reaches them from
# the gateway's local address 10.0.1.5 (their HTTP logs show that source and never a client's);
# a UDP datagram is answered from the VIP; `sluicectl list` shows the backends as FullNat.
# ICMP: a datagram to a service whose backends have no listener comes back to the client's
# connected socket as "connection refused" (the backend's port unreachable, sent to the local
# address, translated back), and a datagram with TTL 1 is answered with time exceeded from the
# gateway's uplink address.
SL_PREFIX=sle2e-fnat
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
sed -i -e 's/workers: 1/workers: 2/' -e 's/"-l", "0-1"/"--lcores", "0@0,1@1,2@1"/' \
  -e 's/iface=gw-up"/iface=gw-up,qpairs=2"/' -e 's/iface=gw-down"/iface=gw-down,qpairs=2"/' \
  "$WORK/sluice.yaml"
lab_set_services "$WORK/sluice.yaml" '  - { name: web, address: 10.0.0.100, port: 80, protocol: tcp, forwarding: fnat,
      local_addresses: [10.0.1.5],
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }, { address: 10.0.1.13, port: 8080 }] }
  - { name: echo, address: 10.0.0.100, port: 53, protocol: udp, forwarding: fnat,
      local_addresses: [10.0.1.5],
      backends: [{ address: 10.0.1.11, port: 5353 }, { address: 10.0.1.12, port: 5353 }, { address: 10.0.1.13, port: 5353 }] }
  - { name: closed, address: 10.0.0.100, port: 54, protocol: udp, forwarding: fnat,
      local_addresses: [10.0.1.5], backends: [{ address: 10.0.1.11, port: 5999 }] }'
for be in "${LAB_BACKENDS[@]}"; do ip -n "$(lab_ns "$be")" route del default; done
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 30 || fail "sluiced did not answer on $SOCK"

clients=(10.0.0.1 10.0.0.11 10.0.0.12 10.0.0.13)
for a in "${clients[@]:1}"; do lab_exec client ip addr add "$a/24" dev c0; done
# shellcheck disable=SC2016 # expanded by the inner shell
served=$(lab_exec client bash -c '
  for i in $(seq 30); do for a in '"${clients[*]}"'; do
    curl -s --max-time 3 --interface "$a" http://10.0.0.100/ || echo "curl-error-$?"
  done; done')
counts=$(sort <<<"$served" | uniq -c)
grep -q curl-error <<<"$served" && fail "some requests failed (curl exit codes):"$'\n'"$counts"
for be in "${LAB_BACKENDS[@]}"; do
  n=$(grep -cx "$be" <<<"$served" || true)
  ((n == 40)) || fail "$be served $n of 120 requests, want 40:"$'\n'"$counts"
done

# python's http.server logs each request's peer address first (the lab's own readiness probes
# come from each backend's address).
sources=$(cat "$LAB_STATE"/be?-http.log | grep -F '"GET / ' | awk '{print $1}' | sort | uniq -c)
grep -q ' 10\.0\.0\.' <<<"$sources" && fail "a backend saw a client's address:"$'\n'"$sources"
n=$(awk '$2 == "10.0.1.5" {print $1}' <<<"$sources")
((${n:-0} == 120)) || fail "backends logged ${n:-0} requests from 10.0.1.5, want 120:"$'\n'"$sources"

answer=$(lab_exec client "$LAB_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.connect(("10.0.0.100", 53)); s.send(b"hello")
print(s.recv(2048).decode())') || fail "no UDP answer from 10.0.0.100:53"
[[ $answer =~ ^be[123]:hello$ ]] || fail "UDP through 10.0.0.100:53 answered '$answer', want 'beN:hello'"

refused=$(lab_exec client "$LAB_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.connect(("10.0.0.100", 54))
for _ in range(3):
    try:
        s.send(b"anyone?"); s.recv(2048); print("answered")
    except ConnectionRefusedError: print("refused"); break
    except socket.timeout: print("timeout")')
[[ $refused == *refused ]] || fail "UDP to a closed backend port through fnat: '$refused', want the backend's port unreachable (refused)"

expired=$(lab_exec client "$LAB_PY" -c '
from scapy.all import IP, UDP, ICMP, sr1, conf
conf.verb = 0
r = sr1(IP(dst="10.0.0.100", ttl=1) / UDP(sport=40999, dport=53) / b"x", timeout=2)
print("none" if r is None else f"{r[IP].src} type={r[ICMP].type} code={r[ICMP].code}")')
[[ $expired == "10.0.0.2 type=11 code=0" ]] || fail "a TTL 1 datagram to the VIP got '$expired', want time exceeded from 10.0.0.2"

table=$(ctl list) || fail "sluicectl list failed"
for want in '^TCP  10\.0\.0\.100:80 rr' '^UDP  10\.0\.0\.100:53 rr' '^  -> 10\.0\.1\.11:8080 +FullNat ' \
  '^  -> 10\.0\.1\.13:5353 +FullNat '; do
  grep -Eq "$want" <<<"$table" || fail "sluicectl list has no line matching /$want/:"$'\n'"$table"
done
stats=$(ctl stats --json) || fail "sluicectl stats failed"
/usr/bin/python3 -c '
import json, sys
w = json.load(sys.stdin)["workers"]
print("flows created per worker:", [x["flows_created"] for x in w], "hand-offs:", [x["handoff_out"] for x in w])' <<<"$stats"

e2e_stop
pass
