// libFuzzer target for IPv4/L4 validation (dataplane/net/parse.hpp) and the NAT rewrites
// (dataplane/xmit/nat.hpp).
//
// Input: 6 bytes of NAT endpoint (address, then port, as they sit in a packet), then the frame
// after the Ethernet header. Beyond "no crash, no out-of-bounds access" it checks what the
// workers rely on: a TCP/UDP packet that passed validation is still valid after either rewrite,
// its L4 checksum still verifies if it did before, a UDP checksum is neither added nor lost,
// and only the rewritten fields change.

#include <rte_ether.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/net/parse.hpp"
#include "dataplane/xmit/nat.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

using sluice::endpoint;
using sluice::ipv4_packet;

constexpr std::size_t k_endpoint_len = 6;
constexpr std::size_t k_ip_ttl = offsetof(rte_ipv4_hdr, time_to_live);
constexpr std::size_t k_ip_csum = offsetof(rte_ipv4_hdr, hdr_checksum);
constexpr std::size_t k_ip_src = offsetof(rte_ipv4_hdr, src_addr);
constexpr std::size_t k_ip_dst = offsetof(rte_ipv4_hdr, dst_addr);
constexpr std::size_t k_l4_sport = 0; // TCP and UDP alike
constexpr std::size_t k_l4_dport = 2;

using sluice::fuzz::require;

// The bytes after the Ethernet header, laid out as a worker sees them: 14 bytes into the buffer
// (so only 2-byte aligned, like mbuf data) and ending at the end of the allocation, so ASan
// reports any read past `len`.
class frame {
public:
  frame(const uint8_t* l3, std::size_t len) : bytes_(sizeof(rte_ether_hdr) + len) {
    if (len != 0) std::memcpy(this->l3(), l3, len);
  }
  uint8_t* l3() { return bytes_.data() + sizeof(rte_ether_hdr); }
  const uint8_t* l3() const { return bytes_.data() + sizeof(rte_ether_hdr); }
  uint32_t len() const { return static_cast<uint32_t>(bytes_.size() - sizeof(rte_ether_hdr)); }

private:
  std::vector<uint8_t> bytes_;
};

struct rewrite_case {
  void (*rewrite)(const ipv4_packet&, endpoint) noexcept;
  std::size_t addr_off; // in the IP header
  std::size_t port_off; // in the L4 header
};

constexpr rewrite_case k_destination{sluice::nat_rewrite_destination, k_ip_dst, k_l4_dport};
constexpr rewrite_case k_source{sluice::nat_rewrite_source, k_ip_src, k_l4_sport};

std::size_t l4_checksum_off(uint8_t proto) {
  return proto == IPPROTO_TCP ? offsetof(rte_tcp_hdr, cksum) : offsetof(rte_udp_hdr, dgram_cksum);
}

// Rewrites a copy of `in`, a TCP/UDP packet with a header of `ihl` bytes that passed
// parse_ipv4 and check_l4_header, with TTL > 1, and checks the result.
void check_rewrite(const frame& in, std::size_t ihl, uint8_t proto, bool l4_ok, endpoint to,
                   const rewrite_case& c) {
  frame out = in;
  ipv4_packet pkt;
  require(!sluice::parse_ipv4(out.l3(), out.len(), pkt), "a copy parses like the original");
  const std::size_t l4_csum = ihl + l4_checksum_off(proto);
  const bool udp_without_checksum =
      proto == IPPROTO_UDP && in.l3()[l4_csum] == 0 && in.l3()[l4_csum + 1] == 0;

  c.rewrite(pkt, to);

  ipv4_packet after;
  require(!sluice::parse_ipv4(out.l3(), out.len(), after),
          "a rewritten packet is still valid IPv4 (header checksum, lengths, no fragment)");
  require(!sluice::check_l4_header(after), "a rewritten packet keeps a valid L4 header");
  if (l4_ok)
    require(sluice::l4_checksum_ok(after),
            "a rewritten packet whose L4 checksum verified still verifies");
  if (proto == IPPROTO_UDP) {
    const bool zero = out.l3()[l4_csum] == 0 && out.l3()[l4_csum + 1] == 0;
    // RFC 768: zero means "no checksum", so a computed zero must be sent as 0xffff.
    require(zero == udp_without_checksum, "a UDP datagram keeps or lacks its checksum as sent");
  }
  require(std::memcmp(out.l3() + c.addr_off, &to.addr, sizeof to.addr) == 0,
          "the address is rewritten");
  require(std::memcmp(out.l3() + ihl + c.port_off, &to.port, sizeof to.port) == 0,
          "the port is rewritten");
  require(out.l3()[k_ip_ttl] == in.l3()[k_ip_ttl] - 1, "the TTL is decremented");

  // Every other byte, including Ethernet padding past total_length, is left as it came.
  for (std::size_t i = 0; i < in.len(); ++i) {
    const bool touched = i == k_ip_ttl || (i >= k_ip_csum && i < k_ip_csum + 2) ||
                         (i >= c.addr_off && i < c.addr_off + 4) ||
                         (i >= ihl + c.port_off && i < ihl + c.port_off + 2) ||
                         (i >= l4_csum && i < l4_csum + 2);
    if (!touched) require(out.l3()[i] == in.l3()[i], "a rewrite touches only its fields");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < k_endpoint_len) return 0;
  endpoint to{};
  std::memcpy(&to.addr, data, sizeof to.addr);
  std::memcpy(&to.port, data + sizeof to.addr, sizeof to.port);
  const frame in(data + k_endpoint_len, size - k_endpoint_len);

  frame work = in; // parse_ipv4 takes a mutable buffer; keep `in` pristine for comparisons
  ipv4_packet pkt;
  if (sluice::parse_ipv4(work.l3(), work.len(), pkt)) return 0;
  require(pkt.ip == reinterpret_cast<rte_ipv4_hdr*>(work.l3()), "ip points at the header");
  require(pkt.l4 >= work.l3() + sizeof(rte_ipv4_hdr) &&
              pkt.l4 + pkt.l4_len <= work.l3() + work.len(),
          "l4/l4_len lie within the frame, after the header");
  if (sluice::check_l4_header(pkt)) return 0;
  const bool l4_ok = sluice::l4_checksum_ok(pkt);

  // The rewrites' preconditions, as the worker enforces them before calling.
  if (pkt.proto != IPPROTO_TCP && pkt.proto != IPPROTO_UDP) return 0;
  if (pkt.ip->time_to_live <= 1) return 0;
  const auto ihl = static_cast<std::size_t>(pkt.l4 - work.l3());
  check_rewrite(in, ihl, pkt.proto, l4_ok, to, k_destination);
  check_rewrite(in, ihl, pkt.proto, l4_ok, to, k_source);
  return 0;
}
