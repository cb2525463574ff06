#!/usr/bin/env bash
# Property: GET /metrics at admin.metrics (TCP, in the gateway namespace) passes `promtool check
# metrics`, lists sluice_drops_total for every drop reason and the mbuf pools' use (as /v1/stats
# and sluicectl stats do), and counts the connections sent
# through the VIP; a real Prometheus server scraping that address reads the same count through
# its query API, evaluates deploy/prometheus's alerting rules without error, and every query of
# deploy/grafana's dashboards returns series, every alert expression's selectors too
# (tests/e2e/evaluate_deploy_queries.py). The events some of them need happen after its first
# scrape: a Kubernetes Service and EndpointSlice (network programming latency), a connection to
# a port without a service (a drop), a reload, a service whose health check fails.
SL_PREFIX=sle2e-prom
source "$(dirname "$0")/lib.sh"

prom=127.0.0.1:9490
api_port=16444
n=20
web_conns() { awk '/^sluice_service_connections_total\{service="web",/ {print $2}' <<<"$1"; }
api() { lab_exec gw curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$api_port$1" -d "$2"; }

e2e_lab_up
fake_apiserver_start "$api_port"
lab_config "$WORK/sluice.yaml" "$SOCK"
# demo.yaml's web, and a service whose TCP check cannot reach its backend from the gateway's
# kernel (no exception path here): its checks fail and it has no usable backend.
lab_set_services "$WORK/sluice.yaml" "$(cat <<'Y'
  - name: web
    address: 10.0.0.100
    port: 80
    backends:
      - { address: 10.0.1.11, port: 8080 }
      - { address: 10.0.1.12, port: 8080 }
      - { address: 10.0.1.13, port: 8080 }
  - name: checked
    address: 10.0.0.100
    port: 8081
    health_check: { type: tcp, interval_ms: 200, timeout_ms: 100, fall: 1 }
    backends: [{ address: 10.0.1.11, port: 8080 }]
Y
)"
kubernetes_config "$WORK/sluice.yaml" "$api_port"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

# A real Prometheus in the gateway namespace, scraping and evaluating every second; stopped below.
mkdir -p "$WORK/prom/data"
cat >"$WORK/prom/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ["$LAB_ROOT/deploy/prometheus/alerts.yml"]
scrape_configs:
  - job_name: sluice
    static_configs: [{ targets: ["$E2E_METRICS"] }]
YAML
ip netns exec "$(lab_ns gw)" prometheus --config.file="$WORK/prom/prometheus.yml" \
  --storage.tsdb.path="$WORK/prom/data" --web.listen-address="$prom" >"$WORK/prom/log" 2>&1 </dev/null &
