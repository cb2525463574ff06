#pragma once
// The lab of the DR and TUN golden tests: nat_lab.hpp's client, interfaces and backends, with
// services in the mode under test, plus independent builders of what those modes emit (an IPIP
// frame, an ICMP fragmentation-needed) so that expected bytes never come from the code under test.

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

// ICMP type 3 code 4 from `src` to the sender of `offending` (a frame), quoting its IP header
// and 8 bytes of data: TOS 0xc0, TTL 64, ID 0, no DF.
inline bytes frag_needed_frame(const std::string& eth_src, const std::string& eth_dst,
                               const char* src, uint16_t mtu, const bytes& offending) {
  const std::size_t ihl = (offending[k_ip] & 0x0f) * 4u;
  bytes icmp = {3, 4, 0, 0, 0, 0, uint8_t(mtu >> 8), uint8_t(mtu)};
  icmp.insert(icmp.end(), offending.begin() + k_ip, offending.begin() + k_ip + ihl + 8);
  put16(icmp, 2, uint16_t(~ones_sum(icmp.data(), icmp.size())));
  bytes h(20);
  h[0] = 0x45;
  h[1] = 0xc0;
  put16(h, 2, uint16_t(20 + icmp.size()));
  h[8] = 64;
  h[9] = 1;
  const uint32_t s = ip(src);
  std::memcpy(&h[12], &s, 4);
  std::memcpy(&h[16], &offending[k_ip + 12], 4);
  put16(h, 10, uint16_t(~ones_sum(h.data(), 20)));
  return ipv4_frame(eth_src, eth_dst, h, icmp);
}

} // namespace sluice::testing
