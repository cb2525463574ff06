"""Stands in for systemd's end of the sd_notify protocol: binds a Unix datagram socket at the
path given and prints each message it receives on one line, its fields joined by '|'
("READY=1|STATUS=..."), after a first line "listening" once the socket is bound.

With --freeze-at-ready, the sender of the first READY=1 (its pid comes with the datagram, as
systemd reads it: SO_PASSCRED) is stopped with SIGSTOP as soon as the message arrives, before it
is printed, so that the test sees the daemon's state as it was when it declared itself ready.
Runs until killed."""
import os
import signal
import socket
import struct
import sys

path = sys.argv[1]
freeze = "--freeze-at-ready" in sys.argv[2:]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
print("listening", flush=True)
ucred = struct.calcsize("iII")
while True:
    data, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(ucred))
    fields = [line for line in data.decode(errors="replace").split("\n") if line]
    if freeze and "READY=1" in fields:
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                os.kill(struct.unpack("iII", value[:ucred])[0], signal.SIGSTOP)
        freeze = False
    print("|".join(fields), flush=True)
