#!/usr/bin/env bash
# Property: clients that reuse their source ports towards a second port of a NAT VIP served by
# the same backends (so the backend sees the tuple of a connection that just closed) get every
# connection answered: three client addresses, 100 connections each to 10.0.0.100:80, then 100
# each to 10.0.0.100:81 from the same source ports. Both services schedule by source hash over
# one backend set, so every connection to :81 reaches the backend its :80 twin reached, on the
# same tuple; none is refused as flow_key_conflict.
SL_PREFIX=sle2e-reuse
source "$(dirname "$0")/lib.sh"
e2e_start

ctl -E -t 10.0.0.100:80 -s sh || fail "-E 10.0.0.100:80 -s sh failed"
ctl -A -t 10.0.0.100:81 -s sh --name web81 || fail "-A 10.0.0.100:81 failed"
for be in 11 12 13; do
  ctl -a -t 10.0.0.100:81 -r "10.0.1.$be:8080" -m || fail "-a 10.0.1.$be:8080 on :81 failed"
done
ip -n "$(lab_ns client)" addr add 10.0.0.21/24 dev c0
ip -n "$(lab_ns client)" addr add 10.0.0.22/24 dev c0

result=$(lab_exec client "$LAB_PY" "$E2E_DIR/reuse_ports.py" 10.0.0.100 80 81 100 41000 \
  10.0.0.1 10.0.0.21 10.0.0.22) || fail "reuse_ports.py failed"
answered=$("$LAB_PY" -c 'import json,sys; print(json.load(sys.stdin)["answered"])' <<<"$result")
((answered == 600)) || fail "$answered of 600 connections answered: $result"

conflicts=$(ctl stats --json | "$LAB_PY" -c \
  'import json,sys; print(sum(w["drops"]["flow_key_conflict"] for w in json.load(sys.stdin)["workers"]))')
((conflicts == 0)) || fail "$conflicts packets dropped as flow_key_conflict"

e2e_stop
pass
