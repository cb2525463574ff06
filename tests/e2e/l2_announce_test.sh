#!/usr/bin/env bash
# Property: with announce.l2 (and no exception path: the announcement goes through worker 0),
# the client's ARP cache learns VIPs without ever asking for them:
#  - at start, VIP 10.0.0.100 appears in the client's neighbour table (arp_accept=1, as routers
#    that accept gratuitous ARP are configured);
#  - a VIP added by a config reload (10.0.0.101) appears after the client's table was flushed;
#  - a VIP added through the admin API (10.0.0.102) replaces a stale entry with a wrong MAC even
#    with arp_accept=0 (Linux's default): what MetalLB relies on when a VIP fails over;
#  - the gateway sent garp_count announcements per address (sluice_announce_garps_sent_total).
SL_PREFIX=sle2e-l2
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
printf 'announce:\n  l2: { garp_count: 3, garp_interval_ms: 300 }\n' >>"$WORK/sluice.yaml"
lab_exec client sysctl -qw net.ipv4.conf.all.arp_accept=1 net.ipv4.conf.c0.arp_accept=1
lab_exec client ip neigh flush dev c0
gw_mac=$(lab_exec gw cat /sys/class/net/gw-up/address)

sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

# neigh_mac ADDR: the client's neighbour entry's MAC for ADDR on c0 (empty: none).
neigh_mac() { lab_exec client ip neigh show "$1" dev c0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
wait_neigh() { # wait_neigh ADDR MAC WHAT
  local t
  for ((t = 0; t < 50; t++)); do [[ $(neigh_mac "$1") == "$2" ]] && return 0; sleep 0.1; done
  fail "$3: the client's entry for $1 is '$(neigh_mac "$1")', want $2 ($(lab_exec client ip neigh show dev c0 | tr '\n' ';'))"
}
wait_neigh 10.0.0.100 "$gw_mac" "at start"

lab_exec client ip neigh flush dev c0
lab_set_services "$WORK/sluice.yaml" '  - { name: web, address: 10.0.0.100, port: 80, backends: [{ address: 10.0.1.11, port: 8080 }] }
  - { name: added, address: 10.0.0.101, port: 80, backends: [{ address: 10.0.1.12, port: 8080 }] }'
ctl reload >/dev/null || fail "reload failed"
wait_neigh 10.0.0.101 "$gw_mac" "after a reload added the VIP"

lab_exec client sysctl -qw net.ipv4.conf.all.arp_accept=0 net.ipv4.conf.c0.arp_accept=0
lab_exec client ip neigh replace 10.0.0.102 lladdr 02:00:00:00:99:99 dev c0 nud stale
ctl -A -t 10.0.0.102:80 -s rr --name api || fail "-A (add service) failed"
wait_neigh 10.0.0.102 "$gw_mac" "after the admin API added the VIP (failover of a stale entry)"

# Interface addresses 10.0.0.2 and 10.0.1.2, VIP 10.0.0.100 at start, then .101 and .102: 3 each.
want=$((5 * 3))
for _ in {1..50}; do
  sent=$(lab_exec gw curl -sf --max-time 2 http://127.0.0.1:9469/metrics |
    awk '/^sluice_announce_garps_sent_total/ {s += $2} END {print s + 0}')
  ((sent >= want)) && break
  sleep 0.1
done
((sent == want)) || fail "sluice_announce_garps_sent_total is $sent, want $want"
[[ $(lab_exec client curl -s --max-time 2 http://10.0.0.101/) == be2 ]] || fail "the added VIP does not forward"

e2e_stop
pass
