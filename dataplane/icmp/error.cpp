#include "dataplane/icmp/error.hpp"

#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <cstddef>

#include "dataplane/net/checksum.hpp"
#include "dataplane/net/unaligned.hpp"
#include "dataplane/xmit/nat.hpp"
#include "dataplane/xmit/proxy_v2.hpp"

namespace sluice {
namespace {

constexpr std::size_t k_src = offsetof(rte_ipv4_hdr, src_addr);
constexpr std::size_t k_dst = offsetof(rte_ipv4_hdr, dst_addr);
constexpr std::size_t k_ip_csum = offsetof(rte_ipv4_hdr, hdr_checksum);

// Replaces the address at ip + off and the port at l4 + port_off; `l4_csum` (null: none to keep)
// is the quoted L4 checksum covering both through the pseudo-header.
void set_endpoint(uint8_t* ip, std::size_t off, uint8_t* l4, std::size_t port_off,
                  uint8_t* l4_csum, endpoint to) noexcept {
  const uint32_t old_addr = load<uint32_t>(ip + off);
  const uint16_t old_port = load<uint16_t>(l4 + port_off);
  store(ip + k_ip_csum, csum_replace4(load<uint16_t>(ip + k_ip_csum), old_addr, to.addr));
  if (l4_csum != nullptr) {
    uint16_t c = csum_replace4(load<uint16_t>(l4_csum), old_addr, to.addr);
    store(l4_csum, csum_replace2(c, old_port, to.port));
  }
  store(ip + off, to.addr);
  store(l4 + port_off, to.port);
}

void set_addr(uint8_t* ip, std::size_t off, uint32_t to) noexcept {
  store(ip + k_ip_csum, csum_replace4(load<uint16_t>(ip + k_ip_csum), load<uint32_t>(ip + off), to));
  store(ip + off, to);
}

// Replaces the 32-bit field at `at` (a quoted sequence or acknowledgement number) with `f` of its
// host-order value, patching `l4_csum` when the quote holds it.
template <class F>
void map_u32(uint8_t* at, uint8_t* l4_csum, F f) noexcept {
  const uint32_t old_be = load<uint32_t>(at);
  const uint32_t new_be = rte_cpu_to_be_32(f(rte_be_to_cpu_32(old_be)));
  if (l4_csum != nullptr) store(l4_csum, csum_replace4(load<uint16_t>(l4_csum), old_be, new_be));
  store(at, new_be);
}

// A full-NAT flow with a PROXY v2 header: the quoted segment's sequence space is the sender's
// view, which differs from the receiver's by the header (xmit/proxy_v2.hpp). A segment we sent
// to the backend quotes a shifted sequence number, which the client must see as it sent it (its
// TCP matches the error against its own send window); a segment we sent to the client quotes an
// acknowledgement mapped for the client, which the backend must see as it sent it.
void map_proxy_sequence(const icmp_quote& q, uint8_t* l4_csum, const flow& f,
                        flow_dir dir) noexcept {
  constexpr std::size_t k_seq = offsetof(rte_tcp_hdr, sent_seq);
  constexpr std::size_t k_ack = offsetof(rte_tcp_hdr, recv_ack);
  const uint32_t start = f.proxy_start;
  const uint8_t len = f.proxy_len;
  if (dir == flow_dir::reply) {
    // Backend view -> client view is the mapping acknowledgements take (a number inside the
    // header means the header's first byte, i.e. nothing of the client's).
    map_u32(q.l4 + k_seq, l4_csum, [&](uint32_t v) { return proxy_ack_to_client(v, start, len); });
  } else if (q.l4_len >= k_ack + 4) {
    map_u32(q.l4 + k_ack, l4_csum, [&](uint32_t v) { return proxy_seq_to_backend(v, start, len); });
  }
}

} // namespace

bool is_icmp_error(const ipv4_packet& pkt) noexcept {
  if (pkt.proto != IPPROTO_ICMP) return false;
  const uint8_t type = pkt.l4[0];
  return type == k_icmp_dest_unreachable || type == k_icmp_time_exceeded;
}

std::optional<drop_reason> parse_icmp_quote(const ipv4_packet& pkt, icmp_quote& out) noexcept {
  constexpr std::size_t k_icmp = sizeof(rte_icmp_hdr);
  if (pkt.l4_len < k_icmp + sizeof(rte_ipv4_hdr) + 8) return drop_reason::icmp_error_malformed;
  uint8_t* ip = pkt.l4 + k_icmp;
  const std::size_t ihl = (ip[0] & 0x0f) * 4u;
  if ((ip[0] >> 4) != 4 || ihl < sizeof(rte_ipv4_hdr) || k_icmp + ihl + 8 > pkt.l4_len)
    return drop_reason::icmp_error_malformed;
  const uint8_t proto = ip[offsetof(rte_ipv4_hdr, next_proto_id)];
  if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) return drop_reason::icmp_error_malformed;
  // Only the first fragment quotes the ports.
  if (load<uint16_t>(ip + offsetof(rte_ipv4_hdr, fragment_offset)) &
      rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))
    return drop_reason::icmp_error_malformed;
  out.ip = ip;
  out.l4 = ip + ihl;
  out.l4_len = uint16_t(pkt.l4_len - k_icmp - ihl);
  out.reversed = flow_key::ipv4(load<uint32_t>(ip + k_dst), load<uint32_t>(ip + k_src),
                                load<uint16_t>(out.l4 + 2), load<uint16_t>(out.l4), proto);
  return std::nullopt;
}

