#!/usr/bin/env bash
# Property: HTTP health checks take a dead backend out of scheduling and bring it back.
# Three backends behind VIP 10.0.0.100:80 with an http check (interval 500 ms, timeout 300 ms,
# fall 3, rise 2). be2's HTTP server is killed mid-test: within fall × interval + timeout it is
# reported down (sluicectl list shows weight 0 and --health "down", sluice_backend_up is 0, one
# log line), and no new connection reaches it while be1 and be3 take every request. Restarted, it
# is up again within rise × interval (+ one interval of phase, + timeout) and gets its third.
#
# Probes are the gateway kernel's own TCP connections and go the production way: through the
# downlink's kernel exception path (tap-down, 10.0.1.2/24, a net_tap twin of the DPDK port), so
# they leave and return through sluiced's workers.
#
# Established flows follow the drain policy: a second service (TCP echo on 7000, checked on the
# backends' HTTP port, drain_timeout 3) keeps be2's held connections answering after be2 is taken
# out, and flushes them 3 s later while be1's and be3's keep going.
SL_PREFIX=sle2e-health
source "$(dirname "$0")/lib.sh"
e2e_lab_up

interval_ms=500 timeout_ms=300 fall=3 rise=2
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_set_services "$WORK/sluice.yaml" "  - name: web
    address: 10.0.0.100
    port: 80
    forwarding: nat
    scheduler: rr
    health_check: { type: http, path: /, expect_status: 200, interval_ms: $interval_ms, timeout_ms: $timeout_ms, rise: $rise, fall: $fall }
    backends:
      - { address: 10.0.1.11, port: 8080 }
      - { address: 10.0.1.12, port: 8080 }
      - { address: 10.0.1.13, port: 8080 }
  - name: held
    address: 10.0.0.100
    port: 7000
    forwarding: nat
    scheduler: rr
    drain_timeout: 3
    health_check: { type: http, port: 8080, interval_ms: $interval_ms, timeout_ms: $timeout_ms, rise: $rise, fall: $fall }
    backends:
      - { address: 10.0.1.11, port: 7000 }
      - { address: 10.0.1.12, port: 7000 }
      - { address: 10.0.1.13, port: 7000 }"
for i in 1 2 3; do lab_spawn "be$i" "be$i-tcp" "$LAB_PY" "$LAB_ROOT/scripts/lib/tcp_echo.py" 7000 "be$i"; done

lab_exception_paths "$WORK/sluice.yaml"

sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

