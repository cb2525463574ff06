#!/usr/bin/python3
"""TCP line echo for lab backends: answers each line with '<name>:<line>' on the same connection,
so a client can tell which backend holds its connection for as long as it lives.

usage: tcp_echo.py PORT NAME
"""
import socketserver
import sys

port, name = int(sys.argv[1]), sys.argv[2].encode()


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(name + b":" + line)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("0.0.0.0", port), Echo).serve_forever()
