#!/usr/bin/env bash
# Property: GET /metrics at admin.metrics (TCP, in the gateway namespace) passes `promtool check
# metrics`, lists sluice_drops_total for every drop reason, and counts the connections sent
# through the VIP; a real Prometheus server scraping that address reads the same count through
# its query API.
SL_PREFIX=sle2e-prom
source "$(dirname "$0")/lib.sh"
e2e_start

metrics=127.0.0.1:9469 # config/demo.yaml admin.metrics
prom=127.0.0.1:9490
n=20
scrape() { lab_exec gw curl -sf --max-time 2 "http://$metrics/metrics"; }
web_conns() { awk '/^sluice_service_connections_total\{service="web",/ {print $2}' <<<"$1"; }

# shellcheck disable=SC2016 # expanded by the inner shell
lab_exec client bash -c 'for i in $(seq '"$n"'); do curl -sf --max-time 2 -o /dev/null http://10.0.0.100/ || exit 1; done' ||
  fail "HTTP through the VIP failed"
for _ in {1..25}; do
  text=$(scrape) || fail "GET http://$metrics/metrics failed in $(lab_ns gw)"
  [[ $(web_conns "$text") == "$n" ]] && break
  sleep 0.2
done
[[ $(web_conns "$text") == "$n" ]] ||
  fail "sluice_service_connections_total{service=\"web\"} is '$(web_conns "$text")', want $n"

promtool check metrics <<<"$text" >"$WORK/promtool.out" 2>&1 ||
  fail "promtool check metrics:"$'\n'"$(cat "$WORK/promtool.out")"

mapfile -t reasons < <(grep -oP '^\s*X\(\K[a-z0-9_]+' "$LAB_ROOT/dataplane/stats/drop_reason.hpp")
((${#reasons[@]} > 10)) || fail "could not read the drop reasons from drop_reason.hpp"
for r in "${reasons[@]}"; do
  grep -q "^sluice_drops_total{worker=\"0\",reason=\"$r\"} " <<<"$text" || fail "no sluice_drops_total for reason $r"
done
grep -q '^sluice_control_publishes_total [1-9]' <<<"$text" || fail "no sluice_control_publishes_total"

# A real Prometheus in the gateway namespace, scraping every second; stopped below.
mkdir -p "$WORK/prom/data"
cat >"$WORK/prom/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: sluice
    static_configs: [{ targets: ["$metrics"] }]
YAML
ip netns exec "$(lab_ns gw)" prometheus --config.file="$WORK/prom/prometheus.yml" \
  --storage.tsdb.path="$WORK/prom/data" --web.listen-address="$prom" >"$WORK/prom/log" 2>&1 </dev/null &
prom_pid=$!

query() {
  lab_exec gw curl -sf --max-time 2 "http://$prom/api/v1/query" --data-urlencode "query=$1" |
    "$LAB_PY" -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
got=
for _ in {1..60}; do
  got=$(query 'sluice_service_connections_total{service="web",protocol="tcp"}' 2>/dev/null || true)
  [[ $got == "$n" ]] && break
  sleep 0.5
done
[[ $got == "$n" ]] || fail "Prometheus reads sluice_service_connections_total{service=\"web\"} = '$got', want $n; its log:"$'\n'"$(tail -n 20 "$WORK/prom/log")"
[[ $(query 'up{job="sluice"}') == 1 ]] || fail "Prometheus reports the sluice target down"

kill -TERM "$prom_pid"
wait "$prom_pid" || fail "Prometheus exited with status $? on SIGTERM"
e2e_stop
pass
