#!/usr/bin/env bash
# Property: `sluiced --config FILE --check` rejects each invalid config with a non-zero exit and a
# `FILE:LINE: field.path: ...` line naming the bad field (every problem, not just the first), and
# accepts config/demo.yaml and config/health_checks.yaml — as an unprivileged user, without EAL or devices.
SL_PREFIX=sle2e-check
source "$(dirname "$0")/lib.sh"
e2e_need_binaries
demo=$LAB_ROOT/config/demo.yaml
chmod 755 "$WORK"

as_user=()
((EUID == 0)) && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
run_check() { timeout 10 "${as_user[@]}" "$SLUICED" --config "$1" --check 2>&1; }

# bad NAME SED_SCRIPT: prints the path of a copy of demo.yaml edited by SED_SCRIPT.
bad() { sed "$2" "$demo" >"$WORK/$1.yaml"; chmod 644 "$WORK/$1.yaml"; echo "$WORK/$1.yaml"; }

# expect_error FILE FIELD [PATTERN]: non-zero exit and a `FILE:LINE: ` line naming FIELD; with
# PATTERN, LINE must be the number of the first line of FILE matching it (the bad value's line).
expect_error() {
  local file=$1 field=$2 name out rc=0 line='[0-9]+'
  name=$(basename "$file")
  out=$(run_check "$file") || rc=$?
  ((rc != 0 && rc != 124)) || fail "--check on $name exited $rc (want non-zero within 10 s); output:"$'\n'"$out"
  [[ -n ${3:-} ]] && line=$(grep -n -m1 -e "$3" "$file" | cut -d: -f1)
  grep -Eq "${name//./\\.}:$line: .*${field//[/\\[}" <<<"$out" ||
    fail "--check on $name did not report '$name:$line: $field'; output:"$'\n'"$out"
}

expect_error "$(bad vip_address '0,/address: 10.0.0.100/s//address: 10.0.0.300/')" 'services[0].address' '10.0.0.300'
expect_error "$(bad port_range '0,/port: 80$/s//port: 70000/')" 'services[0].port' 'port: 70000'
expect_error "$(bad forwarding_mode '0,/forwarding: nat/s//forwarding: teleport/')" 'services[0].forwarding' 'teleport'
expect_error "$(bad backend_address 's/10.0.1.13, port: 8080/10.0.1.256, port: 8080/')" \
  'services[0].backends[2].address' '10.0.1.256'
expect_error "$(bad interface_prefix 's|10.0.1.2/24|10.0.1.2/33|')" 'interfaces[1].address' '10.0.1.2/33'

# services[1] (echo) without its VIP: drop the second "address: 10.0.0.100" line.
awk '/^    address: 10.0.0.100/ && ++n == 2 {next} 1' "$demo" >"$WORK/missing_address.yaml"
chmod 644 "$WORK/missing_address.yaml"
expect_error "$WORK/missing_address.yaml" 'services[1].address'

two=$(bad two_problems '0,/port: 80$/s//port: 70000/; 0,/forwarding: nat/s//forwarding: teleport/')
expect_error "$two" 'services[0].port' 'port: 70000'
expect_error "$two" 'services[0].forwarding' 'teleport'

# A copy: the unprivileged user may not be able to reach the checkout (CI clones into a 0700 dir).
cp "$demo" "$WORK/demo.yaml" && chmod 644 "$WORK/demo.yaml"
out=$(run_check "$WORK/demo.yaml") || fail "--check rejects config/demo.yaml (exit $?):"$'\n'"$out"
cp "$LAB_ROOT/config/health_checks.yaml" "$WORK/health_checks.yaml" && chmod 644 "$WORK/health_checks.yaml"
out=$(run_check "$WORK/health_checks.yaml") ||
  fail "--check rejects config/health_checks.yaml (exit $?):"$'\n'"$out"
expect_error "$(sed 's/timeout_ms: 1000$/timeout_ms: 5000/' "$WORK/health_checks.yaml" >"$WORK/slow_check.yaml" &&
  chmod 644 "$WORK/slow_check.yaml" && echo "$WORK/slow_check.yaml")" 'services[0].health_check.timeout_ms' 'timeout_ms: 5000'
rc=0; run_check "$WORK/does-not-exist.yaml" >/dev/null || rc=$?
((rc != 0 && rc != 124)) || fail "--check on a missing file exited $rc (want non-zero)"

pass
