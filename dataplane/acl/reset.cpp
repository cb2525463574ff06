#include "dataplane/acl/reset.hpp"

#include <rte_ip.h>
#include <rte_tcp.h>

#include "dataplane/flow/flow.hpp"

namespace sluice {

uint16_t make_tcp_reset(ipv4_packet& p) noexcept {
  auto* tcp = reinterpret_cast<rte_tcp_hdr*>(p.l4);
  const uint32_t hdr_len = uint32_t(tcp->data_off >> 4) * 4;
  const uint32_t seg_len = p.l4_len - hdr_len + ((tcp->tcp_flags & k_tcp_syn) ? 1 : 0) +
                           ((tcp->tcp_flags & k_tcp_fin) ? 1 : 0);
  const bool had_ack = tcp->tcp_flags & k_tcp_ack;
  const uint32_t seq = rte_be_to_cpu_32(tcp->sent_seq);
  const uint32_t ack = rte_be_to_cpu_32(tcp->recv_ack);

  const uint32_t src = p.ip->src_addr; // packed headers: no references, so no std::swap
  p.ip->src_addr = p.ip->dst_addr;
  p.ip->dst_addr = src;
  const uint16_t sport = tcp->src_port;
  tcp->src_port = tcp->dst_port;
  tcp->dst_port = sport;
  if (had_ack) {
    tcp->sent_seq = rte_cpu_to_be_32(ack);
    tcp->recv_ack = 0;
    tcp->tcp_flags = k_tcp_rst;
  } else {
    tcp->sent_seq = 0;
    tcp->recv_ack = rte_cpu_to_be_32(seq + seg_len);
    tcp->tcp_flags = k_tcp_rst | k_tcp_ack;
  }
  tcp->data_off = uint8_t((sizeof(rte_tcp_hdr) / 4) << 4);
  tcp->rx_win = 0;
  tcp->tcp_urp = 0;

  const uint16_t total = uint16_t(rte_ipv4_hdr_len(p.ip) + sizeof(rte_tcp_hdr));
  p.ip->total_length = rte_cpu_to_be_16(total);
  p.ip->time_to_live = 64;
  p.ip->fragment_offset = 0;
  p.l4_len = sizeof(rte_tcp_hdr);
  p.ip->hdr_checksum = 0;
  p.ip->hdr_checksum = rte_ipv4_cksum(p.ip);
  tcp->cksum = 0;
  tcp->cksum = rte_ipv4_udptcp_cksum(p.ip, tcp);
  return total;
}

} // namespace sluice
