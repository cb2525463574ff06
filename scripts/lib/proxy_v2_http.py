#!/usr/bin/python3
"""HTTP/1.0 server for lab backends behind a PROXY protocol v2 sender (haproxy's
proxy-protocol.txt, section 2.2). Every connection must start with a v2 header; the server logs
the client address it names, then answers one request with
'<name> client=<addr>:<port> peer=<tcp peer> bytes=<request body length> sha256=<body digest>'.
A connection without a valid header is logged as 'reject ...' and closed.

usage: proxy_v2_http.py PORT NAME
"""
import hashlib
import socket
import socketserver
import struct
import sys

SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
port, name = int(sys.argv[1]), sys.argv[2]


def log(line):
    print(line, flush=True)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        head = self.rfile.read(16)
        peer = self.client_address[0]
        if len(head) < 16 or head[:12] != SIGNATURE or head[12] != 0x21:
            log(f"reject peer={peer} first bytes={head!r}")
            return
        family, length = head[13], struct.unpack("!H", head[14:16])[0]
        block = self.rfile.read(length)
        if family != 0x11 or len(block) < 12:
            log(f"reject peer={peer} family={family:#x} length={length}")
            return
        src, dst, sport, dport = struct.unpack("!4s4sHH", block[:12])
        client = f"{socket.inet_ntoa(src)}:{sport}"
        log(f"proxy client={client} dst={socket.inet_ntoa(dst)}:{dport} peer={peer}")
        self.rfile.readline()  # request line
        body_len = 0
        while (line := self.rfile.readline().strip()):
            key, _, value = line.decode().partition(":")
            if key.lower() == "content-length":
                body_len = int(value)
        body = self.rfile.read(body_len)
        text = (f"{name} client={client} peer={peer} bytes={len(body)} "
                f"sha256={hashlib.sha256(body).hexdigest()}\n").encode()
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(text) + text)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("0.0.0.0", port), Handler).serve_forever()
