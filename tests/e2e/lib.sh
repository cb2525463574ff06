# shellcheck shell=bash
# Sourced by every tests/e2e/*_test.sh: strict mode, fail(), and the lab + sluiced lifecycle.
# Each test sets SL_PREFIX before sourcing, so tests and a running demo never share a namespace.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$E2E_DIR/../../scripts/lib/lab.sh"

SLUICED=${SLUICED:-$LAB_ROOT/build/sluiced}
SLUICECTL=${SLUICECTL:-$LAB_ROOT/build/sluicectl}
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/$TEST_NAME.XXXXXX")
SOCK=$WORK/admin.sock

fail() { echo "FAIL $TEST_NAME: $*" >&2; exit 1; }
pass() { echo "PASS $TEST_NAME"; }
ctl() { "$SLUICECTL" --socket "$SOCK" "$@"; }

# Runs on every exit, failure or not: stop sluiced, remove the lab, delete scratch files.
e2e_cleanup() {
  local rc=$?
  if ((rc != 0)) && [[ -s $LAB_STATE/sluiced.log ]]; then
    echo "--- last lines of sluiced's log ($TEST_NAME) ---" >&2
    tail -n 40 "$LAB_STATE/sluiced.log" >&2
  fi
  sluiced_stop >/dev/null 2>&1 || true
  lab_down
  rm -rf "$WORK"
  exit $rc
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

e2e_need_binaries() {
  local b
  for b in "$SLUICED" "$SLUICECTL"; do
    [[ -x $b ]] || fail "$b is not built (meson setup build && ninja -C build)"
  done
}

# The lab up (root, binaries and packages checked first); sluiced not started yet.
e2e_lab_up() {
  ((EUID == 0)) || { echo "SKIP $TEST_NAME: needs root (network namespaces, DPDK)"; exit 77; }
  e2e_need_binaries
  "$LAB_ROOT/scripts/setup"
  lab_up
}

# The lab, sluiced on config/demo.yaml (with this test's socket), ready to forward.
e2e_start() {
  e2e_lab_up
  lab_config "$WORK/sluice.yaml" "$SOCK"
  sluiced_start "$SLUICED" "$WORK/sluice.yaml"
  sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"
}

# The contract: SIGTERM stops sluiced with exit status 0.
e2e_stop() {
  local rc=0
  sluiced_stop || rc=$?
  ((rc == 0)) || fail "sluiced exited with status $rc on SIGTERM (want 0)"
}

# expect_round_robin URL TOTAL: TOTAL sequential curls from the client to URL all succeed and
# each of be1..be3 serves exactly TOTAL/3 of them.
expect_round_robin() {
  local url=$1 total=$2 served counts be n
  # shellcheck disable=SC2016 # expanded by the inner shell
  served=$(lab_exec client bash -c '
    for i in $(seq "$2"); do curl -s --max-time 2 "$1" || echo "curl-error-$?"; done' _ "$url" "$total")
  counts=$(sort <<<"$served" | uniq -c)
  grep -q curl-error <<<"$served" && fail "some requests failed (curl exit codes):"$'\n'"$counts"
  for be in be1 be2 be3; do
    n=$(grep -cx "$be" <<<"$served" || true)
    ((n == total / 3)) || fail "$be served $n of $total requests, want $((total / 3)):"$'\n'"$counts"
  done
}

# scrape_metrics: GET /metrics at config/demo.yaml's admin.metrics, from the gateway namespace.
E2E_METRICS=127.0.0.1:9469
scrape_metrics() { lab_exec gw curl -sf --max-time 2 "http://$E2E_METRICS/metrics"; }

# fake_apiserver_start PORT [ARGS...]: tests/support/fake_apiserver.py in the gateway namespace,
# on its loopback, its objects kept in $WORK/etcd.json; FAKE_PID is the server itself.
fake_apiserver_start() {
  local port=$1; shift
  # Not lab_spawn: $! must be the server itself (ip netns exec execs it) to kill it by its id.
  ip netns exec "$(lab_ns gw)" "$LAB_PY" "$E2E_DIR/../support/fake_apiserver.py" --port "$port" \
    --state "$WORK/etcd.json" --bookmark-interval 1 "$@" >>"$WORK/fake-apiserver.log" 2>&1 </dev/null &
  FAKE_PID=$!
  for _ in $(seq 50); do
    lab_exec gw curl -sf "http://127.0.0.1:$port/version" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "fake API server did not start"
}

# kubernetes_config CONFIG PORT: CONFIG (a lab_config output) syncs with the fake API server on
# PORT, giving LoadBalancer Services 10.0.0.200-10.0.0.201.
kubernetes_config() {
  cat >"$WORK/kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: lab
clusters: [{name: lab, cluster: {server: "http://127.0.0.1:$2"}}]
contexts: [{name: lab, context: {cluster: lab, user: sluice}}]
users: [{name: sluice, user: {token: lab-token}}]
KC
  cat >>"$1" <<Y
kubernetes:
  kubeconfig: $WORK/kubeconfig
  watch_timeout_seconds: 30
address_pools:
  - name: lab
    addresses: [10.0.0.200-10.0.0.201]
Y
}
