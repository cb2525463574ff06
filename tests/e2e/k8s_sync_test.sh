#!/usr/bin/env bash
# Property: sluiced serves Kubernetes LoadBalancer Services from list/watch. Against the fake API
# server (tests/support/fake_apiserver.py, in the gateway namespace): a Service + EndpointSlice
# created → curl through its pool address reaches the pod within 1 s, the Service's status
# carries the address and the change's network programming latency is observed; a second
# endpoint gets traffic; a terminating endpoint takes no new connections while its open one
# still completes; a deleted Service's address stops answering and goes back to the pool; the
# API server killed and restarted with newer resourceVersions → traffic never stops, a change
# made after the restart is served, and /metrics counts the refused reconnects and the relist by
# cause; loadBalancerSourceRanges without the client's address
# refuses it (the implicit allow-list's deny is counted), with it lets it in.
SL_PREFIX=sle2e-k8s
source "$(dirname "$0")/lib.sh"
PORT=16443
API=http://127.0.0.1:$PORT
VIP=10.0.0.200

e2e_lab_up
fake_start() { fake_apiserver_start "$PORT" "$@"; }
api() { # api METHOD PATH [JSON]
  lab_exec gw curl -sf -X "$1" -H 'Content-Type: application/json' "$API$2" ${3:+-d "$3"}
}
service() { # service NAME NODEPORT [SOURCE-RANGES-JSON-LIST]
  echo '{"metadata":{"name":"'"$1"'","namespace":"shop"},"spec":{"type":"LoadBalancer",
    "loadBalancerClass":"sluice.io/lb","clusterIP":"10.96.0.10",'"${3:+\"loadBalancerSourceRanges\":$3,}"'
    "ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080,"nodePort":'"$2"'}]}}'
}
# slice NAME SERVICE ENDPOINT...: ENDPOINT is ADDRESS or ADDRESS:terminating
slice() {
  local name=$1 svc=$2 eps="" e; shift 2
  for e in "$@"; do
    local addr=${e%%:*} cond='"ready":true,"serving":true,"terminating":false'
    [[ $e == *:terminating ]] && cond='"ready":false,"serving":true,"terminating":true'
    eps+="${eps:+,}{\"addresses\":[\"$addr\"],\"conditions\":{$cond},\"nodeName\":\"node-a\"}"
  done
  echo '{"metadata":{"name":"'"$name"'","namespace":"shop","labels":{"kubernetes.io/service-name":"'"$svc"'"}},
    "addressType":"IPv4","endpoints":['"$eps"'],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}'
}
served_by() { # served_by N: the backends that answered N sequential curls, counted
  lab_exec client bash -c 'for i in $(seq "$1"); do curl -s --max-time 1 "http://'$VIP'/" || echo fail; done' _ "$1" |
    sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '
}

fake_start
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_set_services "$WORK/sluice.yaml" "  []"
kubernetes_config "$WORK/sluice.yaml" "$PORT"
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

# 1. Service + EndpointSlice → traffic within 1 s, status written.
api POST /api/v1/namespaces/shop/services "$(service web 30080)" >/dev/null
start=$(date +%s%N)
api POST /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices "$(slice web-1 web 10.0.1.11)" >/dev/null
ok=
while (( $(date +%s%N) - start < 1000000000 )); do
  [[ $(lab_exec client curl -s --max-time 0.2 "http://$VIP/") == be1 ]] && { ok=1; break; }
