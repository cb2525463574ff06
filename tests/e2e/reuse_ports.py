#!/usr/bin/python3
"""Opens, for each client address, COUNT HTTP connections to VIP:FIRST_PORT and then COUNT more
to VIP:SECOND_PORT, each from the same source port its first-port twin used (the reuse a client
kernel makes when it picks a source port per destination): every connection must be answered.
Prints one JSON line: {"answered": N, "failed": N, "first_failures": [...]}. Stops after 5
failures so that a broken gateway fails fast.

usage: reuse_ports.py VIP FIRST_PORT SECOND_PORT COUNT BASE_SPORT ADDR...
"""
import json
import socket
import sys

vip, first, second, count, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
addrs = sys.argv[6:]


def fetch(addr, sport, dport):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(2)
    try:
        s.bind((addr, sport))
        s.connect((vip, dport))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        return data.startswith(b"HTTP/1.0 200")
    except OSError:
        return False
    finally:
        s.close()


def run():
    answered, failures = 0, []
    for dport in (first, second):
        for addr in addrs:
            for i in range(count):
                if fetch(addr, base + i, dport):
                    answered += 1
                    continue
                failures.append(f"{addr}:{base + i}->{dport}")
                if len(failures) == 5:
                    return answered, failures
    return answered, failures


answered, failures = run()
print(json.dumps({"answered": answered, "failed": len(failures), "first_failures": failures}))
