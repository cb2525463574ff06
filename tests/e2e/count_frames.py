#!/usr/bin/python3
"""Counts the frames an interface receives, by EtherType, until SIGTERM; then prints
"ipv4=N arp=M other=K" and exits. Frames the namespace itself sends are not counted.

usage: count_frames.py IFACE
"""
import signal
import socket
import sys

PACKET_OUTGOING = 4
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((sys.argv[1], 0))
counts = {"ipv4": 0, "arp": 0, "other": 0}


def report(*_):
    print(" ".join(f"{k}={v}" for k, v in counts.items()), flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
print("ready", flush=True)
while True:
    frame, addr = s.recvfrom(65535)
    if addr[2] == PACKET_OUTGOING or len(frame) < 14:
        continue
    kind = {b"\x08\x00": "ipv4", b"\x08\x06": "arp"}.get(frame[12:14], "other")
    counts[kind] += 1
