#!/usr/bin/env bash
# Property: with dataplane.idle: adaptive (the default) an idle sluiced's worker thread gives its
# core back (under 30 % of a core over 2 s: a sanity bound, the measured figure is in
# perf/RESULTS.md), `sluicectl stats` and /metrics show it asleep with wake-ups, and traffic flows
# at once after the idleness: ping to the VIP (answered by the worker) and HTTP through NAT. The
# af_packet ports wake the worker: with sleeps of up to 50 ms, pings are still answered in far
# less (a worker woken only by its timer would take 25 ms on average). With dataplane.idle: poll
# the worker never sleeps.
SL_PREFIX=sle2e-idle
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
sed -i 's/^  workers: 1$/  workers: 1\n  idle_max_sleep_us: 50000/' "$WORK/sluice.yaml"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"
grep -q 'msg="idle: adaptive" worker=0 woken_by_packets=2 ' "$LAB_STATE/sluiced.log" ||
  fail "worker 0 did not find a wake-up on both af_packet ports:"$'\n'"$(grep idle "$LAB_STATE/sluiced.log")"

# CPU ticks (utime + stime) the thread has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SLUICED_PID/task/$1/stat"; }

tid=$(sluiced_worker_tid) || fail "no rte-worker thread in sluiced ($SLUICED_PID)"
sleep 1 # the lab's start-up ARP and health traffic has passed
t0=$(cpu_ticks "$tid")
sleep 2
t1=$(cpu_ticks "$tid")
hz=$(getconf CLK_TCK)
percent=$(((t1 - t0) * 100 / (2 * hz)))
((percent < 30)) || fail "idle worker used $percent % of a core over 2 s (adaptive; want < 30)"

stats=$(ctl stats) || fail "sluicectl stats failed"
read -r asleep wakeups < <(awk '$1 == "0" {print $6, $7}' <<<"$stats")
[[ ${wakeups:-0} -gt 0 ]] || fail "sluicectl stats shows no wake-ups for worker 0:"$'\n'"$stats"
awk -v a="${asleep:-0}" 'BEGIN {exit !(a > 50)}' ||
  fail "sluicectl stats shows worker 0 asleep $asleep % of the time (want > 50):"$'\n'"$stats"
json=$(ctl stats --json) || fail "sluicectl stats --json failed"
for key in asleep_us wakeups running_us; do
  grep -q "\"$key\"" <<<"$json" || fail "sluicectl stats --json has no \"$key\""
done
metrics=$(lab_exec gw curl -sf --max-time 2 http://127.0.0.1:9469/metrics) || fail "GET /metrics failed"
for family in sluice_worker_asleep_ratio sluice_worker_asleep_seconds_total sluice_worker_wakeups_total; do
  grep -q "^$family{worker=\"0\"} " <<<"$metrics" || fail "/metrics has no $family{worker=\"0\"}"
done

# Straight after the idleness: the worker answers ping to the VIP and forwards through NAT.
lab_exec client ping -c 9 -i 0.2 -W 1 10.0.0.100 >"$WORK/ping.out" 2>&1 ||
  fail "ping 10.0.0.100 after idleness:"$'\n'"$(cat "$WORK/ping.out")"
median_ms=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$WORK/ping.out" | sort -g | sed -n 5p)
awk -v m="${median_ms:-999}" 'BEGIN {exit !(m < 10)}' ||
  fail "median ping $median_ms ms with sleeps of up to 50 ms: the af_packet wake-up did not wake the worker"$'\n'"$(cat "$WORK/ping.out")"
sleep 1
answer=$(lab_exec client curl -s --max-time 2 http://10.0.0.100/) || true
[[ $answer =~ ^be[123]$ ]] || fail "HTTP through the VIP after idleness answered '$answer'"

# dataplane.idle: poll: the worker polls and never sleeps.
e2e_stop
sed -i 's/^  workers: 1$/  workers: 1\n  idle: poll/' "$WORK/sluice.yaml"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced (idle: poll) did not answer on $SOCK"
sleep 1
stats=$(ctl stats) || fail "sluicectl stats failed"
read -r asleep wakeups < <(awk '$1 == "0" {print $6, $7}' <<<"$stats")
[[ $wakeups == 0 && $asleep == 0.0 ]] ||
  fail "idle: poll, yet worker 0 slept ($asleep %, $wakeups wake-ups):"$'\n'"$stats"
answer=$(lab_exec client curl -s --max-time 2 http://10.0.0.100/) || true
[[ $answer =~ ^be[123]$ ]] || fail "HTTP through the VIP with idle: poll answered '$answer'"

e2e_stop
pass
