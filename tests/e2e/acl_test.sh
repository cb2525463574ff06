#!/usr/bin/env bash
# Property: with an allow-list on the web service and a payload deny in the global set, a client
# in the allowed range reaches the backends, a second client address outside it gets no
# connection, an HTTP request whose path matches the deny pattern gets no response while the
# requests before and after it succeed, and `sluicectl acl list` counts each verdict on its rule.
SL_PREFIX=sle2e-acl
source "$(dirname "$0")/lib.sh"
e2e_lab_up
# A second client address on the same link, outside the allow-list.
ip -n "$(lab_ns client)" addr add 10.0.0.50/24 dev c0

cfg=$WORK/sluice.yaml
lab_config "$cfg" "$SOCK"
# The web service (the first "scheduler: rr") takes the office allow-list.
sed -i '0,/^    scheduler: rr$/s//    scheduler: rr\n    acls: [office]/' "$cfg"
cat >>"$cfg" <<'YAML'
acls:
  - name: edge
    default: allow
    rules:
      - name: no-admin
        action: deny
        protocol: tcp
        ports: 80
        payload: [{ pattern: "^GET /admin", flags: [caseless] }]
  - name: office
    default: deny
    rules:
      - { name: office, action: allow, src: 10.0.0.1/32 }
global_acls: [edge]
YAML
sluiced_start "$SLUICED" "$cfg"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

curl_from() { lab_exec client curl -s --max-time 2 --interface "$1" "$2"; }

body=$(curl_from 10.0.0.1 http://10.0.0.100/) || fail "the allowed client got no answer (curl $?)"
[[ $body =~ ^be[123]$ ]] || fail "the allowed client got '$body', want a backend's name"

rc=0; curl_from 10.0.0.50 http://10.0.0.100/ >/dev/null || rc=$?
((rc == 28)) || fail "the client outside the allow-list got curl exit $rc, want 28 (no connection, timeout)"

rc=0; out=$(curl_from 10.0.0.1 http://10.0.0.100/admin/users -o /dev/null -w '%{http_code}') || rc=$?
((rc == 28)) || fail "GET /admin got curl exit $rc and status '$out', want no response (exit 28)"

for i in 1 2 3; do
  body=$(curl_from 10.0.0.1 http://10.0.0.100/) || fail "request $i after the denied one failed"
  [[ $body =~ ^be[123]$ ]] || fail "request $i after the denied one got '$body'"
done

rc=0; table=$(ctl acl list 2>&1) || rc=$?
((rc == 0)) || fail "sluicectl acl list exited $rc: $table"
for want in '^Set edge \(default allow\) applies to: every VIP \(global\)' \
  '^  no-admin +deny +none +yes +1$' '^Set office \(default deny\) applies to: web' \
  '^  office +allow +none +no +4$' '^  \(default\) +deny +- +- +[1-9]'; do
  grep -Eq "$want" <<<"$table" || fail "sluicectl acl list has no line matching /$want/:"$'\n'"$table"
done
drops=$(ctl stats --json | /usr/bin/python3 -c 'import json,sys; print(sum(w["drops"]["acl_denied"] for w in json.load(sys.stdin)["workers"]))')
((drops >= 2)) || fail "acl_denied drops: $drops, want at least 2 (refused SYN, /admin segment)"

e2e_stop
pass
