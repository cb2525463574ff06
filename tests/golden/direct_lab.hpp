#pragma once
// The lab of the DR and TUN golden tests: nat_lab.hpp's client, interfaces and backends, with
// services in the mode under test, plus independent builders of what those modes emit (an IPIP
// frame, ICMP errors) so that expected bytes never come from the code under test.

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tests/golden/harness.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {

inline constexpr uint8_t FIN = 0x01;

// web: TCP 80 over be1 and be2 (rr); dns: UDP 53 on be1; any: every TCP port of 10.0.0.101 on
// be2. `mode` is "dr" or "tun".
inline std::string direct_config_yaml(const std::string& mode) {
  return lab_yaml_head() + R"(  - { name: web, address: 10.0.0.100, port: 80, protocol: tcp, forwarding: )" + mode + R"(,
      backends: [{ address: 10.0.1.11, port: 80 }, { address: 10.0.1.12 }] }
  - { name: dns, address: 10.0.0.100, port: 53, protocol: udp, forwarding: )" + mode + R"(,
      backends: [{ address: 10.0.1.11 }] }
  - { name: any, address: 10.0.0.101, protocol: tcp, forwarding: )" + mode + R"(,
      backends: [{ address: 10.0.1.12 }] }
)";
}

// direct_config_yaml(mode) and "far": TCP 8443 of 10.0.0.100 on 10.0.1.20, a backend on the
// downlink without a static neighbour entry (found by ARP).
inline std::string far_backend_yaml(const std::string& mode) {
  return direct_config_yaml(mode) +
         "  - { name: far, address: 10.0.0.100, port: 8443, protocol: tcp, forwarding: " + mode +
         ",\n      backends: [{ address: 10.0.1.20 }] }\n";
}

// A segment of the connection 10.0.0.1:42000 -> 10.0.0.100:8443 written into `b` after its IPv4
// header: the SYN (`opening`) or a later ACK, DF set.
inline bytes far_segment(packet_builder b, bool opening) {
  return opening ? b.df().tcp(42000, 8443, SYN).build() : b.df().tcp(42000, 8443, ACK, 1, 1).build();
}

// Rows on far_backend_yaml(): a DR or TUN flow leaves through the neighbour entry it keeps
// (flow::next_hop, from its SYN), not a copy of a MAC. The SYN waits for ARP; the flow's later
// segments go to the resolved MAC; a MAC the entry learns later, from an ARP reply or (when
// `gratuitous`) a gratuitous ARP, takes effect on the flow's very next segment.
// `delivered(mac, opening)`: the frame the backend at `mac` receives for far_segment(opening).
inline std::vector<fixture> kept_neighbour_rows(
    const std::function<bytes(const std::string& mac, bool opening)>& delivered, bool gratuitous) {
  const std::string down = dataplane_harness::mac_text(k_downlink);
  const std::string old_mac = "02:00:00:00:0b:20", new_mac = "02:00:00:00:0b:21";
  const auto client = [](bool opening) {
    return far_segment(from_client().ipv4("10.0.0.1", "10.0.0.100"), opening);
  };
  std::vector<fixture> rows = {
      {"the syn to a backend without a neighbour entry waits for arp", k_uplink, client(true),
       {{k_downlink, arp_frame(1, down, "ff:ff:ff:ff:ff:ff", down, "10.0.1.2", "", "10.0.1.20")}},
       {}},
      {"the arp reply releases the syn", k_downlink,
       arp_frame(2, old_mac, down, old_mac, "10.0.1.20", down, "10.0.1.2"),
       {{k_downlink, delivered(old_mac, true)}}, {}},
      {"the flow's next segment goes to the resolved neighbour", k_uplink, client(false),
       {{k_downlink, delivered(old_mac, false)}}, {}},
      {"and the one after it too", k_uplink, client(false),
       {{k_downlink, delivered(old_mac, false)}}, {}},
  };
  if (gratuitous)
    rows.push_back({"a gratuitous arp moves the backend's address to another mac", k_downlink,
                    arp_frame(1, new_mac, "ff:ff:ff:ff:ff:ff", new_mac, "10.0.1.20", "", "10.0.1.20"),
                    {}, drop_reason::arp_not_for_us});
  else
    rows.push_back({"an arp reply moves the backend's address to another mac", k_downlink,
                    arp_frame(2, new_mac, down, new_mac, "10.0.1.20", down, "10.0.1.2"), {}, {}});
  rows.push_back({"the flow's next segment goes to the new mac", k_uplink, client(false),
                  {{k_downlink, delivered(new_mac, false)}}, {}});
  return rows;
}

// The far flow's record keeps the entry its packets leave through.
inline void expect_far_flow_keeps_its_neighbour(dataplane_harness& h) {
  const auto hit = h.dataplane().flows().lookup(
      flow_key::ipv4(ip("10.0.0.1"), ip("10.0.0.100"), htons(42000), htons(8443), IPPROTO_TCP));
  ASSERT_TRUE(hit.has_value());
  EXPECT_NE(h.dataplane().flows().at(hit->index).next_hop[0], k_unresolved_hop)
      << "the flow's packets are sent without its neighbour entry";
}

