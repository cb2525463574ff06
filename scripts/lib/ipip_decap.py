#!/usr/bin/python3
"""IPIP decapsulation in user space for TUN-mode lab backends (the lab kernel has no ipip module).

usage: ipip_decap.py TUN_NAME

A raw IPPROTO_IPIP socket receives every IPv4-in-IPv4 packet addressed to this namespace (while
it is open the kernel sends no protocol-unreachable); the inner packet is written to a TUN device
(IFF_TUN | IFF_NO_PI, up, rp_filter off) so the kernel delivers it as if it had arrived on a link,
and answers it from the VIP straight to the client. Prints "ready" once the device is up.
"""
import fcntl
import os
import socket
import struct
import subprocess
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

name = sys.argv[1]
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
subprocess.run(["ip", "link", "set", name, "up"], check=True)
# The inner source (the client) is routed via eth0, not via this device: loose checks would drop it.
for conf in ("all", name):
    with open(f"/proc/sys/net/ipv4/conf/{conf}/rp_filter", "w") as f:
        f.write("0")
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
print("ready", flush=True)
count = 0
while True:
    outer = raw.recv(65535)  # Linux raw IPv4 sockets deliver the outer header too
    ihl = (outer[0] & 0x0F) * 4
    os.write(tun, outer[ihl:])
    count += 1
    if count & (count - 1) == 0:  # 1, 2, 4, 8...: proof of work without a line per packet
        print(f"decapsulated {count}", flush=True)
