#!/usr/bin/env bash
# Property: in DR mode, 30 curl requests to VIP 10.0.0.100:8080 are served round robin by three
# backends that hold the VIP on lo and answer the client directly, and a UDP datagram to the VIP
# is answered from the VIP; the gateway's downlink receives no IPv4 frame at all (only ARP), so
# no reply ever passed through it, and `sluicectl list` shows the backends as Route.
#
# Topology (scripts/lib/lab.sh lab_direct_return): the usual lab plus a second client leg c1
# (10.0.1.100) on the backends' bridge; backends route 10.0.0.0/24 through it, so their replies
# reach the client without the gateway.
SL_PREFIX=sle2e-dr
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_direct_return
lab_backend_vip 10.0.0.100 53
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_set_services "$WORK/sluice.yaml" '  - { name: web, address: 10.0.0.100, port: 8080, protocol: tcp, forwarding: dr,
      backends: [{ address: 10.0.1.11 }, { address: 10.0.1.12 }, { address: 10.0.1.13 }] }
  - { name: echo, address: 10.0.0.100, port: 53, protocol: udp, forwarding: dr,
      backends: [{ address: 10.0.1.11 }, { address: 10.0.1.12 }, { address: 10.0.1.13 }] }'
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

lab_spawn gw down-frames "$LAB_PY" "$E2E_DIR/count_frames.py" gw-down
lab_spawn client c1-frames "$LAB_PY" "$E2E_DIR/count_frames.py" c1
for _ in {1..50}; do grep -q ready "$LAB_STATE/down-frames.log" "$LAB_STATE/c1-frames.log" 2>/dev/null &&
  [[ $(cat "$LAB_STATE"/*-frames.log | grep -c ready) == 2 ]] && break; sleep 0.1; done

expect_round_robin http://10.0.0.100:8080/ 30

# A connected socket accepts only an answer from the VIP itself.
answer=$(lab_exec client "$LAB_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.connect(("10.0.0.100", 53)); s.send(b"hello")
print(s.recv(2048).decode())') || fail "no UDP answer from 10.0.0.100:53"
[[ $answer =~ ^be[123]:hello$ ]] || fail "UDP through 10.0.0.100:53 answered '$answer', want 'beN:hello'"

pkill_counters() { # stop the two counters (children of this test only) and read their reports
  local ns pid
  for ns in gw client; do
    for pid in $(ip netns pids "$(lab_ns "$ns")"); do
      [[ $(tr '\0' ' ' </proc/"$pid"/cmdline) == *count_frames.py* ]] && kill -TERM "$pid"
    done
  done
  sleep 0.5
}
pkill_counters
down=$(tail -n 1 "$LAB_STATE/down-frames.log")
c1=$(tail -n 1 "$LAB_STATE/c1-frames.log")
echo "gateway downlink received: $down; client c1 received: $c1"
[[ $down =~ ^ipv4=0\ arp=[1-9] ]] || fail "the gateway's downlink received IPv4 from the backends: $down"
[[ $c1 =~ ^ipv4=([0-9]+) ]] && ((BASH_REMATCH[1] >= 60)) ||
  fail "the replies did not reach the client directly on c1: $c1"

table=$(ctl list) || fail "sluicectl list failed"
for want in '^TCP  10\.0\.0\.100:8080 rr' '^  -> 10\.0\.1\.11:8080 +Route ' '^  -> 10\.0\.1\.13:53 +Route '; do
  grep -Eq "$want" <<<"$table" || fail "sluicectl list has no line matching /$want/:"$'\n'"$table"
done

e2e_stop
pass
