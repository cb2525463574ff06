#!/usr/bin/python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/. Rerun after changing a seed here:

    /usr/bin/python3 tests/fuzz/make_seeds.py

Seeds are small valid inputs (and a few near misses) from which libFuzzer mutates; the format of
each target's input is described at the top of its .cpp file. The output is deterministic.
"""

import shutil
import socket
import struct
from pathlib import Path

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6,
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrRouting)
from scapy.layers.l2 import ARP
from scapy.packet import Raw

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS = HERE / "corpus"

VIP, CLIENT, BACKEND = "10.0.0.100", "10.0.0.1", "10.0.1.11"
OUR_MAC, PEER_MAC = "02:5c:00:00:00:01", "02:5c:00:00:00:02"


def endpoint(addr: str, port: int) -> bytes:
    """The 6-byte NAT endpoint prefix of ipv4_parse_fuzz inputs (network byte order)."""
    return socket.inet_aton(addr) + struct.pack("!H", port)


def ipv4_seeds() -> dict:
    to = endpoint(BACKEND, 8080)
    ip = dict(src=CLIENT, dst=VIP, ttl=64, id=1)
    return {
        "tcp_syn": to + bytes(IP(**ip) / TCP(sport=40000, dport=80, flags="S", seq=1000,
                                             options=[("MSS", 1460)])),
        "tcp_data": to + bytes(IP(**ip, flags="DF") / TCP(sport=40000, dport=80, flags="PA",
                                                          seq=1001, ack=5000)
                               / Raw(b"GET / HTTP/1.0\r\n\r\n")),
        "tcp_ip_options": to + bytes(IP(**ip, options=b"\x01\x01\x01\x00")
                                     / TCP(sport=40000, dport=80, flags="A")),
        "udp_dns": to + bytes(IP(**ip) / UDP(sport=40001, dport=53) / Raw(b"\x12\x34" * 6)),
        "udp_no_checksum": to + bytes(IP(**ip) / UDP(sport=40001, dport=53, chksum=0)
                                      / Raw(b"ping")),
        # Ethernet pads short frames to 60 bytes: 18 bytes past total_length.
        "udp_eth_padding": to + bytes(IP(**ip) / UDP(sport=40001, dport=53) / Raw(b"x"))
                           + b"\x00" * 17,
        "icmp_echo": to + bytes(IP(**ip) / ICMP(type=8, id=7, seq=1) / Raw(b"abcdefgh")),
        "ttl_one": to + bytes(IP(src=CLIENT, dst=VIP, ttl=1) / UDP(sport=1, dport=53)),
        "fragment": to + bytes(IP(**ip, flags="MF") / UDP(sport=40001, dport=53)
                               / Raw(b"y" * 16)),
    }


def tcp_options_seeds() -> dict:
    """tcp_options_fuzz: the PROXY v2 `start` (client ISN + 1, host order), then a backend reply."""
    start = struct.pack("=I", 1001)
    ip = dict(src=BACKEND, dst="10.0.1.5", ttl=64, id=1)
    return {
        "syn_ack_mss": start + bytes(IP(**ip) / TCP(sport=8080, dport=1024, flags="SA", seq=9,
                                                    ack=1001, options=[("MSS", 1460)])),
        "ack_sack": start + bytes(IP(**ip) / TCP(sport=8080, dport=1024, flags="A", seq=10,
                                                 ack=1029, options=[("NOP", None), ("NOP", None),
                                                                    ("SAck", (1100, 1200, 1300, 1400))])),
        "odd_sack_offset": start + bytes(IP(**ip) / TCP(sport=8080, dport=1024, flags="A", ack=1010,
                                                        options=[("NOP", None), ("SAck", (1050, 1060)),
                                                                 ("EOL", None)])),
        "timestamps": start + bytes(IP(**ip) / TCP(sport=8080, dport=1024, flags="PA", ack=2000,
                                                   options=[("Timestamp", (1, 2))]) / Raw(b"data")),
    }


def arp_seeds() -> dict:
    who_has = ARP(op=1, hwsrc=PEER_MAC, psrc=CLIENT, hwdst="00:00:00:00:00:00", pdst="10.0.0.2")
    return {
        "request": bytes(who_has),
        "request_eth_padding": bytes(who_has) + b"\x00" * 18,
        "reply": bytes(ARP(op=2, hwsrc=PEER_MAC, psrc=CLIENT, hwdst=OUR_MAC, pdst="10.0.0.2")),
        "gratuitous": bytes(ARP(op=1, hwsrc=PEER_MAC, psrc=CLIENT, hwdst="ff:ff:ff:ff:ff:ff",
                                pdst=CLIENT)),
        "rarp_opcode": bytes(ARP(op=3, hwsrc=PEER_MAC, psrc=CLIENT, pdst="10.0.0.2")),
    }


BROKEN_CONFIGS = {
    # A syntax error: unterminated flow mapping.
    "unterminated_flow.yaml": """\
