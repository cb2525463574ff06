#!/usr/bin/env bash
# Property: run as sluiced.service runs it ($NOTIFY_SOCKET set, no new privileges, only the
# unit's CapabilityBoundingSet), sluiced reports READY=1 only once it forwards: frozen the moment
# READY arrives, its log already says the workers poll and forward and the admin API and metrics
# listen; the first curl through the VIP is answered and every worker has polled. SIGHUP is framed by
# RELOADING=1 and READY=1, also when the file is refused (STATUS says so, traffic still flows);
# SIGTERM sends STOPPING=1 and exits 0; a start-up that fails (a missing device) sends no READY.
SL_PREFIX=sle2e-notify
source "$(dirname "$0")/lib.sh"
e2e_lab_up

unit=$LAB_ROOT/deploy/systemd/sluiced.service
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[[ -n $caps ]] || fail "no CapabilityBoundingSet in $unit"
bounding="-all"
for c in $caps; do bounding+=",+$(tr '[:upper:]' '[:lower:]' <<<"${c#CAP_}")"; done

# The demo config, its downlink with a kernel twin: net_tap and the sysctls it sets need
# CAP_NET_ADMIN and a writable /proc/sys, as on a real appliance.
lab_config "$WORK/sluice.yaml" "$SOCK"
sed -i 's|^\(    device: "net_af_packet1,iface=gw-down"\)$|\1\n    exception_path: { tap: tap-down }|' "$WORK/sluice.yaml"
grep -q 'tap: tap-down' "$WORK/sluice.yaml" || fail "could not add the exception path to the config"

coproc LISTENER { exec "$LAB_PY" "$E2E_DIR/notify_listener.py" "$WORK/notify.sock" --freeze-at-ready; }
listener_pid=$LISTENER_PID
trap 'rc=$?; kill "$listener_pid" 2>/dev/null; (exit $rc); e2e_cleanup' EXIT
read -r -t 5 line <&"${LISTENER[0]}" && [[ $line == listening ]] || fail "the notify listener did not start"

# start_sluiced CONFIG: as the unit runs it, in the gateway namespace.
start_sluiced() {
  ip netns exec "$(lab_ns gw)" env NOTIFY_SOCKET="$WORK/notify.sock" \
    setpriv --no-new-privs --bounding-set "$bounding" -- \
    "$SLUICED" --config "$1" >"$LAB_STATE/sluiced.log" 2>&1 </dev/null &
  SLUICED_PID=$!
}

# next_message SECONDS: the next notification, or fail.
next_message() {
  local m
  read -r -t "$1" m <&"${LISTENER[0]}" || fail "no notification within $1 s (log: $LAB_STATE/sluiced.log)"
  echo "$m"
}

start_sluiced "$WORK/sluice.yaml"
# The listener stops sluiced the moment READY arrives: what its log holds then, it had done before
# it declared itself ready.
ready=$(next_message 30)
log=$(cat "$LAB_STATE/sluiced.log")
kill -CONT "$SLUICED_PID"
status='STATUS=forwarding (workers: 1, interfaces: 2)'
[[ $ready == "READY=1|$status" ]] ||
  fail "first notification is '$ready', want READY=1 with the forwarding status"
for event in 'msg="forwarding"' 'msg="admin API listening"' 'msg="metrics listening"'; do
  grep -qF "$event" <<<"$log" || fail "READY came before the log said $event; the log then:"$'\n'"$log"
done
served=$(lab_exec client curl -s --max-time 3 http://10.0.0.100/ || true)
[[ $served =~ ^be[123]$ ]] || fail "the first request after READY got '$served', want a backend's name"
unpolled=$(ctl stats --json | "$LAB_PY" -c 'import json, sys
print(sum(1 for w in json.load(sys.stdin)["workers"] if not w["polls"]))')
((unpolled == 0)) || fail "$unpolled workers have not polled"

kill -HUP "$SLUICED_PID"
m=$(next_message 10); [[ $m == "RELOADING=1|STATUS=reloading|MONOTONIC_USEC="* ]] || fail "SIGHUP: got '$m', want RELOADING=1"
m=$(next_message 10); [[ $m == "READY=1|$status" ]] || fail "after the reload: got '$m', want READY=1"

sed -i '0,/port: 80$/s//port: 70000/' "$WORK/sluice.yaml"
kill -HUP "$SLUICED_PID"
m=$(next_message 10); [[ $m == RELOADING=1* ]] || fail "SIGHUP of a bad file: got '$m', want RELOADING=1"
m=$(next_message 10)
[[ $m == "READY=1|$status; last reload refused (problems: 1, see the log)" ]] ||
  fail "after a refused reload: got '$m', want READY=1 saying the reload was refused"
served=$(lab_exec client curl -s --max-time 3 http://10.0.0.100/ || true)
[[ $served =~ ^be[123]$ ]] || fail "after the refused reload the VIP answered '$served'"

kill -TERM "$SLUICED_PID"
m=$(next_message 10); [[ $m == STOPPING=1* ]] || fail "SIGTERM: got '$m', want STOPPING=1"
e2e_stop

# A device that does not exist: start-up fails, the status says why, and READY never comes.
sed -e 's|iface=gw-up|iface=gw-missing|' -e '0,/port: 70000$/s//port: 80/' "$WORK/sluice.yaml" >"$WORK/broken.yaml"
start_sluiced "$WORK/broken.yaml"
rc=0; wait "$SLUICED_PID" || rc=$?
SLUICED_PID=
((rc != 0)) || fail "sluiced started on a missing device (exit 0)"
m=$(next_message 5)
[[ $m == "STATUS=start-up failed: "* ]] || fail "failed start-up: got '$m', want STATUS=start-up failed"
if read -r -t 1 m <&"${LISTENER[0]}"; then fail "after a failed start-up sluiced still sent '$m'"; fi

pass
