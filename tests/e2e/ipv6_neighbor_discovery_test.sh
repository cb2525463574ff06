#!/usr/bin/env bash
# Property: an interface with an IPv6 address (addresses: [IPv4, IPv6]) is reachable over IPv6
# from a host running the kernel's IPv6 stack:
#  - `ping -6` to the appliance's address succeeds, and the client's neighbour table holds the
#    appliance's MAC, learnt by Neighbor Discovery (not configured);
#  - the appliance resolves a neighbour it has not heard from: an echo request from a second
#    client address, whose NS the client never sends (it already knows the appliance), is
#    answered only after the appliance solicited that address and took the client's
#    advertisement (sluice_worker_ndp_solicitations_sent_total, ..._advertisements_received_total);
#  - IPv4 on the same interface is unaffected.
SL_PREFIX=sle2e-nd6
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
sed -i 's|^    address: 10.0.0.2/24|    addresses: ["10.0.0.2/24", "fd00:77::2/64"]|' "$WORK/sluice.yaml"
grep -q 'fd00:77::2/64' "$WORK/sluice.yaml" || fail "the lab config has no uplink address to extend"

# The client's kernel speaks IPv6 on c0; nodad: usable at once (LAB-NOTES). The gateway
# namespace's veth keeps IPv6 off, so only sluiced answers.
lab_exec client sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.c0.disable_ipv6=0 \
  net.ipv6.conf.c0.accept_dad=0
lab_exec client ip -6 addr add fd00:77::1/64 dev c0 nodad
lab_exec client ip -6 addr add fd00:77::3/64 dev c0 nodad
gw_mac=$(lab_exec gw cat /sys/class/net/gw-up/address)

sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

out=$(lab_exec client ping -6 -c 3 -i 0.2 -W 2 -I fd00:77::1 fd00:77::2 2>&1) ||
  fail "ping -6 fd00:77::2 failed: $out"
grep -q ' 0% packet loss' <<<"$out" || fail "ping -6 lost replies: $out"
entry=$(lab_exec client ip -6 neigh show fd00:77::2 dev c0)
[[ $entry == *"lladdr $gw_mac "* ]] || fail "the client's entry for fd00:77::2 is '$entry', want lladdr $gw_mac"
[[ $entry != *PERMANENT* ]] || fail "the client's entry was configured, not learnt: $entry"

metric() { scrape_metrics | awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {print s + 0}'; }
solicited_before=$(metric sluice_worker_ndp_solicitations_sent_total)
# The client will not solicit the appliance again, so the second address's NS never reaches it.
lab_exec client ip -6 neigh replace fd00:77::2 lladdr "$gw_mac" dev c0 nud permanent
out=$(lab_exec client ping -6 -c 1 -W 3 -I fd00:77::3 fd00:77::2 2>&1) ||
  fail "ping -6 from fd00:77::3 failed: $out"
solicited=$(metric sluice_worker_ndp_solicitations_sent_total)
advertised=$(metric sluice_worker_ndp_advertisements_received_total)
((solicited > solicited_before)) || fail "sluiced sent no Neighbor Solicitation for fd00:77::3"
((advertised >= 1)) || fail "sluiced took no Neighbor Advertisement"

out=$(lab_exec client ping -c 1 -W 2 10.0.0.2 2>&1) || fail "ping 10.0.0.2 (IPv4) failed: $out"

e2e_stop
pass
