#!/usr/bin/python3
"""Prints when the first IPv4 TCP segment to DPORT from one of SPORTS arrives on IFACE: the
wall-clock time (seconds since the epoch) as {"first": T} on one line. Prints "ready" once
listening. Used to time when an appliance starts receiving another appliance's connections.

usage: first_packet.py IFACE DPORT SPORT...
"""
import json
import socket
import struct
import sys
import time

iface, dport, sports = sys.argv[1], int(sys.argv[2]), {int(p) for p in sys.argv[3:]}
ETH_P_IP = 0x0800
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
s.bind((iface, ETH_P_IP))
print("ready", flush=True)
while True:
    frame, addr = s.recvfrom(65535)
    if addr[2] == socket.PACKET_OUTGOING or len(frame) < 14 + 20 + 4:
        continue
    ip = frame[14:]
    if ip[9] != socket.IPPROTO_TCP:
        continue
    l4 = ip[(ip[0] & 0x0F) * 4:]
    sport, dp = struct.unpack("!HH", l4[:4])
    if dp == dport and sport in sports:
        print(json.dumps({"first": time.time()}), flush=True)
        break
