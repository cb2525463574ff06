#!/usr/bin/env bash
# sluiced driven by an external DPDK generator over net_memif (perf/pktgen/'s path, with
# dpdk-testpmd as the generator): sluiced on perf/pktgen/sluice-memif.yaml (memif servers, static
# neighbours), testpmd flowgen as the client of the uplink, testpmd 5tswap as the backend on the
# downlink. A few seconds of traffic must open a NAT flow, count packets both ways on the
# service, and bring replies back to the generator. No namespaces; needs root and hugepages.
SL_PREFIX=sl-memif
source "$(dirname "$0")/lib.sh"
source "$LAB_ROOT/perf/pktgen/testpmd.sh"

((EUID == 0)) || { echo "SKIP $TEST_NAME: needs root (DPDK, hugepages)"; exit 77; }
command -v dpdk-testpmd >/dev/null || { echo "SKIP $TEST_NAME: dpdk-testpmd not installed"; exit 77; }
e2e_need_binaries
"$LAB_ROOT/scripts/setup"

# Generators first, sluiced after them (its SIGTERM status is checked by e2e_stop); then the
# common cleanup (log on failure, scratch files).
trap 'rc=$?; tp_quit_all; (exit $rc); e2e_cleanup' EXIT

# The shipped config with this test's sockets (all in $WORK) and EAL file prefix.
sed -e "s|/run/sluice/memif.sock|$SOCK|" -e "s|/run/sluice/|$WORK/|g" -e 's|"sl-memif"|"sl-memif-test"|' \
  "$LAB_ROOT/perf/pktgen/sluice-memif.yaml" >"$WORK/sluice.yaml"
mkdir -p "$LAB_STATE"
# A memif server that crashed leaves its socket file behind: sluiced must replace such a stale
# file instead of failing with "Address already in use".
"$LAB_PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).bind(sys.argv[1])' \
  "$WORK/up.sock"
"$SLUICED" --config "$WORK/sluice.yaml" >"$LAB_STATE/sluiced.log" 2>&1 </dev/null &
SLUICED_PID=$!
sluiced_wait "$SLUICECTL" "$SOCK" 30 || fail "sluiced did not answer on $SOCK"

memif="socket-abstract=no,id=0"
lcores='--lcores=0@(0-1),1@(0-1)'
tp_start be "$WORK" - "$lcores" --in-memory --no-pci --file-prefix sl-memif-be \
  "--vdev=net_memif0,role=client,socket=$WORK/down.sock,$memif,mac=02:42:00:00:01:0b" \
  -- --forward-mode=5tswap --port-topology=loop --auto-start --total-num-mbufs=8192 >/dev/null ||
  fail "backend testpmd did not start"
tp_start gen "$WORK" - "$lcores" --in-memory --no-pci --file-prefix sl-memif-gen \
  "--vdev=net_memif0,role=client,socket=$WORK/up.sock,$memif,mac=00:01:02:03:04:00" \
  -- --forward-mode=flowgen --flowgen-flows=1 --port-topology=loop --total-num-mbufs=8192 >/dev/null ||
  fail "generator testpmd did not start"
tp_wait_link be 20 || fail "backend memif did not connect to sluiced's downlink"
tp_wait_link gen 20 || fail "generator memif did not connect to sluiced's uplink"

tp_cmd gen start >/dev/null
sleep 3
out=$(tp_cmd gen stop) || fail "generator did not stop"
sleep 0.5
gen_tx=$(tp_field "$out" TX-packets)
gen_rx=$(tp_field "$(tp_cmd gen "show port stats 0")" RX-packets)
be_rx=$(tp_field "$(tp_cmd be "show port stats 0")" RX-packets)
echo "generator tx $gen_tx rx $gen_rx, backend rx $be_rx"

svc=$(ctl list --stats --json | "$LAB_PY" -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["name"] == "testpmd-flowgen":
        st = s["stats"]; print(st["conns"], st["in_packets"], st["out_packets"])')
read -r conns in_pkts out_pkts <<<"$svc"
echo "service testpmd-flowgen: conns $conns in $in_pkts out $out_pkts"
ctl stats

((gen_tx > 0)) || fail "the generator sent nothing (memif link?)"
((conns >= 1)) || fail "no NAT flow opened (conns=$conns): flowgen's frames did not reach the service"
((in_pkts > 0)) || fail "no packet forwarded to a backend (in_packets=0)"
((be_rx > 0)) || fail "the backend received nothing"
((out_pkts > 0)) || fail "no reply translated back (out_packets=0)"
((gen_rx > 0)) || fail "no reply reached the generator"

tp_quit gen
tp_quit be
e2e_stop
pass
