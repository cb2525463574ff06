#!/usr/bin/env bash
# Property: through a full-NAT service with `proxy_protocol: v2`, backends that see only the
# gateway's local address 10.0.1.5 learn each client's real address and port from the PROXY v2
# header (a Python server that refuses connections without one logs it), and a 3 MB upload
# (thousands of segments after the 28-byte header, every sequence and ack number shifted) arrives
# byte for byte: the backend's SHA-256 of the body equals the client's.
SL_PREFIX=sle2e-ppv2
source "$(dirname "$0")/lib.sh"
e2e_lab_up
lab_config "$WORK/sluice.yaml" "$SOCK"
lab_set_services "$WORK/sluice.yaml" '  - { name: web, address: 10.0.0.100, port: 80, protocol: tcp, forwarding: fnat,
      local_addresses: [10.0.1.5], proxy_protocol: v2,
      backends: [{ address: 10.0.1.11, port: 8081 }, { address: 10.0.1.12, port: 8081 }, { address: 10.0.1.13, port: 8081 }] }'
for be in "${LAB_BACKENDS[@]}"; do
  lab_spawn "$be" "$be-proxy" "$LAB_PY" "$LAB_ROOT/scripts/lib/proxy_v2_http.py" 8081 "$be"
done
sluiced_start "$SLUICED" "$WORK/sluice.yaml"
sluiced_wait "$SLUICECTL" "$SOCK" 20 || fail "sluiced did not answer on $SOCK"

# Fixed client ports make each expected client address exact.
for i in 1 2 3 4 5 6; do
  got=$(lab_exec client curl -s --max-time 3 --local-port "4100$i" http://10.0.0.100/) ||
    fail "request $i through the proxied service failed: '$got'"
  [[ $got =~ ^be[123]\ client=10\.0\.0\.1:4100$i\ peer=10\.0\.1\.5\  ]] ||
    fail "request $i: backend answered '$got', want client=10.0.0.1:4100$i from peer 10.0.1.5"
done
logged=$(cat "$LAB_STATE"/be?-proxy.log)
grep -q '^reject' <<<"$logged" && fail "a backend received a connection without a PROXY header:"$'\n'"$logged"
n=$(grep -c '^proxy client=10\.0\.0\.1:4100[1-6] dst=10\.0\.0\.100:80 peer=10\.0\.1\.5$' <<<"$logged" || true)
((n == 6)) || fail "backends logged $n of 6 client addresses:"$'\n'"$logged"

head -c 3000000 /dev/urandom >"$WORK/upload"
want=$(sha256sum "$WORK/upload" | cut -d' ' -f1)
got=$(lab_exec client curl -s --max-time 20 --data-binary @"$WORK/upload" http://10.0.0.100/) ||
  fail "the upload failed: '$got'"
[[ $got == *"bytes=3000000 sha256=$want"* ]] || fail "the upload arrived altered: '$got' (want sha256=$want)"
echo "upload: $got"

e2e_stop
pass
