#!/usr/bin/python3
"""Sends UDP datagrams bigger than the MTU and checks each echo byte for byte.

usage: big_datagram.py HOST PORT SIZE COUNT

Each datagram is SIZE random bytes from a fresh socket (a new flow each time); the backend's echo
(udp_echo.py: "<name>:<payload>") must come back within 3 s with the payload intact. Prints the
backend names that answered, one per line; exits 1 at the first missing or damaged echo.
"""
import os
import socket
import sys

host, port, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for i in range(count):
    data = os.urandom(size)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))  # only an answer from HOST:PORT counts (not one straight from a backend)
    s.send(data)
    try:
        reply = s.recv(65535)
    except socket.timeout:
        sys.exit(f"datagram {i} ({size} bytes) to {host}:{port}: no echo")
    name, _, echoed = reply.partition(b":")
    if echoed != data:
        sys.exit(f"datagram {i} to {host}:{port}: echo of {len(echoed)} bytes from {name!r} differs")
    print(name.decode(), flush=True)
