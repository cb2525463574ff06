#!/usr/bin/env bash
# Property: sluicectl's ipvsadm-style changes reach forwarding at once — a deleted backend gets
# no more connections and leaves `list`, an added one gets traffic, weight 0 gets no new
# connections, an added service answers and a deleted one stops — while a refused change (bad
# address, unknown scheduler) exits non-zero naming the field and changes nothing. Each change is
# one log line; `sluicectl reload` puts the file's services back.
SL_PREFIX=sle2e-chg
source "$(dirname "$0")/lib.sh"
e2e_start

# served N [PORT]: the backend names that answered N sequential requests through the VIP.
served() {
  # shellcheck disable=SC2016 # expanded by the inner shell
  lab_exec client bash -c 'for i in $(seq '"$1"'); do curl -s --max-time 1 http://10.0.0.100:'"${2:-80}"'/ || echo curl-error; done'
}
count() { grep -cx "$1" <<<"$2" || true; }
# The services and backends without their counters, to compare before and after a refusal.
shape() { ctl list --json | "$LAB_PY" -c '
import json, sys
d = json.load(sys.stdin)
for s in d["services"]:
    s.pop("stats")
    for b in s["backends"]:
        for k in ("stats", "active_conns", "inactive_conns"): b.pop(k)
print(json.dumps(d, sort_keys=True))'; }

ctl -d -t 10.0.0.100:80 -r 10.0.1.13:8080 || fail "-d (delete backend) failed"
ctl -Ln | grep -q '10\.0\.1\.13:8080' && fail "deleted backend 10.0.1.13:8080 still in list:"$'\n'"$(ctl -Ln)"
out=$(served 30)
(($(count be3 "$out") == 0 && $(count curl-error "$out") == 0)) ||
  fail "after -d be3: $(sort <<<"$out" | uniq -c | tr '\n' ' ') (want no be3, no errors)"

ctl -a -t 10.0.0.100:80 -r 10.0.1.13:8080 -w 2 -m || fail "-a (add backend) failed"
ctl -Ln | grep -Eq '^  -> 10\.0\.1\.13:8080 +Masq +2 ' || fail "added backend not listed with weight 2:"$'\n'"$(ctl -Ln)"
out=$(served 30)
(($(count be3 "$out") > 0)) || fail "added backend be3 got no connections: $(sort <<<"$out" | uniq -c | tr '\n' ' ')"

ctl -e -t 10.0.0.100:80 -r 10.0.1.11:8080 -w 0 || fail "-e (edit weight) failed"
out=$(served 30)
(($(count be1 "$out") == 0 && $(count curl-error "$out") == 0)) ||
  fail "after weight 0 on be1: $(sort <<<"$out" | uniq -c | tr '\n' ' ') (want no be1, no errors)"

ctl -A -t 10.0.0.100:8080 -s rr --name alt || fail "-A (add service) failed"
ctl -a -t 10.0.0.100:8080 -r 10.0.1.12:8080 || fail "-a on the new service failed"
[[ $(served 1 8080) == be2 ]] || fail "new service 10.0.0.100:8080 did not answer from be2"
ctl -E -t 10.0.0.100:8080 -s wrr || fail "-E (edit scheduler) failed"
ctl -Ln | grep -q '^TCP  10\.0\.0\.100:8080 wrr' || fail "-E did not change the scheduler:"$'\n'"$(ctl -Ln)"
ctl -D -t 10.0.0.100:8080 || fail "-D (delete service) failed"
ctl -Ln | grep -q '10\.0\.0\.100:8080' && fail "deleted service still listed"
[[ $(served 1 8080) == curl-error ]] || fail "deleted service 10.0.0.100:8080 still answers"

before=$(shape)
err=$(ctl -a -t 10.0.0.100:80 -r 10.0.1.300:8080 2>&1) && fail "-a with address 10.0.1.300 was accepted"
grep -Eq 'services\[web\]\.backends\[[0-9]+\]\.address: not an IPv4 address' <<<"$err" ||
  fail "refusal does not name the field: $err"
err=$(ctl -E -t 10.0.0.100:80 -s bogus 2>&1) && fail "-E with scheduler bogus was accepted"
grep -q 'services\[web\]\.scheduler: must be one of' <<<"$err" || fail "refusal does not name the field: $err"
[[ $(shape) == "$before" ]] || fail "a refused change changed the services"
out=$(served 6)
(($(count curl-error "$out") == 0)) || fail "forwarding broke after refused changes"

ctl list --rate --interval 0.3 | grep -q '^Prot LocalAddress:Port  *CPS  *InPPS' || fail "list --rate has no ipvsadm rate header"

log=$LAB_STATE/sluiced.log
(($(grep -c 'msg="change applied"' "$log") == 7)) || fail "want 7 'change applied' log lines:"$'\n'"$(grep change "$log")"
(($(grep -c 'msg="change refused"' "$log") == 2)) || fail "want 2 'change refused' log lines"

ctl reload >/dev/null || fail "reload failed"
ctl -Ln | grep -Eq '^  -> 10\.0\.1\.11:8080 +Masq +1 ' || fail "reload did not restore the file's weight"
grep -q 'runtime_changes_replaced=7' "$log" || fail "reload did not log the runtime changes it replaced"

e2e_stop
pass