prom_pid=$!
query() {
  lab_exec gw curl -sf --max-time 2 "http://$prom/api/v1/query" --data-urlencode "query=$1" |
    "$LAB_PY" -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
prom_wait() { # prom_wait QUERY WANT: until QUERY's first value is WANT (30 s)
  local got=
  for _ in {1..60}; do
    got=$(query "$1" 2>/dev/null || true)
    [[ $got == "$2" ]] && return 0
    sleep 0.5
  done
  fail "Prometheus reads $1 = '$got', want $2; its log:"$'\n'"$(tail -n 20 "$WORK/prom/log")"
}
prom_wait 'up{job="sluice"}' 1

# shellcheck disable=SC2016 # expanded by the inner shell
lab_exec client bash -c 'for i in $(seq '"$n"'); do curl -sf --max-time 2 -o /dev/null http://10.0.0.100/ || exit 1; done' ||
  fail "HTTP through the VIP failed"
lab_exec client curl -s --max-time 0.5 -o /dev/null http://10.0.0.100:81/ && fail "10.0.0.100:81 answered: no service has that port"
ctl reload >/dev/null || fail "sluicectl reload failed"
svc='{"metadata":{"name":"shop","namespace":"lab"},"spec":{"type":"LoadBalancer",
  "loadBalancerClass":"sluice.io/lb","clusterIP":"10.96.0.10","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}'
api /api/v1/namespaces/lab/services "$svc" >/dev/null || fail "POST Service to the fake API server"
slice='{"metadata":{"name":"shop-1","namespace":"lab","labels":{"kubernetes.io/service-name":"shop"}},
  "addressType":"IPv4","endpoints":[{"addresses":["10.0.1.12"],"conditions":{"ready":true}}],
  "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}'
api /apis/discovery.k8s.io/v1/namespaces/lab/endpointslices "$slice" >/dev/null || fail "POST EndpointSlice to the fake API server"

for _ in {1..25}; do
  text=$(scrape_metrics) || fail "GET http://$E2E_METRICS/metrics failed in $(lab_ns gw)"
  [[ $(web_conns "$text") == "$n" ]] && grep -q '^sluice_network_programming_duration_seconds_count [1-9]' <<<"$text" && break
  sleep 0.2
done
[[ $(web_conns "$text") == "$n" ]] ||
  fail "sluice_service_connections_total{service=\"web\"} is '$(web_conns "$text")', want $n"
grep -q '^sluice_network_programming_duration_seconds_count [1-9]' <<<"$text" ||
  fail "no network programming latency observed after the EndpointSlice"

promtool check metrics <<<"$text" >"$WORK/promtool.out" 2>&1 ||
  fail "promtool check metrics:"$'\n'"$(cat "$WORK/promtool.out")"

mapfile -t reasons < <(grep -oP '^\s*X\(\K[a-z0-9_]+' "$LAB_ROOT/dataplane/stats/drop_reason.hpp")
((${#reasons[@]} > 10)) || fail "could not read the drop reasons from drop_reason.hpp"
for r in "${reasons[@]}"; do
  grep -q "^sluice_drops_total{worker=\"0\",reason=\"$r\"} " <<<"$text" || fail "no sluice_drops_total for reason $r"
done
grep -q '^sluice_control_publishes_total [1-9]' <<<"$text" || fail "no sluice_control_publishes_total"
# The mbuf pools: the packet pool and worker 0's reassembly buffers, the same in /v1/stats, the
# gauges and the sluicectl stats table.
pools=$(ctl stats --json | jq -r '.mempools[] | "\(.name) \(.size)"')
grep -q '^sluice_mbufs [1-9]' <<<"$pools" || fail "sluicectl stats --json lists no sluice_mbufs pool: $pools"
grep -q '^sl_frag_0_' <<<"$pools" || fail "sluicectl stats --json lists no reassembly pool: $pools"
while read -r name size; do
  grep -qxF "sluice_mbuf_pool_size{pool=\"$name\"} $size" <<<"$text" || fail "no sluice_mbuf_pool_size $size for $name"
  in_use=$(awk -v k="sluice_mbuf_pool_in_use{pool=\"$name\"}" '$1 == k { print $2 }' <<<"$text")
  [[ -n $in_use ]] && ((in_use <= size)) || fail "sluice_mbuf_pool_in_use for $name is '$in_use' (size $size)"
done <<<"$pools"
ctl stats | grep -Eq '^sluice_mbufs +[0-9]+ +[0-9]+ +[0-9.]+$' || fail "sluicectl stats shows no sluice_mbufs row"
grep -q '^sluice_config_reloads_total{result="success"} 1$' <<<"$text" || fail "the reload is not counted"

prom_wait 'sluice_service_connections_total{service="web",protocol="tcp"}' "$n"
prom_wait 'sluice_network_programming_duration_seconds_count' 1
prom_wait 'sum(sluice_drops_total{reason="no_service"}) > bool 0' 1
prom_wait 'sum(sluice_backend_health_checks_total{service="checked",result="failed"}) > bool 0' 1
# The rules evaluated (health "ok": each expression ran against the scraped series).
prom_wait 'count(ALERTS{alertname="SluiceBackendPoolEmpty",service="checked"})' 1
lab_exec gw curl -sf --max-time 2 "http://$prom/api/v1/rules" >"$WORK/rules.json" || fail "GET /api/v1/rules"
"$LAB_PY" - "$WORK/rules.json" <<'PY' || fail "alerting rules did not all evaluate"
import json, sys
rules = [r for g in json.load(open(sys.argv[1]))["data"]["groups"] for r in g["rules"]]
bad = [f"{r['name']}: {r['health']} {r.get('lastError', '')}" for r in rules if r["health"] != "ok"]
print("\n".join(bad))
sys.exit(1 if bad or len(rules) < 7 else 0)
PY

scrape_metrics >"$WORK/metrics.txt" || fail "GET /metrics"
ip netns exec "$(lab_ns gw)" "$LAB_PY" "$E2E_DIR/evaluate_deploy_queries.py" "http://$prom" \
  "$LAB_ROOT/deploy" "$WORK/metrics.txt" >"$WORK/queries.out" 2>&1 ||
  fail "deploy/ queries against Prometheus:"$'\n'"$(cat "$WORK/queries.out")"
cat "$WORK/queries.out"

kill -TERM "$prom_pid"
wait "$prom_pid" || fail "Prometheus exited with status $? on SIGTERM"
kill -TERM "$FAKE_PID" 2>/dev/null || true
e2e_stop
pass
