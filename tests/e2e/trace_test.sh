#!/usr/bin/env bash
# Property: `sluicectl trace --vip` during a curl prints the SYN's stages (flow opened, the
# scheduler's backend, the destination rewritten to it, the egress towards it) and the SYN-ACK's
# reverse rewrite (source back to the VIP), the backend being the one that answered the curl;
# `sluicectl trace --drops` during the malformed barrage prints every dropped frame under the
# reason its drop counter names, and nothing else.
SL_PREFIX=sle2e-tr
source "$(dirname "$0")/lib.sh"
e2e_start

# A curl to each backend first (rr), so that ARP is resolved on both sides and no traced SYN is
# held waiting for it (the trace would say so: outcome "held").
for _ in 1 2 3; do
  lab_exec client curl -s --max-time 2 -o /dev/null http://10.0.0.100/ || fail "curl through the VIP failed"
done

# field NAME: one record's field from a JSON line on stdin.
field() { "$LAB_PY" -c 'import json, sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }

ctl trace --vip 10.0.0.100:80 --count 4 --seconds 10 --json >"$WORK/vip.jsonl" 2>"$WORK/vip.err" &
tracer=$!
sleep 0.5
body=$(lab_exec client curl -s --max-time 2 http://10.0.0.100/) || fail "curl while tracing failed"
wait "$tracer" || fail "sluicectl trace --vip failed: $(cat "$WORK/vip.err")"
[[ $body =~ ^be([123])$ ]] || fail "curl answered '$body'"
backend="10.0.1.1${BASH_REMATCH[1]}:8080"

syn=$(grep '"tcp_flags":"S"' "$WORK/vip.jsonl" | head -1)
[[ -n $syn ]] || fail "no SYN in the trace:"$'\n'"$(cat "$WORK/vip.jsonl")"
for want in "flow=opened" "direction=forward" "scheduler=rr" "backend=$backend" "forwarding=nat" \
    "destination=10.0.0.100:80" "outcome=forwarded" "rewritten_destination=$backend" \
    "egress=downlink" "next_hop=${backend%:*}" "interface=uplink"; do
  [[ $(field "${want%%=*}" <<<"$syn") == "${want#*=}" ]] || fail "SYN: want $want, got $syn"
done
client=$(field source <<<"$syn")
synack=$(grep '"tcp_flags":"SA"' "$WORK/vip.jsonl" | head -1)
[[ -n $synack ]] || fail "no SYN-ACK in the trace:"$'\n'"$(cat "$WORK/vip.jsonl")"
for want in "flow=hit" "direction=reply" "backend=$backend" "source=$backend" "destination=$client" \
    "rewritten_source=10.0.0.100:80" "rewritten_destination=$client" "egress=uplink"; do
  [[ $(field "${want%%=*}" <<<"$synack") == "${want#*=}" ]] || fail "SYN-ACK: want $want, got $synack"
done
(($(wc -l <"$WORK/vip.jsonl") == 4)) || fail "--count 4 printed $(wc -l <"$WORK/vip.jsonl") records"

# A second session while none is armed is accepted; the text output names the stages.
ctl trace --vip 10.0.0.100:80 --count 1 --seconds 5 >"$WORK/vip.txt" 2>&1 &
tracer=$!
sleep 0.5
err=$(ctl trace --drops --seconds 1 2>&1) && fail "a second armed session was accepted"
grep -q "is armed" <<<"$err" || fail "second session refusal: $err"
lab_exec client curl -s --max-time 2 -o /dev/null http://10.0.0.100/ || fail "curl failed"
wait "$tracer" || fail "sluicectl trace (text) failed: $(cat "$WORK/vip.txt")"
grep -q "^  flow:    opened, forward; service 10.0.0.100:80 rr -> backend 10.0.1.1[123]:8080 (nat)$" "$WORK/vip.txt" &&
  grep -q "^1 packet traced$" "$WORK/vip.txt" || fail "trace text:"$'\n'"$(cat "$WORK/vip.txt")"

err=$(ctl trace --vip 10.0.0.100 --seconds 1 2>&1) && fail "a VIP without a port was accepted"
grep -q "vip: must be an IPv4 ADDRESS:PORT" <<<"$err" || fail "vip refusal: $err"

gw_mac=$(ip -n "$(lab_ns gw)" link show gw-up | awk '/link\/ether/ {print $2}')
ctl trace --drops --count 1000 --seconds 4 --json >"$WORK/drops.jsonl" 2>"$WORK/drops.err" &
tracer=$!
sleep 0.5
lab_exec client "$LAB_PY" "$E2E_DIR/malformed_barrage.py" send c0 "$gw_mac" 2 >"$WORK/expected.json" ||
  fail "the barrage helper failed"
wait "$tracer" || fail "sluicectl trace --drops failed: $(cat "$WORK/drops.err")"
"$LAB_PY" - "$WORK/expected.json" "$WORK/drops.jsonl" <<'PY' || fail "traced drops differ from the barrage's"
import collections, json, sys
expected = json.load(open(sys.argv[1]))
records = [json.loads(line) for line in open(sys.argv[2])]
traced = collections.Counter(r["drop"] for r in records)
assert all(r["outcome"] == "dropped" for r in records), records
if traced != collections.Counter(expected):
    print("expected", dict(sorted(expected.items())), file=sys.stderr)
    print("traced  ", dict(sorted(traced.items())), file=sys.stderr)
    sys.exit(1)
PY

e2e_stop
pass
