#!/usr/bin/env bash
# Property: with two workers, each polling its own af_packet queue (qpairs=2, the kernel's
# fanout spreads packets over the queues without regard to NAT direction), every NAT connection
# still completes: packets that reach the worker not owning their flow are handed over, and
# `sluicectl stats` shows that hand-offs happened.
SL_PREFIX=sle2e-2w
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_two_workers "$WORK/sluice.yaml"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 30 || fail "sluiced did not answer on $SOCK"

# Several client addresses, so that both workers own flows.
clients=(10.0.0.1 10.0.0.11 10.0.0.12 10.0.0.13 10.0.0.14)
for a in "${clients[@]:1}"; do lab_exec client ip addr add "$a/24" dev c0; done

# shellcheck disable=SC2016 # expanded by the inner shell
served=$(lab_exec client bash -c '
  for i in $(seq 40); do for a in '"${clients[*]}"'; do
    curl -s --max-time 3 --interface "$a" http://10.0.0.100/ || echo "curl-error-$?"
  done; done')
failed=$(grep -c curl-error <<<"$served" || true)
((failed == 0)) || fail "$failed of 200 connections failed:"$'\n'"$(sort <<<"$served" | uniq -c)"
n=$(grep -cxE 'be[123]' <<<"$served" || true)
((n == 200)) || fail "$n of 200 answers came from a backend"

stats=$(ctl stats --json) || fail "sluicectl stats failed"
read -r out0 out1 flows0 flows1 < <(/usr/bin/python3 -c '
import json, sys
w = json.load(sys.stdin)["workers"]
print(w[0]["handoff_out"], w[1]["handoff_out"], w[0]["flows_created"], w[1]["flows_created"])' <<<"$stats")
((out0 + out1 > 0)) || fail "no packet was handed between workers (fanout sent each flow to one queue?)"
((flows0 > 0 && flows1 > 0)) || fail "one worker owns no flow: created $flows0 / $flows1"
echo "hand-offs: worker0 -> $out0, worker1 -> $out1; flows created: $flows0 / $flows1"

e2e_stop
pass
