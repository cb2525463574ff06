#!/usr/bin/env bash
# The fake API server is checked against a real client: kubectl discovers the API, lists in
# pages (--chunk-size → limit/continue), watches (chunked stream), creates and deletes through it.
set -euo pipefail
fake=$1
work=$(mktemp -d)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo secret-token >"$work/token"
# kubectl sends a bearer token only over HTTPS: a throwaway CA signs the server's certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=fake-ca -keyout "$work/ca.key" \
  -out "$work/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$work/tls.key" \
  -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/san.ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
  -days 1 -extfile "$work/san.ext" -out "$work/tls.crt" 2>/dev/null
/usr/bin/python3 "$fake" --port "$port" --token-file "$work/token" --bookmark-interval 0.5 \
  --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" 2>"$work/fake.log" &
fake_pid=$!
watch_pid=
cleanup() {
  [[ -n $watch_pid ]] && kill "$watch_pid" 2>/dev/null || true
  kill "$fake_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fake_url=https://127.0.0.1:$port
stats() { curl -s --cacert "$work/ca.crt" "$fake_url/fake/stats"; }
for _ in $(seq 50); do stats >/dev/null && break; sleep 0.1; done

cat >"$work/kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: fake
clusters: [{name: fake, cluster: {server: "$fake_url", certificate-authority: $work/ca.crt}}]
users: [{name: sluice, user: {tokenFile: $work/token}}]
contexts: [{name: fake, context: {cluster: fake, user: sluice, namespace: shop}}]
KC
export KUBECONFIG=$work/kubeconfig HOME=$work
# --validate=false: the fake serves no OpenAPI documents (kubectl's client-side validation).
k() { timeout 30 kubectl --request-timeout=10s "$@"; }
fail() { echo "FAIL: $*" >&2; cat "$work/fake.log" >&2; exit 1; }

for i in 1 2 3 4 5; do
  cat >"$work/svc$i.json" <<J
{"apiVersion":"v1","kind":"Service","metadata":{"name":"web$i","namespace":"shop"},
 "spec":{"type":"NodePort","ports":[{"name":"http","port":80,"protocol":"TCP","nodePort":3008$i}]}}
J
  k create --validate=false -f "$work/svc$i.json" >/dev/null || fail "kubectl create service web$i"
done
cat >"$work/slice.json" <<J
{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web1-a","namespace":"shop",
 "labels":{"kubernetes.io/service-name":"web1"}},"addressType":"IPv4",
 "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true}}],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
J
k create --validate=false -f "$work/slice.json" >/dev/null || fail "kubectl create endpointslice"

names=$(k get services --chunk-size=2 -o jsonpath='{range .items[*]}{.metadata.name} {end}')
[[ $names == "web1 web2 web3 web4 web5 " ]] || fail "paged list gave '$names'"
lists=$(stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["lists"])')
((lists >= 3)) || fail "--chunk-size=2 over 5 services should take 3 LIST pages, saw $lists"
[[ $(k get endpointslices -o jsonpath='{.items[0].endpoints[0].addresses[0]}') == 10.1.0.5 ]] ||
  fail "endpointslice not listed"
k api-resources 2>/dev/null | grep -q '^endpointslices' || fail "discovery lacks endpointslices"

k get services --watch -o name >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
for _ in $(seq 50); do grep -q web5 "$work/watch.out" 2>/dev/null && break; sleep 0.1; done
k delete service web2 >/dev/null || fail "kubectl delete"
sed 's/web1/web9/; s/30081/30089/' "$work/svc1.json" >"$work/svc9.json"
k create --validate=false -f "$work/svc9.json" >/dev/null
for _ in $(seq 50); do grep -q web9 "$work/watch.out" && break; sleep 0.1; done
grep -q 'service/web9' "$work/watch.out" || fail "watch did not show the new service: $(cat "$work/watch.out" "$work/watch.err")"
grep -q 'service/web2' "$work/watch.out" || fail "watch lost the deleted service"

refused=$(KUBECONFIG= timeout 30 kubectl --server "$fake_url" --certificate-authority "$work/ca.crt" \
  --token wrong get services 2>&1 || true)
grep -qi unauthorized <<<"$refused" || fail "a wrong token was not refused: $refused"
echo "kubectl lists, pages, watches, creates and deletes through the fake API server"