done
[[ -n $ok ]] || fail "no answer from be1 through $VIP within 1 s of the EndpointSlice; list: $(ctl list)"
echo "first answer $(( ($(date +%s%N) - start) / 1000000 )) ms after the EndpointSlice was created"
ip=$(api GET /api/v1/namespaces/shop/services/web | "$LAB_PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["status"]["loadBalancer"]["ingress"][0]["ip"], s["status"]["loadBalancer"]["ingress"][0]["ipMode"])')
[[ $ip == "$VIP VIP" ]] || fail "Service status ingress is '$ip', want '$VIP VIP'"
ctl list | grep -Eq "^TCP  $VIP:80 rr" || fail "sluicectl list lacks $VIP:80: $(ctl list)"
# Its network programming latency was observed: the fake stamps the trigger time as the
# EndpointSlice controller does, and the answer above means every worker runs the change.
n=$(scrape_metrics | awk '$1 == "sluice_network_programming_duration_seconds_count" {print $2}')
((${n:-0} >= 1)) || fail "sluice_network_programming_duration_seconds_count is '$n' after the EndpointSlice, want >= 1"
# A connection to be1 (the only endpoint yet), idle until $WORK/go, then one request.
lab_exec client bash -c "exec 3<>/dev/tcp/$VIP/80; while [ ! -e $WORK/go ]; do sleep 0.1; done
  printf 'GET / HTTP/1.0\r\n\r\n' >&3; cat <&3" >"$WORK/open.out" 2>&1 &
open=$!
sleep 0.3

# 2. Scale: a second endpoint gets traffic (rr: exactly half).
api PUT /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-1 "$(slice web-1 web 10.0.1.11 10.0.1.12)" >/dev/null
sleep 0.5
got=$(served_by 20)
[[ $got == "be1=10 be2=10 " ]] || fail "after scaling to two endpoints: $got (want be1=10 be2=10)"

# 3. Terminating: be1 drains: new connections go to be2 only, an open one to be1 still works.
api PUT /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-1 "$(slice web-1 web 10.0.1.11:terminating 10.0.1.12)" >/dev/null
sleep 0.5
got=$(served_by 10)
[[ $got == "be2=10 " ]] || fail "with be1 terminating: $got (want be2=10)"
ctl list | grep -Eq '10\.0\.1\.11:8080 +Masq +0 ' || fail "be1 should drain with weight 0: $(ctl list)"
touch "$WORK/go"
wait "$open" || true
grep -qx 'be1' "$WORK/open.out" || fail "be1's connection opened before the drain did not complete: $(cat "$WORK/open.out")"

# 4. Restart the API server with newer resourceVersions; traffic never stops meanwhile.
lab_exec client bash -c 'for i in $(seq 60); do curl -s --max-time 1 "http://'$VIP'/" || echo fail; sleep 0.05; done' >"$WORK/steady.out" & steady=$!
sleep 0.5
kill -KILL "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
sleep 1.5
fake_start --start-rv 50000
api PUT /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-1 "$(slice web-1 web 10.0.1.12 10.0.1.13)" >/dev/null
wait "$steady"
! grep -q fail "$WORK/steady.out" || fail "requests failed while the API server restarted: $(sort "$WORK/steady.out" | uniq -c)"
# The watchers back off while the server is down (jittered, doubling): allow them to return.
for _ in $(seq 75); do [[ $(served_by 10) == "be2=5 be3=5 " ]] && break; sleep 0.2; done
got=$(served_by 10)
[[ $got == "be2=5 be3=5 " ]] || fail "after the API server restart, a new endpoint set is not served: $got"
# /metrics says what happened, by cause: reconnects refused while the server was down, and the
# relist its newer resourceVersions forced (410 on the old one); the exposition stays valid.
metrics=$(lab_exec gw curl -sf --max-time 2 http://127.0.0.1:9469/metrics) || fail "GET /metrics failed"
promtool check metrics <<<"$metrics" >"$WORK/promtool.out" 2>&1 ||
  fail "promtool check metrics:"$'\n'"$(cat "$WORK/promtool.out")"
sample() { awk -v k="$1" 'index($0, k " ") == 1 { print $2 }' <<<"$metrics"; }
for series in 'sluice_k8s_sync_errors_total{resource="services",cause="unreachable"}' \
  'sluice_k8s_relists_total{resource="services",cause="watch_expired"}'; do
  (( $(sample "$series") >= 1 )) || fail "$series is '$(sample "$series")' after the restart, want >= 1"
done

# 5. Delete: the VIP stops answering and its address returns to the pool.
api DELETE /api/v1/namespaces/shop/services/web >/dev/null
api DELETE /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-1 >/dev/null
for _ in $(seq 20); do ctl list | grep -q "$VIP:80" || break; sleep 0.1; done
lab_exec client curl -s --max-time 1 "http://$VIP/" && fail "$VIP still answers after the Service was deleted"
api POST /api/v1/namespaces/shop/services "$(service again 30081)" >/dev/null
for _ in $(seq 30); do
  ip=$(api GET /api/v1/namespaces/shop/services/again | "$LAB_PY" -c 'import json,sys; s=json.load(sys.stdin); print(s.get("status",{}).get("loadBalancer",{}).get("ingress",[{}])[0].get("ip",""))')
  [[ -n $ip ]] && break; sleep 0.1
done
[[ $ip == "$VIP" ]] || fail "a new Service got '$ip', want the returned address $VIP"

# 6. loadBalancerSourceRanges → the address's allow-list: the client (10.0.0.1) outside the
#    ranges is refused and counted by the implicit set's default deny; inside them it is served.
api POST /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices "$(slice again-1 again 10.0.1.11)" >/dev/null
api PUT /api/v1/namespaces/shop/services/again "$(service again 30081 '["192.0.2.0/24"]')" >/dev/null
set_name='k8s:shop/again:80/tcp:allowed_sources'
for _ in $(seq 30); do ctl acl list | grep -qF "$set_name" && break; sleep 0.1; done
ctl acl list | grep -qF "$set_name" || fail "no allow-list set for the Service's ranges: $(ctl acl list)"
lab_exec client curl -s --max-time 1 "http://$VIP/" && fail "a client outside loadBalancerSourceRanges was served"
denied=$(ctl acl list --json | "$LAB_PY" -c 'import json,sys; b=json.load(sys.stdin)
print([s["default_hits"] for s in b["acls"] if s["name"]==sys.argv[1]][0])' "$set_name")
(( denied >= 1 )) || fail "the refused flow was not counted on $set_name's default deny ($denied)"
api PUT /api/v1/namespaces/shop/services/again "$(service again 30081 '["192.0.2.0/24","10.0.0.0/24"]')" >/dev/null
ok=
for _ in $(seq 30); do
  [[ $(lab_exec client curl -s --max-time 0.3 "http://$VIP/") == be1 ]] && { ok=1; break; }
  sleep 0.1
done
[[ -n $ok ]] || fail "a client inside loadBalancerSourceRanges is not served: $(ctl acl list)"

e2e_stop
pass
