"""Stands in for systemd's end of the sd_notify protocol: binds a Unix datagram socket at the
path given and prints each message it receives on one line, its fields joined by '|'
("READY=1|STATUS=..."), after a first line "listening" once the socket is bound.
Runs until killed."""
import os
import socket
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
while True:
    message = s.recv(4096).decode(errors="replace")
    print("|".join(line for line in message.split("\n") if line), flush=True)