void translate_icmp_error(const ipv4_packet& pkt, const icmp_quote& q, const flow& f,
                          flow_dir dir) noexcept {
  const bool fnat = f.mode == forwarding::fnat;
  const endpoint client{f.client_addr, f.client_port};
  const endpoint vip{f.vip, f.vip_port};
  const endpoint backend{f.backend_addr, f.backend_port};
  const endpoint local = fnat ? endpoint{f.local_addr, f.local_port} : client;

  // The quoted L4 checksum, when the quote holds it: UDP's (unless the sender sent none) sits in
  // the first 8 bytes, TCP's only in a longer quote. RFC 5508 asks only for the ports; keeping
  // the checksum consistent costs nothing when it is there.
  uint8_t* l4_csum = nullptr;
  if (q.reversed.proto == IPPROTO_UDP) {
    if (load<uint16_t>(q.l4 + offsetof(rte_udp_hdr, dgram_cksum)) != 0)
      l4_csum = q.l4 + offsetof(rte_udp_hdr, dgram_cksum);
  } else if (q.l4_len >= offsetof(rte_tcp_hdr, cksum) + 2) {
    l4_csum = q.l4 + offsetof(rte_tcp_hdr, cksum);
  }

  auto* outer = reinterpret_cast<uint8_t*>(pkt.ip);
  decrement_ttl(pkt.ip);
  if (dir == flow_dir::reply) {
    set_addr(outer, k_src, f.vip);
    set_addr(outer, k_dst, f.client_addr);
    set_endpoint(q.ip, k_src, q.l4, 0, l4_csum, client);
    set_endpoint(q.ip, k_dst, q.l4, 2, l4_csum, vip);
  } else {
    if (fnat) set_addr(outer, k_src, f.local_addr);
    set_addr(outer, k_dst, f.backend_addr);
    set_endpoint(q.ip, k_src, q.l4, 0, l4_csum, backend);
    set_endpoint(q.ip, k_dst, q.l4, 2, l4_csum, local);
  }
  if (f.proxy_len != 0 && q.reversed.proto == IPPROTO_TCP) map_proxy_sequence(q, l4_csum, f, dir);
  // The ICMP checksum covers the whole quote, which changed in several places at odd and even
  // offsets: recomputing it over a few dozen bytes is simpler than patching each change.
  store(pkt.l4 + offsetof(rte_icmp_hdr, icmp_cksum), uint16_t{0});
  store(pkt.l4 + offsetof(rte_icmp_hdr, icmp_cksum),
        static_cast<uint16_t>(~rte_raw_cksum(pkt.l4, pkt.l4_len)));
}

} // namespace sluice
