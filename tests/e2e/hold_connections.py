#!/usr/bin/python3
"""Holds N long-lived TCP connections to VIP:PORT (tcp_echo.py backends) for a test to probe.

Prints one JSON line {"owners": [backend name per connection]} once they are open; then, for
every line read on stdin, sends a line on every connection still alive and prints one JSON line
{"answered": [backend name, or null when no answer came within 1 s]}. A connection that missed
an answer is not probed again.

usage: hold_connections.py VIP PORT N
"""
import json
import socket
import sys

vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = [socket.create_connection((vip, port), timeout=3) for _ in range(n)]
readers = [s.makefile("rb") for s in socks]


def exchange(i, text):
    try:
        socks[i].settimeout(1)
        socks[i].sendall(text + b"\n")
        line = readers[i].readline()
        return line.split(b":")[0].decode() if line else None
    except OSError:
        return None


alive = [True] * n
print(json.dumps({"owners": [exchange(i, b"hello") for i in range(n)]}), flush=True)
for probe, _ in enumerate(sys.stdin):
    answered = []
    for i in range(n):
        answered.append(exchange(i, b"probe%d" % probe) if alive[i] else None)
        alive[i] = answered[-1] is not None
    print(json.dumps({"answered": answered}), flush=True)
