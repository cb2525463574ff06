#!/usr/bin/env bash
# Property: `sluicectl lookup` names, for each of six open connections, the backend whose own
# kernel holds that connection (its flow: worker, backend, ESTABLISHED); for a tuple with no flow
# on an mh service it names the backend a connection from that tuple then reaches; a malformed
# tuple and an address without a service are refused by name.
SL_PREFIX=sle2e-lk
source "$(dirname "$0")/lib.sh"
e2e_start

for i in 1 2 3; do lab_spawn "be$i" "be$i-tcp" "$LAB_PY" "$LAB_ROOT/scripts/lib/tcp_echo.py" 7000 "be$i"; done
ctl -A -t 10.0.0.100:7000 -s rr --name held || fail "-A held failed"
ctl -A -t 10.0.0.100:7001 -s mh --name hashed || fail "-A hashed failed"
for i in 1 2 3; do
  ctl -a -t 10.0.0.100:7000 -r "10.0.1.1$i:7000" || fail "-a be$i to held failed"
  ctl -a -t 10.0.0.100:7001 -r "10.0.1.1$i:7000" || fail "-a be$i to hashed failed"
done
sleep 0.5

coproc HOLD { lab_exec client "$LAB_PY" "$E2E_DIR/hold_connections.py" 10.0.0.100 7000 6; }
read -r -t 10 owners <&"${HOLD[0]}" || fail "connections did not open: $owners"

# flow_of: the live flow's backend and state from a lookup's --json answer on stdin ("None": none).
flow_of() { "$LAB_PY" -c 'import json, sys; f = json.load(sys.stdin)["flow"]; print(f and f["backend"] + " " + f["state"])'; }
checked=0
for i in 1 2 3; do
  # The backend's kernel: the peers of its established connections on port 7000.
  for peer in $(lab_exec "be$i" ss -Htn state established '( sport = :7000 )' | awk '{print $NF}'); do
    got=$(ctl lookup tcp "$peer" 10.0.0.100:7000 --json | flow_of) || fail "lookup $peer failed"
    [[ $got == "10.0.1.1$i:7000 ESTABLISHED" ]] ||
      fail "be$i holds $peer, lookup says '$got'"
    checked=$((checked + 1))
  done
done
((checked == 6)) || fail "the backends hold $checked connections, want 6: $owners"
text=$(ctl lookup tcp "$peer" 10.0.0.100:7000) || fail "lookup (text) failed"
grep -q "^tcp $peer -> 10.0.0.100:7000  service held (nat, rr)$" <<<"$text" &&
  grep -q "^flow:  *worker 0, backend 10.0.1.1[123]:7000, ESTABLISHED" <<<"$text" ||
  fail "lookup text:"$'\n'"$text"
exec {HOLD[1]}>&-
wait "$HOLD_PID" 2>/dev/null || true

# mh: the backend a tuple hashes to, before any connection, is the one that connection reaches.
for port in 45001 45002 45003 45004 45005 45006; do
  want=$(ctl lookup tcp "10.0.0.1:$port" 10.0.0.100:7001 --json |
    "$LAB_PY" -c 'import json, sys; r = json.load(sys.stdin); print(r["flow"] is None, r["new_connection"]["backend"])') ||
    fail "lookup of 10.0.0.1:$port failed"
  [[ $want == "True 10.0.1.1"[123]":7000" ]] || fail "before connecting from $port: '$want'"
  name=$(lab_exec client "$LAB_PY" -c '
import socket, sys
s = socket.socket(); s.bind(("10.0.0.1", int(sys.argv[1]))); s.settimeout(3)
s.connect(("10.0.0.100", 7001)); s.sendall(b"hi\n"); print(s.makefile("rb").readline().split(b":")[0].decode())' "$port") ||
    fail "connection from 10.0.0.1:$port failed"
  [[ ${want#True } == "10.0.1.1${name#be}:7000" ]] || fail "from port $port lookup said ${want#True }, $name answered"
done

err=$(ctl lookup tcp 10.0.0.1 10.0.0.100:7000 2>&1) && fail "a client without a port was accepted"
grep -q "client: must be an IPv4 ADDRESS:PORT" <<<"$err" || fail "client refusal: $err"
err=$(ctl lookup tcp 10.0.0.1:1000 10.0.0.100:9 2>&1) && fail "an address without a service was accepted"
grep -q "virtual: no tcp service at 10.0.0.100:9" <<<"$err" || fail "no-service refusal: $err"

e2e_stop
pass