inline void put16(bytes& b, std::size_t at, uint16_t v) {
  b[at] = uint8_t(v >> 8);
  b[at + 1] = uint8_t(v);
}

// An IPv4 Ethernet frame: `header` (an IPv4 header) then `payload`.
inline bytes ipv4_frame(const std::string& eth_src, const std::string& eth_dst,
                        const bytes& header, const bytes& payload) {
  bytes f = packet_builder::mac(eth_dst);
  const bytes sm = packet_builder::mac(eth_src);
  f.insert(f.end(), sm.begin(), sm.end());
  f.insert(f.end(), {0x08, 0x00});
  f.insert(f.end(), header.begin(), header.end());
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// The Ethernet frame `eth_src` -> `eth_dst` carrying `inner` (a frame; its Ethernet header is
// dropped) in IPIP from `src` to `dst`: TOS and DF copied, TTL copied, outer ID `id`.
inline bytes ipip_frame(const std::string& eth_src, const std::string& eth_dst, const char* src,
                        const char* dst, uint16_t id, const bytes& inner) {
  const bytes in_ip(inner.begin() + k_ip, inner.end());
  bytes h(20);
  h[0] = 0x45;
  h[1] = in_ip[1];
  put16(h, 2, uint16_t(20 + in_ip.size()));
  put16(h, 4, id);
  h[6] = in_ip[6] & 0x40;
  h[8] = in_ip[8];
  h[9] = 4;
  const uint32_t s = ip(src), d = ip(dst);
  std::memcpy(&h[12], &s, 4);
  std::memcpy(&h[16], &d, 4);
  put16(h, 10, uint16_t(~ones_sum(h.data(), 20)));
  return ipv4_frame(eth_src, eth_dst, h, in_ip);
}

// An ICMP error from `src` to `dst` quoting `offending` (a frame): its IP header and `l4_bytes`
// of what follows. `rest` is the 4 bytes after the checksum (host order: the MTU of
// frag-needed). Outer header: ID 0, no DF, the given TOS and TTL.
inline bytes icmp_error_frame(const std::string& eth_src, const std::string& eth_dst,
                              const char* src, const char* dst, uint8_t tos, uint8_t ttl,
                              uint8_t type, uint8_t code, uint32_t rest, const bytes& offending,
                              std::size_t l4_bytes = 8) {
  const std::size_t ihl = (offending[k_ip] & 0x0f) * 4u;
  bytes icmp = {type, code, 0, 0, uint8_t(rest >> 24), uint8_t(rest >> 16), uint8_t(rest >> 8),
                uint8_t(rest)};
  icmp.insert(icmp.end(), offending.begin() + k_ip, offending.begin() + long(k_ip + ihl + l4_bytes));
  put16(icmp, 2, uint16_t(~ones_sum(icmp.data(), icmp.size())));
  bytes h(20);
  h[0] = 0x45;
  h[1] = tos;
  put16(h, 2, uint16_t(20 + icmp.size()));
  h[8] = ttl;
  h[9] = 1;
  const uint32_t s = ip(src), d = ip(dst);
  std::memcpy(&h[12], &s, 4);
  std::memcpy(&h[16], &d, 4);
  put16(h, 10, uint16_t(~ones_sum(h.data(), 20)));
  return ipv4_frame(eth_src, eth_dst, h, icmp);
}

// What the gateway originates about `offending` (a frame) for its sender: TOS 0xc0 (RFC 1812
// 5.3.2), TTL 64, IP header + 8 bytes quoted.
inline bytes gateway_icmp_frame(const std::string& eth_src, const std::string& eth_dst,
                                const char* src, uint8_t type, uint8_t code, uint32_t rest,
                                const bytes& offending) {
  char sender[16];
  inet_ntop(AF_INET, &offending[k_ip + 12], sender, sizeof sender);
  return icmp_error_frame(eth_src, eth_dst, src, sender, 0xc0, 64, type, code, rest, offending);
}

// ICMP type 3 code 4 from `src` to the sender of `offending` (a frame) with next-hop `mtu`.
inline bytes frag_needed_frame(const std::string& eth_src, const std::string& eth_dst,
                               const char* src, uint16_t mtu, const bytes& offending) {
  return gateway_icmp_frame(eth_src, eth_dst, src, 3, 4, mtu, offending);
}

// ICMP time exceeded (type 11 code 0) from `src` to the sender of `offending`.
inline bytes time_exceeded_frame(const std::string& eth_src, const std::string& eth_dst,
                                 const char* src, const bytes& offending) {
  return gateway_icmp_frame(eth_src, eth_dst, src, 11, 0, 0, offending);
}

} // namespace sluice::testing
