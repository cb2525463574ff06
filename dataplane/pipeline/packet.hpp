#pragma once
// The packet descriptor: what the parse stage learns about a packet, once, and every later
// stage reads instead of parsing again. Its family says which header view is filled; the
// accessors below are the seam every family-neutral stage reads addresses and keys through.

#include <rte_mbuf.h>
#include <rte_tcp.h>

#include <cstdint>

#include "dataplane/flow/flow.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/net/parse.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

// A TCP/UDP packet with TTL > 1, to be forwarded on its flow.
struct packet_desc {
  rte_mbuf* m;
  ipv4_packet pkt;        // the parsed headers, when family is ipv4
  // For flow misses only (an established packet never needs them): the service of its VIP and
  // port, or nullptr, and why a packet without service and flow is dropped
  // (local_delivery_unsupported: unless the kernel takes it). Set by the miss stage.
  const snapshot_service* service;
  drop_reason on_miss;
  addr_family family;     // which header view the parse stage filled
  local_address dest;     // what the destination is to us, once dest_known
  bool dest_known;
  uint8_t acl_hold;       // for a new flow: its flow::acl_hold (dataplane/acl/hold.hpp)
  uint16_t in_iface;      // the interface it arrived on
  // For a new flow the ACLs judged: the hit slot of the rule (or set default) that decided,
  // for tracing; in what was padding, so the descriptor stays 56 bytes.
  uint32_t acl_rule;

  // What the destination address is to us: looked up the first time a stage asks (a flow miss,
  // local delivery), then kept.
  const local_address& destination(const snapshot& s) noexcept {
    if (!dest_known) {
      dest = s.local_addrs.find(dst());
      dest_known = true;
    }
    return dest;
  }

  ip_addr src() const noexcept {
    switch (family) {
    case addr_family::ipv4:
      return ip_addr::ipv4(pkt.ip->src_addr);
    }
    unknown_family();
  }
  ip_addr dst() const noexcept {
    switch (family) {
    case addr_family::ipv4:
      return ip_addr::ipv4(pkt.ip->dst_addr);
    }
    unknown_family();
  }
};

static_assert(sizeof(packet_desc) == 56);

inline uint8_t tcp_flags(const ipv4_packet& p) noexcept {
  return p.proto == IPPROTO_TCP ? reinterpret_cast<const rte_tcp_hdr*>(p.l4)->tcp_flags : 0;
}

// The packet's flow key, as words for hashing in registers (flow_key::words).
inline flow_key::words key_of(const packet_desc& c) noexcept {
  switch (c.family) {
  case addr_family::ipv4: {
    const ipv4_packet& p = c.pkt;
    const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
    return flow_key::ipv4_words(p.ip->src_addr, p.ip->dst_addr, ports[0], ports[1], p.proto);
  }
  }
  unknown_family();
}

// The NIC's verdict on the L4 checksum, or a software check when it gave none.
inline bool l4_checksum_valid(const rte_mbuf* m, const ipv4_packet& p) noexcept {
  switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
  case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
    return true;
  case RTE_MBUF_F_RX_L4_CKSUM_BAD:
    return false;
  default:
    return l4_checksum_ok(p);
  }
}

} // namespace sluice
