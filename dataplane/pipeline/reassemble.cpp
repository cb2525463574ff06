// IPv4 fragments: reassembly of TCP/UDP datagrams that arrive in pieces, before classification
// (cutting frames too big for the egress link is the egress's job). Every mode then sees whole
// datagrams: a reassembled one is classified, scheduled and rewritten like any other packet, so all fragments of a datagram reach the same backend and later datagrams of the flow
// follow it as usual.
//
// The fragments of one datagram meet on one worker by steering (steer.cpp): fragments to a VIP
// carry the client address the owner is chosen by, replies to a client carry it as destination,
// and full-NAT replies, whose owner is named by a port only the first fragment shows, meet on
// the worker their addresses and IP ID hash to and are handed to the owner once whole.

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstring>

#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {

rte_mbuf* reassemble(pipeline_state& st, const snapshot& s, uint16_t in_iface,
                     rte_mbuf* m) noexcept {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
  if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP) {
    // Not the dataplane's to reassemble: the kernel's, as it arrived, when sent to the
    // interface's own address and that interface has a kernel twin (a big ping, say).
    if (s.local_addrs.find_ipv4(ip->dst_addr).is(local_kind::iface_address))
      return st.out.to_kernel(in_iface, m, drop_reason::ip_fragment), nullptr;
    return st.out.drop(m, drop_reason::ip_fragment), nullptr;
  }
  const uint8_t header_len = uint8_t((ip->version_ihl & 0x0f) * 4u);
  const uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
  const frag_piece piece{.offset = uint32_t(frag & RTE_IPV4_HDR_OFFSET_MASK) * 8u,
                         .len = uint32_t(rte_be_to_cpu_16(ip->total_length)) - header_len,
                         .more = (frag & RTE_IPV4_HDR_MF_FLAG) != 0,
                         .header_len = header_len};
  const frag_key key{.src = ip->src_addr, .dst = ip->dst_addr, .id = ip->packet_id,
                     .proto = ip->next_proto_id};
  const frag_outcome o = st.frags.add(key, piece, st.now);
  switch (o.what) {
  case frag_outcome::kind::refused:
    return st.out.drop(m, o.reason), nullptr;
  case frag_outcome::kind::discarded:
    // The fragments already copied are dropped with this one, under the same reason.
    st.counters.drop(o.reason, o.fragments - 1u);
    rte_pktmbuf_free(st.frag_buffers[o.slot]);
    st.frag_buffers[o.slot] = nullptr;
    return st.out.drop(m, o.reason), nullptr;
  default:
    break;
  }
  if (o.opened) {
    st.frag_buffers[o.slot] = st.frag_pool.alloc();
    if (st.frag_buffers[o.slot] == nullptr) {
      st.frags.release(o.slot);
      return st.out.drop(m, drop_reason::ip_frag_table_full), nullptr;
    }
  }
  rte_mbuf* whole = st.frag_buffers[o.slot];
  auto* payload = static_cast<uint8_t*>(whole->buf_addr) + frag_buffer_pool::k_payload_at;
  std::memcpy(payload + piece.offset, reinterpret_cast<const uint8_t*>(ip) + header_len, piece.len);
  // The first fragment's Ethernet and IPv4 headers become the datagram's (RFC 791: options not
  // copied into later fragments appear in the first one only).
  if (piece.offset == 0)
    std::memcpy(payload - header_len - sizeof(rte_ether_hdr), eth, sizeof(rte_ether_hdr) + header_len);
  rte_pktmbuf_free(m);
  if (o.what == frag_outcome::kind::held) return nullptr;

  st.frag_buffers[o.slot] = nullptr;
  st.frags.release(o.slot);
  const uint32_t ip_len = o.header_len + o.total;
  whole->data_off = uint16_t(frag_buffer_pool::k_payload_at - o.header_len - sizeof(rte_ether_hdr));
  whole->data_len = uint16_t(sizeof(rte_ether_hdr) + ip_len);
  whole->pkt_len = whole->data_len;
  whole->port = st.ports[in_iface];
  auto* out = rte_pktmbuf_mtod_offset(whole, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  out->total_length = rte_cpu_to_be_16(uint16_t(ip_len));
  out->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  out->hdr_checksum = 0;
  out->hdr_checksum = rte_ipv4_cksum(out);
  // The header and payload are ours now, not what any NIC verified: no RX checksum verdict may
  // ride along into classify() (the L4 checksum of the whole datagram is checked in software).
  whole->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
  st.frag_pool.set_largest_fragment(whole, o.largest);
  st.counters.datagrams_reassembled.add();
  if (st.workers > 1) {
    const unsigned owner = owner_of(st, s, whole);
    if (owner != st.id) return st.out.to_worker(owner, in_iface, whole), nullptr;
  }
  return whole;
}

void expire_fragments(pipeline_state& st) noexcept {
  st.frags.expire(st.now, [&](uint32_t slot, uint16_t fragments) {
    st.counters.drop(drop_reason::ip_frag_timeout, fragments);
    rte_pktmbuf_free(st.frag_buffers[slot]);
    st.frag_buffers[slot] = nullptr;
  });
}

} // namespace sluice::pipeline
