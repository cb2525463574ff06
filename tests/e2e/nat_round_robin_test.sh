#!/usr/bin/env bash
# Property: in NAT mode with rr over three equal backends, 300 sequential new TCP connections to
# the VIP all succeed and each backend serves exactly 100; UDP to the VIP is answered by a
# backend; `sluicectl list` shows both services and their Masq backends the way ipvsadm -Ln does.
SL_PREFIX=sle2e-rr
source "$(dirname "$0")/lib.sh"
e2e_start

expect_round_robin http://10.0.0.100/ 300

answer=$(lab_udp_ask client 10.0.0.100 53 hello)
[[ $answer =~ ^be[123]:hello$ ]] || fail "UDP echo through 10.0.0.100:53 answered '$answer', want 'beN:hello'"

table=$(ctl list) || fail "sluicectl list failed"
for want in '^TCP  10\.0\.0\.100:80 rr' '^UDP  10\.0\.0\.100:53 rr' \
  '^  -> 10\.0\.1\.11:8080 +Masq ' '^  -> 10\.0\.1\.12:8080 +Masq ' '^  -> 10\.0\.1\.13:8080 +Masq '; do
  grep -Eq "$want" <<<"$table" || fail "sluicectl list has no line matching /$want/:"$'\n'"$table"
done

e2e_stop
pass