services:
  - name: web
    backends:
      - { address: 10.0.1.11, port: 8080
""",
    # Well-formed YAML, wrong values: every one must be reported.
    "bad_values.yaml": """\
dataplane:
  workers: 0
  colour: blue
interfaces:
  - name: uplink
    device: "net_af_packet0,iface=gw-up"
    address: 10.0.0.2/33
    neighbors:
      - { address: 10.0.0.9, mac: "02:00:00:00:00" }
services:
  - name: web
    address: 10.0.0.300
    port: 70000
    protocol: sctp
    forwarding: dr
    scheduler: lc
    backends:
      - { address: 10.0.1.11, port: -1, weight: x }
""",
    # Wrong shapes, anchors and a merge key.
    "wrong_shapes.yaml": """\
interfaces: 5
services:
  name: &n web
  backends: [ &b { address: 10.0.1.11, port: 8080 }, *b, { <<: *b, weight: 3 }, *n ]
admin: [socket]
""",
    # ACL sets: every rule kind, then the same shapes broken (bad CIDR, backwards range, a
    # pattern Hyperscan refuses, an unknown flag, a reference to no set).
    "acls.yaml": """\
interfaces:
  - { name: uplink, device: net_null0, address: 10.0.0.2/24 }
acls:
  - name: edge
    default: allow
    rules:
      - { name: scanners, action: deny, reply: rst, protocol: tcp, src: [192.0.2.0/24, 10.9.9.9], ports: [22, "8000-8999"] }
      - { name: icmp-back, action: deny, reply: icmp, dst: 10.0.0.100/32 }
      - name: admin
        action: deny
        payload: ["GET /admin", { pattern: 'x-evil: \\d+', flags: [caseless, dotall] }]
  - { name: office, default: deny, rules: [{ name: lan, action: allow, src: 10.0.0.0/8, protocol: any }] }
global_acls: [edge]
services:
  - { name: web, address: 10.0.0.100, port: 80, acls: [office], backends: [{ address: 10.0.0.11 }] }
""",
    "acls_broken.yaml": """\
interfaces:
  - { name: uplink, device: net_null0, address: 10.0.0.2/24 }
acls:
  - name: edge
    rules:
      - { name: a, action: deny, src: 10.0.0.1/33, ports: "90-80" }
      - { name: a, action: allow, reply: rst, payload: ["(", { pattern: "", flags: [greedy] }] }
      - { name: b, action: maybe, dst: "2001:db8::/32", protocol: sctp }
global_acls: [edge, nowhere, edge]
services:
  - { name: web, address: 10.0.0.100, port: 80, acls: nope, backends: [] }
""",
    # announce.bgp: every key, then broken values (reserved ASN, hold time 1, a quote in the
    # password, a peer off every link, a community out of range).
    "bgp.yaml": """\
interfaces:
  - { name: uplink, device: net_null0, address: 10.0.0.2/24 }
services:
  - { name: web, address: 10.0.5.100, port: 80, forwarding: dr, scheduler: mh, backends: [{ address: 10.0.0.11 }] }
announce:
  bgp:
    router_id: 10.0.0.2
    local_asn: 65001
    bird_socket: /run/sluice/bird.ctl
    peers: [{ address: 10.0.0.1, asn: 65000, hold_time: 9, bfd: true, password: secret }]
    communities: ["65000:100"]
    withdraw_delay_ms: 2000
    bfd: { interval_ms: 100, multiplier: 3 }
""",
    "bgp_broken.yaml": """\
interfaces:
  - { name: uplink, device: net_null0, address: 10.0.0.2/24 }
announce:
  bgp:
    local_asn: 23456
    bird_socket: relative.ctl
    peers: [{ address: 192.0.2.1, asn: 0, hold_time: 1, password: 'a"b' }, { address: 192.0.2.1 }]
    communities: ["65536:1", "x"]
  arp: {}
""",
}


VIP6, CLIENT6 = "fd00::2", "fd00::1"


def ipv6_seeds() -> dict:
    """ipv6_parse_fuzz inputs: the frame after the Ethernet header."""
    ip = dict(src=CLIENT6, dst=VIP6)
    nd = dict(src=CLIENT6, hlim=255)
    return {
        "tcp_syn": bytes(IPv6(**ip) / TCP(sport=40000, dport=80, flags="S")),
        "udp": bytes(IPv6(**ip) / UDP(sport=40001, dport=53) / Raw(b"\x12\x34" * 6)),
        "echo": bytes(IPv6(**ip) / ICMPv6EchoRequest(id=7, seq=1, data=b"abcdefgh")),
        "echo_behind_options": bytes(IPv6(**ip) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
                                     / ICMPv6EchoRequest(id=7, seq=2)),
        "atomic_fragment": bytes(IPv6(**ip) / IPv6ExtHdrFragment(offset=0, m=0, id=9)
                                 / UDP(sport=1, dport=53)),
        "fragment": bytes(IPv6(**ip) / IPv6ExtHdrFragment(offset=0, m=1, id=9)
                          / UDP(sport=1, dport=53) / Raw(b"y" * 16)),
        "routing_type0": bytes(IPv6(**ip) / IPv6ExtHdrRouting(type=0, addresses=["fd00::9"])
                               / TCP(sport=1, dport=80)),
        "ns": bytes(IPv6(**nd, dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt=VIP6)
                    / ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC)),
        "ns_dad": bytes(IPv6(src="::", dst="ff02::1:ff00:2", hlim=255) / ICMPv6ND_NS(tgt=VIP6)),
        "na": bytes(IPv6(**nd, dst=VIP6) / ICMPv6ND_NA(tgt=CLIENT6, S=1, O=1, R=0)
                    / ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC)),
    }


def write(target: str, seeds: dict) -> None:
    out = CORPUS / target
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, data in seeds.items():
        (out / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main() -> None:
    write("ipv4_parse_fuzz", ipv4_seeds())
    write("ipv6_parse_fuzz", ipv6_seeds())
    write("arp_parse_fuzz", arp_seeds())
    write("tcp_options_fuzz", tcp_options_seeds())
    configs = {"demo.yaml": (REPO / "config" / "demo.yaml").read_bytes()}
    configs.update(BROKEN_CONFIGS)
    write("config_parse_fuzz", configs)


if __name__ == "__main__":
    main()
