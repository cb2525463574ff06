#pragma once
// The lab of the DR and TUN golden tests: nat_lab.hpp's client, interfaces and backends, with
// services in the mode under test, plus independent builders of what those modes emit (an IPIP
// frame, ICMP errors) so that expected bytes never come from the code under test.

#include <gtest/gtest.h>

#include <cstring>
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
