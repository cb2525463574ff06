#!/usr/bin/python3
"""UDP echo for lab backends: answers each datagram with '<name>:<payload>'.

usage: udp_echo.py PORT NAME [BIND_ADDRESS]
"""
import socket
import sys

port, name = int(sys.argv[1]), sys.argv[2].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Bound to a VIP, replies leave from it (DR/TUN backends); a wildcard bind answers from the route's
# source address.
s.bind((sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0", port))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(name + b":" + data, peer)