now_ms() { date +%s%3N; }
# health_of ADDR: the health state of service web's backend ADDR ("up", "down", "unknown").
health_of() {
  ctl list --json | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    for b in s["backends"]:
        if s["name"] == "web" and b["address"] == sys.argv[1]:
            print(b.get("health", {}).get("state", "none"))' "$1"
}
# wait_health ADDR STATE SECONDS: polls every 50 ms; prints the milliseconds it took.
wait_health() {
  local start; start=$(now_ms)
  while [[ $(health_of "$1") != "$2" ]]; do
    (($(now_ms) - start < $3 * 1000)) || fail "$1 not $2 after $3 s:"$'\n'"$(ctl list --health)"
    sleep 0.05
  done
  echo $(($(now_ms) - start))
}
# log_ms PATTERN: the time (ms since the epoch) of sluiced's first log line matching PATTERN.
log_ms() {
  local stamp
  stamp=$(grep -m1 -F "$1" "$LAB_STATE/sluiced.log" | cut -d' ' -f1)
  [[ -n $stamp ]] || fail "no log line with: $1"
  date -d "$stamp" +%s%3N
}
scrape() { lab_exec gw curl -sf --max-time 2 http://127.0.0.1:9469/metrics; } # demo.yaml admin.metrics
be2_up_metric() { scrape | awk '/^sluice_backend_up\{service="web",.*backend="10.0.1.12:8080"\}/ {print $2}'; }

for a in 10.0.1.11 10.0.1.12 10.0.1.13; do wait_health "$a" up 10 >/dev/null; done
expect_round_robin http://10.0.0.100/ 30

coproc HOLD { lab_exec client "$LAB_PY" "$E2E_DIR/hold_connections.py" 10.0.0.100 7000 6; }
read -r -t 10 owners <&"${HOLD[0]}" || fail "held connections did not open"
# owned NAME JSON: how many connections of the JSON line's list belong to backend NAME.
owned() { "$LAB_PY" -c 'import json, sys; print(list(json.loads(sys.argv[2]).values())[0].count(sys.argv[1]))' "$1" "$2"; }
probe() { echo >&"${HOLD[1]}"; read -r -t 15 line <&"${HOLD[0]}" || fail "probe got no report"; echo "$line"; }
(($(owned be2 "$owners") == 2)) || fail "rr did not give be2 2 of 6 held connections: $owners"

# Kill be2's HTTP server (the one this lab started; found by its command line in be2's namespace).
be2_http=""
for pid in $(ip netns pids "$(lab_ns be2)"); do
  [[ $(tr '\0' ' ' </proc/"$pid"/cmdline) == *"http.server 8080"* ]] && be2_http=$pid
done
[[ -n $be2_http ]] || fail "be2's HTTP server not found"
killed_at=$(now_ms)
kill -TERM "$be2_http"
wait_health 10.0.1.12 down 10 >/dev/null
# From the kill to the transition's log line: at most fall checks, the first within an interval.
down_ms=$(($(log_ms 'msg="backend down" service=web backend=10.0.1.12:8080') - killed_at))
bound=$((fall * interval_ms + timeout_ms))
echo "be2 down detected after $down_ms ms (bound: fall x interval + timeout = $bound ms)"
((down_ms <= bound)) || fail "be2 detected down after $down_ms ms, want <= $bound"

answered=$(probe)
(($(owned be2 "$answered") == 2)) || fail "be2's held connections must drain, not break: $answered"

# No new connection reaches be2: every request succeeds on be1 or be3, alternating.
# shellcheck disable=SC2016 # expanded by the inner shell
served=$(lab_exec client bash -c 'for i in $(seq 30); do curl -s --max-time 2 http://10.0.0.100/ || echo "curl-error-$?"; done')
counts=$(sort <<<"$served" | uniq -c)
grep -q curl-error <<<"$served" && fail "requests failed while be2 was down:"$'\n'"$counts"
grep -qx be2 <<<"$served" && fail "be2 got new connections while down:"$'\n'"$counts"
for be in be1 be3; do
  (($(grep -cx "$be" <<<"$served") == 15)) || fail "$be did not serve half:"$'\n'"$counts"
done

list=$(ctl list)
grep -Eq '^  -> 10\.0\.1\.12:8080 +Masq +0 ' <<<"$list" || fail "list does not show be2 with weight 0:"$'\n'"$list"
grep -Eq '^  -> 10\.0\.1\.11:8080 +Masq +1 ' <<<"$list" || fail "list lost be1's weight:"$'\n'"$list"
health=$(ctl list --health)
grep -Eq '^  -> 10\.0\.1\.12:8080 +Masq +1 +down +http .*refused' <<<"$health" ||
  fail "list --health does not show be2 down (configured weight 1, connect refused):"$'\n'"$health"
[[ $(be2_up_metric) == 0 ]] || fail "sluice_backend_up for be2 is '$(be2_up_metric)', want 0"
scrape | promtool check metrics >"$WORK/promtool.out" 2>&1 ||
  fail "promtool check metrics:"$'\n'"$(cat "$WORK/promtool.out")"
grep -q 'level=warn msg="backend down" service=web backend=10.0.1.12:8080 from=up to=down check=http' \
  "$LAB_STATE/sluiced.log" || fail "no log line for be2 going down"
(($(grep -c 'msg="backend down" service=web backend=10.0.1.12:8080' "$LAB_STATE/sluiced.log") == 1)) ||
  fail "want exactly one log line for be2's transition"

# drain_timeout 3: be2's held connections are flushed 3 s after it went down; the others live.
now=$(now_ms) flush_at=$(($(log_ms 'msg="backend down" service=held backend=10.0.1.12:7000') + 3000 + 500))
((now < flush_at)) && sleep "$(((flush_at - now) / 1000)).$(printf '%03d' $(((flush_at - now) % 1000)))"
answered=$(probe)
(($(owned be1 "$answered") == 2 && $(owned be2 "$answered") == 0 && $(owned be3 "$answered") == 2)) ||
  fail "after drain_timeout want be2's 2 connections flushed and 4 answering: $answered"
grep -q 'msg="drain ended" reason=health_check backend="10.0.0.100:7000/6>10.0.1.12:7000" flows_flushed=2' \
  "$LAB_STATE/sluiced.log" || fail "no drain log line for be2's held flows"
exec {HOLD[1]}>&-
wait "$HOLD_PID" 2>/dev/null || true

# Restarted, be2 comes back after rise passes.
lab_spawn be2 be2-http "$LAB_PY" -m http.server 8080 --directory "$LAB_STATE/be2-www"
for ((t = 0; t < 100; t++)); do
  [[ $(lab_exec be2 curl -s --max-time 1 http://10.0.1.12:8080/) == be2 ]] && break
  sleep 0.05
done
answering_at=$(now_ms)
wait_health 10.0.1.12 up 10 >/dev/null
up_ms=$(($(log_ms 'msg="backend up" service=web backend=10.0.1.12:8080 from=down') - answering_at))
bound=$((rise * interval_ms + timeout_ms))
echo "be2 up again $up_ms ms after it answered (bound: rise x interval + timeout = $bound ms)"
((up_ms <= bound)) || fail "be2 back up after $up_ms ms, want <= $bound"
grep -q 'msg="backend up" service=web backend=10.0.1.12:8080 from=down to=up check=http' \
  "$LAB_STATE/sluiced.log" || fail "no log line for be2 coming back"
[[ $(be2_up_metric) == 1 ]] || fail "sluice_backend_up for be2 is '$(be2_up_metric)', want 1"
expect_round_robin http://10.0.0.100/ 30

e2e_stop
pass
