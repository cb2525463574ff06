#!/usr/bin/python3
"""Steady traffic through the VIP for the zero-loss test, run in the client namespace.

Opens CONNS long-lived TCP connections to VIP:7000 (tcp_echo.py backends) and keeps sending a
line on each, round after round, checking every answer: it must come back, on the same
connection, from the backend that answered the first line. Alongside, a UDP stream to VIP:53
counts answers. Stops when the file STOP exists, then prints one JSON summary.

usage: steady_traffic.py VIP CONNS STOP_FILE
"""
import json
import os
import socket
import sys
import time

from echo_round import echo_round, udp_round

vip, conns, stop_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
summary = {"connections": conns, "rounds": 0, "exchanges": 0, "resets": 0, "moved": 0,
           "timeouts": 0, "udp_sent": 0, "udp_answered": 0}

socks, owners = [], []
for i in range(conns):
    s = socket.create_connection((vip, 7000), timeout=3)
    s.sendall(b"hello\n")
    owners.append(s.makefile("rb").readline().split(b":")[0])
    socks.append(s)
readers = [s.makefile("rb") for s in socks]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(1)

alive = list(range(conns))
while not os.path.exists(stop_file):
    summary["rounds"] += 1
    echo_round(socks, readers, owners, alive, summary, b"r%d\n" % summary["rounds"])
    udp_round(udp, (vip, 53), b"u%d" % summary["rounds"], summary)
    time.sleep(0.02)
print(json.dumps(summary))
