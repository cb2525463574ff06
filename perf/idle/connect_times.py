#!/usr/bin/python3
"""Prints the time of COUNT TCP connects to HOST:PORT, in microseconds, one per line, with GAP
seconds of silence before each. The connection is then reset (SO_LINGER 0), so that nothing of
it lingers on the wire between samples."""
import socket
import struct
import sys
import time

host, port, count, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for _ in range(count):
    time.sleep(gap)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(2)
    t0 = time.perf_counter_ns()
    try:
        s.connect((host, port))
        print((time.perf_counter_ns() - t0) / 1000.0, flush=True)
    except OSError:
        print("timeout", flush=True)
    s.close()
