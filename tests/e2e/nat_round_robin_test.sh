#!/usr/bin/env bash
# Property: in NAT mode with rr over three equal backends, 300 sequential new TCP connections to
# the VIP all succeed and each backend serves exactly 100; UDP to the VIP is answered by a
# backend; `sluicectl list` shows both services and their Masq backends the way ipvsadm -Ln does.
SL_PREFIX=sle2e-rr
source "$(dirname "$0")/lib.sh"
e2e_start

# shellcheck disable=SC2016 # expanded by the inner shell
served=$(lab_exec client bash -c '
  for i in $(seq 300); do curl -s --max-time 2 http://10.0.0.100/ || echo "curl-error-$?"; done')
counts=$(sort <<<"$served" | uniq -c)
grep -q curl-error <<<"$served" && fail "some requests failed (curl exit codes):"$'\n'"$counts"
for be in be1 be2 be3; do
  n=$(grep -cx "$be" <<<"$served" || true)
  ((n == 100)) || fail "$be served $n of 300 requests, want 100; distribution:"$'\n'"$counts"
done

answer=$(lab_udp_ask client 10.0.0.100 53 hello)
[[ $answer =~ ^be[123]:hello$ ]] || fail "UDP echo through 10.0.0.100:53 answered '$answer', want 'beN:hello'"

table=$(ctl list) || fail "sluicectl list failed"
for want in '^TCP  10\.0\.0\.100:80 rr' '^UDP  10\.0\.0\.100:53 rr' \
  '^  -> 10\.0\.1\.11:8080 +Masq ' '^  -> 10\.0\.1\.12:8080 +Masq ' '^  -> 10\.0\.1\.13:8080 +Masq '; do
  grep -Eq "$want" <<<"$table" || fail "sluicectl list has no line matching /$want/:"$'\n'"$table"
done

e2e_stop
pass
