#!/usr/bin/python3
"""Client side of the ECMP scale-out test, run in the client namespace against tcp_echo.py
backends behind the VIP.

spread VIP PORT N
    N short connections, one line each; prints one JSON line {"owners": {backend: count},
    "failed": count}.
hold VIP PORT N STOP_FILE
    Opens N long-lived connections, prints {"ports": [local port], "owners": [backend]} once they
    are open, then sends a line on every connection round after round (one round every 20 ms)
    until STOP_FILE exists. Every answer must come back on its connection from the backend that
    answered first. Prints one JSON summary: rounds, resets, timeouts, moved, and the longest
    time between the ends of two rounds (max_gap_ms; median_gap_ms for the load's baseline) — what
    a client sees of a failover.
"""
import json
import os
import socket
import sys
import time

from echo_round import echo_round


def owner(line):
    return line.split(b":")[0].decode() if line else None


def spread(vip, port, n):
    owners, failed = {}, 0
    for _ in range(n):
        try:
            with socket.create_connection((vip, port), timeout=3) as s:
                s.sendall(b"spread\n")
                who = owner(s.makefile("rb").readline())
        except OSError:
            who = None
        if who is None:
            failed += 1
        else:
            owners[who] = owners.get(who, 0) + 1
    print(json.dumps({"owners": owners, "failed": failed}), flush=True)


def hold(vip, port, n, stop_file):
    socks = [socket.create_connection((vip, port), timeout=3) for _ in range(n)]
    readers = [s.makefile("rb") for s in socks]
    owners = []  # backend names as the answers carry them (bytes)
    for s, r in zip(socks, readers):
        s.sendall(b"hello\n")
        owners.append(r.readline().split(b":")[0])
    print(json.dumps({"ports": [s.getsockname()[1] for s in socks],
                      "owners": [o.decode() for o in owners]}), flush=True)
    summary = {"connections": n, "rounds": 0, "exchanges": 0, "resets": 0, "timeouts": 0,
               "moved": 0}
    alive = list(range(n))
    last = time.monotonic()
    gaps = []  # ms between the ends of consecutive rounds (a round sleeps 20 ms first)
    while not os.path.exists(stop_file) and alive:
        summary["rounds"] += 1
        echo_round(socks, readers, owners, alive, summary, b"r%d\n" % summary["rounds"])
        now = time.monotonic()
        gaps.append((now - last) * 1000)
        last = now
        time.sleep(0.02)
    gaps.sort()
    summary["max_gap_ms"] = round(gaps[-1], 1) if gaps else 0.0
    summary["median_gap_ms"] = round(gaps[len(gaps) // 2], 1) if gaps else 0.0
    print(json.dumps(summary), flush=True)


if sys.argv[1] == "spread":
    spread(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif sys.argv[1] == "hold":
    hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
else:
    sys.exit(__doc__)
