#!/usr/bin/python3
"""Long-lived connections whose every fate is recorded, for the soak run (perf/soak); run in the
client namespace.

Holds CONNS TCP connections to each SERVICE (tcp_echo.py backends) and sends a line on each, round
after round, through echo_round.py: every answer must come back on the same connection from the
backend that answered the first line. A connection that resets, times out or is answered by
another backend is closed, its fate noted with the time, and a new one opened in its place (the
gateway keeps scheduling new connections while old ones break). Alongside, a UDP stream to UDP
counts answers. A service given a LIFETIME has each connection closed by the client once it is
that many seconds old (fate "closed", not broken) and replaced, so new connections keep reaching
every backend, a restored one included. Stops when the file STOP exists and writes OUT (JSON):
per connection its service, backend, open and end times (Unix seconds), exchanges and how it
ended (null: still alive at the end); OUT is also rewritten every 30 s so a run cut short keeps
its record.

usage: connection_fates.py STOP OUT UDP_VIP:PORT NAME=VIP:PORT:CONNS[:LIFETIME] [...]
"""
import json
import os
import socket
import sys
import time

from echo_round import echo_round, udp_round

stop_file, out_file, udp_target = sys.argv[1], sys.argv[2], sys.argv[3]
services = []
for arg in sys.argv[4:]:
    name, rest = arg.split("=", 1)
    vip, port, conns, *lifetime = rest.split(":")
    services.append((name, vip, int(port), int(conns), float(lifetime[0]) if lifetime else None))

records = []      # every connection ever opened, in order
live = []         # (record, socket, reader)
open_failures = {name: 0 for name, *_ in services}
lifetimes = {name: lifetime for name, _, _, _, lifetime in services}


def open_connection(name, vip, port):
    try:
        s = socket.create_connection((vip, port), timeout=3)
        s.sendall(b"hello\n")
        reader = s.makefile("rb")
        owner = reader.readline().split(b":")[0]
    except OSError:
        open_failures[name] += 1
        return
    if not owner:
        open_failures[name] += 1
        s.close()
        return
    record = {"id": len(records), "service": name, "backend": owner.decode(),
              "opened": round(time.time(), 3), "exchanges": 0, "broke": None, "how": None}
    records.append(record)
    live.append((record, s, reader))


def top_up():
    """Opens connections until each service holds its count again."""
    for name, vip, port, conns, _ in services:
        held = sum(1 for r, _, _ in live if r["service"] == name)
        for _ in range(conns - held):
            open_connection(name, vip, port)


def write_out(udp):
    summary = {"connections": records, "open_failures": open_failures, "udp": udp,
               "written": round(time.time(), 3)}
    with open(out_file + ".new", "w") as f:
        json.dump(summary, f)
    os.replace(out_file + ".new", out_file)


udp_vip, udp_port = udp_target.rsplit(":", 1)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(1)
udp_counts = {"udp_sent": 0, "udp_answered": 0}
rounds = 0
last_write = time.time()
top_up()
while not os.path.exists(stop_file):
    rounds += 1
    text = b"r%d\n" % rounds
    for entry in list(live):
        record, s, reader = entry
        lifetime = lifetimes[record["service"]]
        if lifetime is not None and time.time() - record["opened"] >= lifetime:
            record["broke"], record["how"] = round(time.time(), 3), "closed"
            live.remove(entry)
            s.close()
            continue
        # One connection at a time through the shared round, so each gets its own verdict.
        verdict = {"exchanges": 0, "moved": 0, "resets": 0, "timeouts": 0}
        alive = [0]
        echo_round([s], [reader], [record["backend"].encode()], alive, verdict, text)
        record["exchanges"] += verdict["exchanges"]
        if verdict["exchanges"]:
            continue
        record["broke"] = round(time.time(), 3)
        record["how"] = "moved" if verdict["moved"] else "reset" if verdict["resets"] else "timeout"
        live.remove(entry)
        s.close()
    top_up()
    udp_round(udp, (udp_vip, int(udp_port)), b"u%d" % rounds, udp_counts)
    if time.time() - last_write >= 30:
        write_out(udp_counts)
        last_write = time.time()
    time.sleep(0.1)
write_out(udp_counts)
