// IPv4 fragments: reassembly of TCP/UDP datagrams that arrive in pieces, before classification,
// and fragmentation of frames too big for the egress link, after the rewrite. Every mode then
// sees whole datagrams: a reassembled one is classified, scheduled and rewritten like any other
// packet, so all fragments of a datagram reach the same backend and later datagrams of the flow
// follow it as usual.
//
// The fragments of one datagram meet on one worker by steering (steer.cpp): fragments to a VIP
// carry the client address the owner is chosen by, replies to a client carry it as destination,
// and full-NAT replies, whose owner is named by a port only the first fragment shows, meet on
// the worker their addresses and IP ID hash to and are handed to the owner once whole.

#include <rte_ether.h>
#include <rte_ip.h>

#include <algorithm>
#include <cstring>

#include "dataplane/frag/fragment.hpp"
#include "dataplane/worker/worker.hpp"
#include "dataplane/xmit/tun.hpp" // k_link_mtu

namespace sluice {

rte_mbuf* worker::reassemble(const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
  if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP) {
    // Not the dataplane's to reassemble: the kernel's, as it arrived, when sent to the
    // interface's own address and that interface has a kernel twin (a big ping, say).
    const uint32_t local = s.local_addrs.find(snapshot::addr_key(ip->dst_addr));
    if (local != flat_index::k_absent &&
        static_cast<local_kind>(local >> 16) == local_kind::iface_address)
      return to_kernel(in_iface, m, drop_reason::ip_fragment), nullptr;
    return drop(m, drop_reason::ip_fragment), nullptr;
  }
  const uint8_t header_len = uint8_t((ip->version_ihl & 0x0f) * 4u);
  const uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
  const frag_piece piece{.offset = uint32_t(frag & RTE_IPV4_HDR_OFFSET_MASK) * 8u,
                         .len = uint32_t(rte_be_to_cpu_16(ip->total_length)) - header_len,
                         .more = (frag & RTE_IPV4_HDR_MF_FLAG) != 0,
                         .header_len = header_len};
  const frag_key key{.src = ip->src_addr, .dst = ip->dst_addr, .id = ip->packet_id,
                     .proto = ip->next_proto_id};
  const frag_outcome o = frags_.add(key, piece, now_);
  switch (o.what) {
  case frag_outcome::kind::refused:
    return drop(m, o.reason), nullptr;
  case frag_outcome::kind::discarded:
    // The fragments already copied are dropped with this one, under the same reason.
    counters_.drop(o.reason, o.fragments - 1u);
    rte_pktmbuf_free(frag_buffers_[o.slot]);
    frag_buffers_[o.slot] = nullptr;
    return drop(m, o.reason), nullptr;
  default:
    break;
  }
  if (o.opened) {
    frag_buffers_[o.slot] = frag_pool_.alloc();
    if (frag_buffers_[o.slot] == nullptr) {
      frags_.release(o.slot);
      return drop(m, drop_reason::ip_frag_table_full), nullptr;
    }
  }
  rte_mbuf* whole = frag_buffers_[o.slot];
  auto* payload = static_cast<uint8_t*>(whole->buf_addr) + frag_buffer_pool::k_payload_at;
  std::memcpy(payload + piece.offset, reinterpret_cast<const uint8_t*>(ip) + header_len, piece.len);
  // The first fragment's Ethernet and IPv4 headers become the datagram's (RFC 791: options not
  // copied into later fragments appear in the first one only).
  if (piece.offset == 0)
    std::memcpy(payload - header_len - sizeof(rte_ether_hdr), eth, sizeof(rte_ether_hdr) + header_len);
  rte_pktmbuf_free(m);
  if (o.what == frag_outcome::kind::held) return nullptr;

  frag_buffers_[o.slot] = nullptr;
  frags_.release(o.slot);
  const uint32_t ip_len = o.header_len + o.total;
  whole->data_off = uint16_t(frag_buffer_pool::k_payload_at - o.header_len - sizeof(rte_ether_hdr));
  whole->data_len = uint16_t(sizeof(rte_ether_hdr) + ip_len);
  whole->pkt_len = whole->data_len;
  whole->port = ports_[in_iface];
  auto* out = rte_pktmbuf_mtod_offset(whole, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  out->total_length = rte_cpu_to_be_16(uint16_t(ip_len));
  out->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  out->hdr_checksum = 0;
  out->hdr_checksum = rte_ipv4_cksum(out);
  // The header and payload are ours now, not what any NIC verified: no RX checksum verdict may
  // ride along into classify() (the L4 checksum of the whole datagram is checked in software).
  whole->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
  frag_pool_.set_largest_fragment(whole, o.largest);
  counters_.datagrams_reassembled.add();
  if (workers_ > 1) {
    const unsigned owner = owner_of(s, whole);
    if (owner != id_) return hand_off(owner, in_iface, whole), nullptr;
  }
  return whole;
}

void worker::expire_fragments() noexcept {
  frags_.expire(now_, [&](uint32_t slot, uint16_t fragments) {
    counters_.drop(drop_reason::ip_frag_timeout, fragments);
    rte_pktmbuf_free(frag_buffers_[slot]);
    frag_buffers_[slot] = nullptr;
  });
}

void worker::send_reassembled(const snapshot& s, uint16_t iface, uint32_t next_hop,
                              rte_mbuf* m) noexcept {
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  uint16_t largest_piece = k_link_mtu;
  if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) {
    // Only a datagram reassembled from fragments that carried DF gets here with it set (TUN
    // answers its own DF case with fragmentation-needed before encapsulating). Its sender
    // fragmented it and forbade bigger pieces on the way, so it leaves cut no bigger than its
    // biggest fragment, DF on each piece, as Linux forwards a defragmented datagram
    // (ip_do_fragment with frag_max_size). Dropping it instead would black-hole the sender: a
    // frag-needed naming the link MTU tells it nothing, its fragments already fit.
    const uint16_t largest =
        frag_buffer_pool::holds_datagram(m) ? frag_pool_.largest_fragment(m) : uint16_t(0);
    // A DF fragment bigger than the egress link itself (only from an ingress with a larger MTU).
    if (largest == 0 || largest > k_link_mtu) return drop(m, drop_reason::ip_df_too_big);
    // 68 bytes cross every link unfragmented (RFC 791), and the library cuts no finer.
    largest_piece = std::max<uint16_t>(largest, RTE_ETHER_MIN_MTU);
  }
  if (rte_pktmbuf_pkt_len(m) <= sizeof(rte_ether_hdr) + largest_piece) {
    rte_mbuf* copy = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
    if (copy == nullptr) return drop(m, drop_reason::fragment_no_mbuf);
    rte_pktmbuf_free(m);
    return send_via(s, iface, next_hop, copy);
  }
  rte_mbuf* out[k_max_out_fragments];
  const int n = fragment_frame(m, largest_piece, pool_, out, k_max_out_fragments);
  if (n < 0) return drop(m, drop_reason::fragment_no_mbuf);
  counters_.datagrams_fragmented.add();
  counters_.fragments_sent.add(unsigned(n));
  for (int i = 0; i < n; ++i) send_via(s, iface, next_hop, out[i]);
}

} // namespace sluice
