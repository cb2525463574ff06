#!/usr/bin/env bash
# Property: a 4000-byte UDP datagram (three fragments at MTU 1500) crosses the gateway intact in
# nat, fnat, dr and tun mode and its echo returns intact: every datagram of 6 per mode, each a new
# flow, is echoed byte for byte by the backend it was scheduled to (round robin over three). The
# gateway reassembled every request (and the nat/fnat replies, fragmented by the backends' stacks)
# and sent them on as fragments: its reassembly and fragmentation counters say so, no fragment
# drop reason moved.
#
# Ports: net_tap, not af_packet. DPDK 22.11's af_packet joins a PACKET_FANOUT group with
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles fragments before the PMD reads them and
# the 4042-byte frame is cut to its 2048-byte ring slot (seen here: one truncated UDP frame, no
# fragment, reaches the worker). A TAP device shows the worker the fragments as they travelled:
# each tap is bridged, in the gateway's namespace, with the veth the lab gives the gateway.
SL_PREFIX=sle2e-frag
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_backend_vip 10.0.0.100
lab_ipip_decap
for be in "${LAB_BACKENDS[@]}"; do
  # The decapsulated 4028-byte inner datagram is written to tun0 whole.
  ip -n "$(lab_ns "$be")" link set tun0 mtu 9000
  lab_spawn "$be" "$be-echo-nat" "$LAB_PY" "$LAB_ROOT/scripts/lib/udp_echo.py" 7001 "$be"
  lab_spawn "$be" "$be-echo-dr" "$LAB_PY" "$LAB_ROOT/scripts/lib/udp_echo.py" 7002 "$be" 10.0.0.100
  lab_spawn "$be" "$be-echo-tun" "$LAB_PY" "$LAB_ROOT/scripts/lib/udp_echo.py" 7003 "$be" 10.0.0.100
done
lab_config "$WORK/sluice.yaml" "$SOCK"
sed -i -e 's/"net_af_packet0,iface=gw-up"/"net_tap0,iface=sltap-up"/' \
  -e 's/"net_af_packet1,iface=gw-down"/"net_tap1,iface=sltap-down"/' "$WORK/sluice.yaml"
backends='[{ address: 10.0.1.11, port: PORT }, { address: 10.0.1.12, port: PORT }, { address: 10.0.1.13, port: PORT }]'
lab_set_services "$WORK/sluice.yaml" "  - { name: nat, address: 10.0.0.100, port: 7001, protocol: udp, forwarding: nat,
      backends: ${backends//PORT/7001} }
  - { name: fnat, address: 10.0.0.100, port: 7004, protocol: udp, forwarding: fnat,
      backends: ${backends//PORT/7001} }
  - { name: dr, address: 10.0.0.100, port: 7002, protocol: udp, forwarding: dr,
      backends: ${backends//PORT/7002} }
  - { name: tun, address: 10.0.0.100, port: 7003, protocol: udp, forwarding: tun,
      backends: ${backends//PORT/7003} }"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 30 || fail "sluiced did not answer on $SOCK"
# Bridge each tap with the gateway's veth; bridged frames stay as they are (no netfilter defrag).
lab_exec gw sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
for side in up down; do
  ip -n "$(lab_ns gw)" link add "br-$side" type bridge stp_state 0 mcast_snooping 0
  lab_exec gw ethtool -K "sltap-$side" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  # net_tap gives the kernel's side of the tap the port's MAC: as a bridge port's own address the
  # bridge would take frames for that MAC itself instead of passing them to the tap.
  ip -n "$(lab_ns gw)" link set "sltap-$side" address "02:00:00:00:fe:0$([[ $side == up ]] && echo 1 || echo 2)"
  ip -n "$(lab_ns gw)" link set "gw-$side" master "br-$side"
  ip -n "$(lab_ns gw)" link set "sltap-$side" master "br-$side"
  ip -n "$(lab_ns gw)" link set "sltap-$side" up
  ip -n "$(lab_ns gw)" link set "br-$side" up
done

# What the gateway counted, for a failure message.
counters() {
  ctl stats --json | "$LAB_PY" -c '
import json, sys
s = json.load(sys.stdin)
w = s["workers"][0]
print({k: v for k, v in s["drops"].items() if v}, {k: w[k] for k in ("rx_packets", "tx_packets", "datagrams_reassembled", "datagrams_fragmented")})'
}

# nat and fnat first, while the backends' replies still route through the gateway; then the
# client's second leg on the backends' bridge, their direct way back in dr and tun.
for mode_port in nat:7001 fnat:7004 dr:7002 tun:7003; do
  mode=${mode_port%:*} port=${mode_port#*:}
  [[ $mode != dr ]] || lab_direct_return
  served=$(lab_exec client "$LAB_PY" "$E2E_DIR/big_datagram.py" 10.0.0.100 "$port" 4000 6) ||
    fail "$mode: a 4000-byte datagram did not come back intact (served so far: $(tr '\n' ' ' <<<"$served"); gateway: $(counters))"
  for be in "${LAB_BACKENDS[@]}"; do
    n=$(grep -cx "$be" <<<"$served" || true)
    ((n == 2)) || fail "$mode: $be echoed $n of 6 datagrams, want 2: $(tr '\n' ' ' <<<"$served")"
  done
  echo "$mode: 6 datagrams of 4000 bytes echoed intact by $(sort -u <<<"$served" | tr '\n' ' ')"
done

stats=$(ctl stats --json) || fail "sluicectl stats failed"
read -r reassembled fragmented drops < <("$LAB_PY" -c '
import json, sys
s = json.load(sys.stdin)
w = s["workers"]
bad = {k: v for k, v in s["drops"].items() if k.startswith("ip_frag") or k in ("ip_fragment", "ip_df_too_big", "fragment_no_mbuf", "ip_bad_total_length") and v}
print(sum(x["datagrams_reassembled"] for x in w), sum(x["datagrams_fragmented"] for x in w),
      ",".join(f"{k}={v}" for k, v in bad.items() if v) or "none")' <<<"$stats")
echo "reassembled=$reassembled fragmented=$fragmented fragment drops: $drops"
# 24 requests, plus 12 replies (nat, fnat) that come back through the gateway.
((reassembled == 36)) || fail "the gateway reassembled $reassembled datagrams, want 36"
((fragmented == 36)) || fail "the gateway fragmented $fragmented datagrams, want 36"
[[ $drops == none ]] || fail "fragment drops: $drops"

e2e_stop
pass
