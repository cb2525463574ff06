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
