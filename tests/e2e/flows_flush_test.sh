#!/usr/bin/env bash
# Property: `sluicectl conns` lists the tracked flows as ipvsadm -Lnc does, filtered by service,
# backend and client, from every worker; `-d … --flush` erases the removed backend's flows at
# once (their connections stop answering, the others keep going) and says how many, while a
# plain `-d` lets the removed backend's connections drain — until they end, or for the service's
# drain_timeout, after which they are flushed; bad filters are refused by name.
SL_PREFIX=sle2e-fl
source "$(dirname "$0")/lib.sh"
e2e_start

for i in 1 2 3; do lab_spawn "be$i" "be$i-tcp" "$LAB_PY" "$LAB_ROOT/scripts/lib/tcp_echo.py" 7000 "be$i"; done
ctl -A -t 10.0.0.100:7000 -s rr --name held || fail "-A failed"
for i in 1 2 3; do ctl -a -t 10.0.0.100:7000 -r "10.0.1.1$i:7000" || fail "-a be$i failed"; done
sleep 0.5

coproc HOLD { lab_exec client "$LAB_PY" "$E2E_DIR/hold_connections.py" 10.0.0.100 7000 6; }
read -r -t 10 owners <&"${HOLD[0]}" || fail "connections did not open"
# owned NAME JSON: how many connections of the JSON line's list belong to backend NAME.
owned() { "$LAB_PY" -c 'import json, sys; print(list(json.loads(sys.argv[2]).values())[0].count(sys.argv[1]))' "$1" "$2"; }
probe() { echo >&"${HOLD[1]}"; read -r -t 15 line <&"${HOLD[0]}" || fail "probe got no report"; echo "$line"; }
(($(owned be1 "$owners") == 2 && $(owned be2 "$owners") == 2 && $(owned be3 "$owners") == 2)) ||
  fail "rr did not spread 6 connections 2/2/2: $owners"

table=$(ctl conns -t 10.0.0.100:7000)
head -2 <<<"$table" | diff - <(printf 'IPVS connection entries\npro expire state       source             virtual            destination\n') >/dev/null ||
  fail "conns header is not ipvsadm -Lnc's:"$'\n'"$table"
(($(grep -Ec '^TCP (14|15):[0-9]{2}  ESTABLISHED 10\.0\.0\.1:[0-9]+ +10\.0\.0\.100:7000 +10\.0\.1\.1[123]:7000$' <<<"$table") == 6)) ||
  fail "want 6 ESTABLISHED rows with ~15 min left:"$'\n'"$table"
(($(ctl conns -t 10.0.0.100:7000 -r 10.0.1.11:7000 | grep -c ESTABLISHED) == 2)) || fail "backend filter"
(($(ctl conns --client 10.0.0.1 --json | "$LAB_PY" -c 'import json,sys; print(json.load(sys.stdin)["matched"])') >= 6)) ||
  fail "client filter"
(($(ctl conns --client 10.0.0.9 | grep -c ESTABLISHED || true) == 0)) || fail "a stranger's filter matched flows"

err=$(ctl conns --limit 0 2>&1) && fail "--limit 0 accepted"
grep -q 'limit: must be an integer in 1..100000' <<<"$err" || fail "limit refusal: $err"
err=$(ctl conns -r 10.0.1.11:7000 2>&1) && fail "backend filter without a service accepted"
grep -q 'backend: needs the service' <<<"$err" || fail "backend refusal: $err"

out=$(ctl -d -t 10.0.0.100:7000 -r 10.0.1.11:7000 --flush) || fail "-d --flush failed"
[[ $out == "flows flushed: 2" ]] || fail "-d --flush said '$out', want 'flows flushed: 2'"
answered=$(probe)
(($(owned be1 "$answered") == 0 && $(owned be2 "$answered") == 2 && $(owned be3 "$answered") == 2)) ||
  fail "after flushing be1, want be1's 2 connections dead and the 4 others answering: $answered"

ctl -d -t 10.0.0.100:7000 -r 10.0.1.12:7000 || fail "-d (drain) failed"
answered=$(probe)
(($(owned be2 "$answered") == 2 && $(owned be3 "$answered") == 2)) ||
  fail "a removed backend without --flush must drain: its connections keep answering: $answered"
(($(ctl conns -t 10.0.0.100:7000 | grep -c ESTABLISHED) == 4)) || fail "conns after the flush"

flushed=$(lab_exec gw curl -sf --max-time 5 http://127.0.0.1:9469/metrics | # demo.yaml admin.metrics
  grep '^sluice_worker_flows_flushed_total{' || true)
[[ $flushed == 'sluice_worker_flows_flushed_total{worker="0"} 2' ]] || fail "want 2 flows flushed by worker 0: '$flushed'"
grep -q 'msg="change applied" source=api op=delete_backend .* flush=true flows_flushed=2' "$LAB_STATE/sluiced.log" ||
  fail "the flush is not in the change's log line"

exec {HOLD[1]}>&-
wait "$HOLD_PID" 2>/dev/null || true

# drain_timeout: a removed backend's connections keep answering for 2 s, then are flushed.
ctl -E -t 10.0.0.100:7000 --drain-timeout 2 || fail "-E --drain-timeout failed"
ctl -a -t 10.0.0.100:7000 -r 10.0.1.11:7000 || fail "-a be1 again failed"
coproc HOLD { lab_exec client "$LAB_PY" "$E2E_DIR/hold_connections.py" 10.0.0.100 7000 4; }
read -r -t 10 owners <&"${HOLD[0]}" || fail "second connections did not open"
n3=$(owned be3 "$owners")
((n3 > 0)) || fail "no connection on be3 to drain: $owners"
ctl -d -t 10.0.0.100:7000 -r 10.0.1.13:7000 || fail "-d be3 (timed drain) failed"
answered=$(probe)
(($(owned be3 "$answered") == n3)) || fail "within drain_timeout be3's connections must answer: $answered"
sleep 3
answered=$(probe)
(($(owned be3 "$answered") == 0 && $(owned be1 "$answered") == $(owned be1 "$owners"))) ||
  fail "after drain_timeout be3's connections must be flushed, be1's kept: $answered"
# The first phase's closed connections to be3 (FIN_WAIT, still tracked) are flushed with them.
flushed=$(sed -n 's/.*msg="drain ended" backend="10\.0\.0\.100:7000\/6>10\.0\.1\.13:7000" flows_flushed=\([0-9]*\).*/\1/p' "$LAB_STATE/sluiced.log")
[[ -n $flushed ]] && ((flushed >= n3)) || fail "no 'drain ended' log line for be3 with at least $n3 flows: '$flushed'"
exec {HOLD[1]}>&-

e2e_stop
pass
