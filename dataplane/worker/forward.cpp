// Burst processing: classify every packet, look the flow candidates up in one bulk call, then
// forward on existing flows or open new ones.

#include <rte_ether.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include <bit>

#include "dataplane/arp/arp.hpp"
#include "dataplane/icmp/echo.hpp"
#include "dataplane/icmp/error.hpp"
#include "dataplane/route/next_hop.hpp"
#include "dataplane/sched/pick.hpp"
#include "dataplane/worker/worker.hpp"
#include "dataplane/xmit/nat.hpp"

namespace sluice {
namespace {

bool frame_is_for(const rte_ether_hdr* eth, const rte_ether_addr& ours) noexcept {
  return rte_is_same_ether_addr(&eth->dst_addr, &ours) ||
         rte_is_broadcast_ether_addr(&eth->dst_addr);
}

uint8_t tcp_flags(const ipv4_packet& p) noexcept {
  return p.proto == IPPROTO_TCP ? reinterpret_cast<const rte_tcp_hdr*>(p.l4)->tcp_flags : 0;
}

flow_key::words key_of(const ipv4_packet& p) noexcept {
  const auto* ports = reinterpret_cast<const uint16_t*>(p.l4);
  return flow_key::ipv4_words(p.ip->src_addr, p.ip->dst_addr, ports[0], ports[1], p.proto);
}

// The NIC's verdict on the IPv4 header checksum. NONE: the header's integrity was verified though
// its checksum field is not correct (rte_mbuf_core.h), as good as GOOD for accepting it. Only an
// mbuf as the NIC filled it carries one: reassembled datagrams are rebuilt in buffers whose flags
// are cleared (worker/fragments.cpp).
header_checksum ip_checksum_verdict(const rte_mbuf* m) noexcept {
  switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
  case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
  case RTE_MBUF_F_RX_IP_CKSUM_NONE:
    return header_checksum::nic_good;
  case RTE_MBUF_F_RX_IP_CKSUM_BAD:
    return header_checksum::nic_bad;
  default:
    return header_checksum::unverified;
  }
}

// The NIC's verdict on the L4 checksum, or a software check when it gave none.
bool l4_checksum_valid(const rte_mbuf* m, const ipv4_packet& p) noexcept {
  switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
  case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
    return true;
  case RTE_MBUF_F_RX_L4_CKSUM_BAD:
    return false;
  default:
    return l4_checksum_ok(p);
  }
}

} // namespace

void worker::process_burst(const snapshot& s, rte_mbuf** pkts, unsigned n,
                           int in_iface) noexcept {
  candidate cands[k_burst];
  flow_table::probe probes[k_burst];
  unsigned nc = 0;
  for (unsigned i = 0; i < k_prefetch_ahead && i < n; ++i)
    rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  for (unsigned i = 0; i < n; ++i) {
    if (i + k_prefetch_ahead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + k_prefetch_ahead], void*));
    const uint16_t iface =
        in_iface == k_iface_from_mbuf ? iface_of_port_[pkts[i]->port] : uint16_t(in_iface);
    if (classify(s, iface, pkts[i], cands[nc])) continue;
    flows_.prepare(key_of(cands[nc].pkt), probes[nc]);
    ++nc;
  }
  // The table's loads in runs, not one per packet between other work: on this VM a load or
  // prefetch that misses the TLB holds up retirement for its page walk, so a run keeps many walks
  // in flight while one per packet serialises them (measured at 1M flows: starting each bucket's
  // load as its packet was parsed cost 1.15x the cycles, each record's 1.5x).
  for (unsigned i = 0; i < nc; ++i) flows_.fetch(probes[i]);
  for (unsigned i = 0; i < nc; ++i) flows_.match(probes[i]);
  if (nc) forward_flows(s, cands, probes, nc);
}

bool worker::classify(const snapshot& s, uint16_t in_iface, rte_mbuf* m, candidate& c) noexcept {
  const uint32_t len = rte_pktmbuf_data_len(m);
  if (len < sizeof(rte_ether_hdr)) return drop(m, drop_reason::frame_truncated), true;
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (!frame_is_for(eth, s.ifaces[in_iface].mac)) return drop(m, drop_reason::not_our_mac), true;

  uint8_t* l3 = reinterpret_cast<uint8_t*>(eth + 1);
  const uint32_t l3_len = len - sizeof(rte_ether_hdr);
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
    if (const auto bad = parse_arp(l3, l3_len)) return drop(m, *bad), true;
    handle_arp(s, in_iface, m);
    return true;
  }
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
    return drop(m, drop_reason::ethertype_unsupported), true;
  // IPv4 traffic must be unicast to us; broadcast is only for ARP.
  if (rte_is_broadcast_ether_addr(&eth->dst_addr)) return drop(m, drop_reason::not_our_mac), true;

  ipv4_packet& p = c.pkt;
  if (const auto bad = parse_ipv4(l3, l3_len, p, ip_checksum_verdict(m))) {
    if (*bad != drop_reason::ip_fragment) return drop(m, *bad), true;
    // A whole datagram comes back once its last fragment arrived: classified like any packet.
    rte_mbuf* whole = reassemble(s, in_iface, m);
    return whole == nullptr || classify(s, in_iface, whole, c);
  }
  if (const auto bad = check_l4_header(p)) return drop(m, *bad), true;
  if (is_icmp_error(p)) return handle_icmp_error(s, in_iface, m, p), true;
  if ((p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP) && p.ip->time_to_live > 1) {
    c.m = m;
    c.in_iface = in_iface;
    return false;
  }
  deliver_locally(s, in_iface, m, p);
  return true;
}

void worker::deliver_locally(const snapshot& s, uint16_t in_iface, rte_mbuf* m,
                             const ipv4_packet& p) noexcept {
  const bool is_tcp_udp = p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP;
  const uint32_t local = s.local_addrs.find(snapshot::addr_key(p.ip->dst_addr));
  if (local == flat_index::k_absent) {
    if (!is_tcp_udp) return drop(m, drop_reason::no_flow);
    expire(s, in_iface, m, p);
    return;
  }
  const auto kind = static_cast<local_kind>(local >> 16);
  // For the interface's own address, what the dataplane neither answers nor forwards is the
  // kernel's (exception path); to_kernel() drops it with the reason given when there is none.
  const bool kernels = kind == local_kind::iface_address;
  if (p.proto == IPPROTO_ICMP) {
    if (!is_echo_request(p)) {
      if (kernels) return to_kernel(in_iface, m, drop_reason::icmp_unsupported);
      return drop(m, drop_reason::icmp_unsupported);
    }
    if (!l4_checksum_ok(p)) return drop(m, drop_reason::l4_bad_checksum);
    if (!icmp_limit_.allow(now_)) return drop(m, drop_reason::icmp_rate_limited);
    make_echo_reply(rte_pktmbuf_mtod(m, rte_ether_hdr*), p);
    counters_.icmp_echo_replies.add();
    return enqueue_tx(in_iface, m);
  }
  if (!is_tcp_udp) {
    if (kernels) return to_kernel(in_iface, m, drop_reason::proto_unsupported);
    return drop(m, drop_reason::proto_unsupported);
  }
  // TCP/UDP whose TTL ends here. Delivered, not forwarded: a TTL of 1 is fine for the
  // interface's own address (eBGP peers send exactly that).
  if (kernels && has_kernel_twin(in_iface))
    return to_kernel(in_iface, m, drop_reason::local_delivery_unsupported);
  // A VIP port without a service still has the flows of a removed one draining (this worker's,
  // steering brings the client's packets to their owner): theirs are answered as they were while
  // the service lived. Only a TTL-1 packet to such a port pays for the lookup.
  if (kind == local_kind::vip && vip_service_of(s, p) == nullptr &&
      !flows_.lookup(std::bit_cast<flow_key>(key_of(p))))
    return drop(m, drop_reason::no_service);
  expire(s, in_iface, m, p);
}

bool worker::resolve_destination(const snapshot& s, candidate& c) noexcept {
  c.service = nullptr;
  const uint32_t local = s.local_addrs.find(snapshot::addr_key(c.pkt.ip->dst_addr));
  if (local == flat_index::k_absent) {
    c.on_miss = drop_reason::no_flow;
    return true;
  }
  const auto kind = static_cast<local_kind>(local >> 16);
  if (kind != local_kind::vip) {
    // Full-NAT replies (to a local address or, without one configured, to the interface's own
    // address) have flows; the rest of the interface address's traffic goes to the kernel.
    c.on_miss = kind == local_kind::iface_address ? drop_reason::local_delivery_unsupported
                                                  : drop_reason::no_flow;
    return true;
  }
  c.service = vip_service_of(s, c.pkt);
  if (c.service == nullptr) return drop(c.m, drop_reason::no_service), false;
  return true;
}

void worker::handle_arp(const snapshot& s, uint16_t in_iface, rte_mbuf* m) noexcept {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  const snapshot_iface& f = s.ifaces[in_iface];
  const uint32_t sender = arp->arp_data.arp_sip;
  const bool sender_on_link = sender != 0 && (sender & f.netmask) == (f.addr & f.netmask);
  const uint32_t local = s.local_addrs.find(snapshot::addr_key(arp->arp_data.arp_tip));
  // Each address is answered only on the link it lives on (interface address, or VIP in that
  // interface's subnet).
  const bool ours = local != flat_index::k_absent && (local & 0xffff) == in_iface;

  if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY)) {
    if (sender_on_link) share_neighbour(s, in_iface, sender, arp->arp_data.arp_sha);
    counters_.arp_replies_received.add();
    // The kernel twin resolves its own neighbours: it gets every reply to the interface's
    // address (the dataplane answers requests itself, so the kernel never learns from those).
    if (ours && static_cast<local_kind>(local >> 16) == local_kind::iface_address &&
        has_kernel_twin(in_iface))
      return to_kernel(in_iface, m, drop_reason::arp_not_for_us);
    rte_pktmbuf_free(m);
    return;
  }
  if (!ours) {
    // Someone else's request still proves the sender's MAC if we were already waiting for it.
    if (sender_on_link && neighbours_.find(in_iface, sender) != nullptr)
      share_neighbour(s, in_iface, sender, arp->arp_data.arp_sha);
    return drop(m, drop_reason::arp_not_for_us);
  }
  if (sender_on_link) share_neighbour(s, in_iface, sender, arp->arp_data.arp_sha);
  make_arp_reply(eth, arp, f.mac);
  counters_.arp_replies_sent.add();
  enqueue_tx(in_iface, m);
}

void worker::forward_flows(const snapshot& s, candidate* c, const flow_table::probe* probes,
                           unsigned n) noexcept {
  flow_hit hits[k_burst];
  // Also leaves the found flows' records in cache (the lookup confirms keys against them).
  const uint64_t found = flows_.confirm_bulk(probes, n, hits);
  uint64_t consumed = 0; // misses to a VIP port without a service
  for (unsigned i = 0; i < n; ++i)
    if (!(found & (uint64_t{1} << i)) && !resolve_destination(s, c[i])) consumed |= uint64_t{1} << i;
  bool admitted[k_burst];
  if (s.acl != nullptr) acl_screen(s, c, n, found | consumed, admitted);
  // The burst's new NAT and full-NAT flows are scheduled before any is inserted: a flow's reply
  // tuple is known only once its backend (and for full-NAT its local endpoint) is chosen, and the
  // home buckets of all of them load together instead of one at each insert (a cold read that
  // was ~10 % of a new flow's cost at 1M flows).
  uint64_t opening = 0; // misses with a service, admitted
  const uint64_t decided = found | consumed;
  static_assert(k_burst < 64, "burst masks are 64-bit");
  if (decided != (uint64_t{1} << n) - 1)
    for (unsigned i = 0; i < n; ++i)
      if (!(decided >> i & 1) && c[i].service != nullptr && (s.acl == nullptr || admitted[i]))
        opening |= uint64_t{1} << i;
  const uint64_t plans = opening != 0 ? plan_new_flows(s, c, probes, n, opening) : 0;
  const uint64_t created_before = counters_.flows_created.get();
  const uint64_t erased_before = flows_.erasures();
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    if (found & bit) {
      if (flows_.erasures() == erased_before) {
        forward_on_flow(s, c[i], hits[i].index, hits[i].dir, false);
        continue;
      }
      // An earlier packet of this burst erased a flow (a reused tuple), whose slot a flow opened
      // since may hold: the hit is looked up again, and if its flow is gone it is a miss decided
      // on its own, as it would have been in a burst of its own.
      if (const auto hit = flows_.lookup(probes[i].key))
        forward_on_flow(s, c[i], hit->index, hit->dir, false);
      else if (resolve_destination(s, c[i]) &&
               (c[i].service == nullptr || s.acl == nullptr || acl_admit(s, c[i])))
        forward_miss(s, c[i], probes[i].key, created_before);
      continue;
    }
    if (consumed & bit) continue;                   // resolve_destination() dropped and counted it
    if (s.acl != nullptr && !admitted[i]) continue; // acl_screen() dropped and counted it
    forward_miss(s, c[i], probes[i].key, created_before, plans & bit ? &planned_[i] : nullptr);
  }
}

void worker::forward_miss(const snapshot& s, candidate& c, const flow_key& key,
                          uint64_t created_before, new_flow* planned) noexcept {
  if (c.service == nullptr) {
    if (c.on_miss == drop_reason::local_delivery_unsupported)
      return to_kernel(c.in_iface, c.m, c.on_miss);
    // owner_of() steers a packet to an address not ours where a reply to that client goes. A
    // client's packet to a VIP removed while its flows drain (control/admin/api.hpp) is one too,
    // but its flow lives on its source's owner: missed on the destination's owner, it goes on to
    // that worker, which owns the source and so never hands it further.
    if (c.on_miss == drop_reason::no_flow && workers_ > 1) {
      const unsigned client_owner = flow_owner(c.pkt.ip->src_addr, workers_);
      if (client_owner != id_ &&
          s.local_addrs.find(snapshot::addr_key(c.pkt.ip->dst_addr)) == flat_index::k_absent)
        return hand_off(client_owner, c.in_iface, c.m);
    }
    return drop(c.m, c.on_miss);
  }
  // The plan's provisional count goes: the flow is counted once inserted, or never.
  if (planned != nullptr && planned->counted_as_planned()) forget_flow(planned->f);
  // An earlier packet of this burst may have opened the flow after the bulk lookup.
  if (counters_.flows_created.get() != created_before)
    if (const auto hit = flows_.lookup(key)) return forward_on_flow(s, c, hit->index, hit->dir, false);
  if (planned != nullptr) return insert_flow(s, c, *planned);
  open_flow(s, c);
}

uint64_t worker::plan_new_flows(const snapshot& s, candidate* c, const flow_table::probe* probes,
                                unsigned n, uint64_t eligible) noexcept {
  uint64_t plans = 0;
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    if (!(eligible & bit)) continue;
    const forwarding mode = c[i].service->mode;
    if (mode != forwarding::nat && mode != forwarding::fnat) continue;
    // A tuple planned already (a retransmitted SYN) is decided in order, on the first's flow.
    bool repeated = false;
    for (uint64_t p = plans; p != 0 && !repeated; p &= p - 1) {
      const flow_table::probe& other = probes[std::countr_zero(p)];
      repeated = other.home == probes[i].home && other.sig == probes[i].sig &&
                 other.key == probes[i].key;
    }
    // What would be refused is left to forward_miss(), which drops it in order (a segment that
    // is not a SYN may belong to a flow an earlier packet of the burst opens).
    if (repeated || schedule_flow(s, c[i], planned_[i])) continue;
    plans |= bit;
    new_flow& nf = planned_[i];
    // Full-NAT's reply tuple names its local endpoint: the first candidate is drawn now, so the
    // burst's flows take them in the order they would one at a time. Without a local address the
    // flow is left to insert_flow(), which drops it; scheduling it again there would move the
    // scheduler twice.
    if (mode == forwarding::fnat) {
      nf.local_drawn = draw_local_endpoint(s, *c[i].service, nf.f);
      if (!nf.local_drawn) continue;
    }
    // Counted now, as a flow of its backend, so that lc and wlc see it when they choose for the
    // next new flow; forward_miss() takes the count back before inserting it. (What they do not
    // see is a state change the same burst makes to an existing flow — an ACK establishing it
    // after the burst's SYNs were scheduled — until the next burst: a burst is microseconds.)
    count_flow(nf.f);
    flows_.prefetch_homes(nf.f);
  }
  return plans;
}

void worker::set_state(flow& f, flow_state next) noexcept {
  if (f.state == next) return;
  traffic_counters& b = stats_.backends[f.backend_slot];
  const bool was_active = f.state == flow_state::tcp_established;
  const bool is_active = next == flow_state::tcp_established;
  if (was_active != is_active) {
    (was_active ? b.active : b.inactive).sub();
    (is_active ? b.active : b.inactive).add();
  }
  const bool shorter = flows_.timeout_tsc(next) < flows_.timeout_tsc(f.state);
  f.state = next;
  // The flow's timer stands at its old deadline; a longer timeout is found when it comes due,
  // a shorter one (FIN, RST, an ACL reset) must not wait for it.
  if (shorter) flows_.rearm(f);
}

void worker::forward_on_flow(const snapshot& s, candidate& c, uint32_t index, flow_dir dir,
                             bool checksum_verified) noexcept {
  flow& f = flows_.at(index);
  const uint8_t flags = tcp_flags(c.pkt);
  // Only segments that change TCP state are verified on established flows: the incremental
  // rewrite keeps a corrupt checksum corrupt, so the endpoint still drops such a packet, and a
  // full sum over every payload would cost more than the whole rest of the forwarding.
  if (!checksum_verified && (flags & (k_tcp_syn | k_tcp_fin | k_tcp_rst)) &&
      !l4_checksum_valid(c.m, c.pkt))
    return drop(c.m, drop_reason::l4_bad_checksum);
  if (dir == flow_dir::forward && f.proto == IPPROTO_TCP && is_tuple_reuse(f.state, flags)) {
    // The client reuses the tuple of a closing connection: schedule it afresh.
    end_reused_flow(index);
    if (!resolve_destination(s, c)) return;
    // Its VIP is gone: the old flow was all that still took it.
    if (c.service == nullptr) return drop(c.m, drop_reason::no_service);
    if (s.acl != nullptr && !acl_admit(s, c)) return;
    return open_flow(s, c);
  }
  if (f.acl_hold != 0 && !acl_on_flow(s, c, f, dir)) return;
  if (f.proto == IPPROTO_TCP) set_state(f, next_tcp_state(f.state, dir, flags));
  f.last_seen = now_;

  const uint32_t bytes = rte_pktmbuf_pkt_len(c.m);
  traffic_counters& svc = stats_.services[f.service_slot];
  traffic_counters& be = stats_.backends[f.backend_slot];
  if (dir == flow_dir::forward) {
    svc.in_packets.add();
    svc.in_bytes.add(bytes);
    be.in_packets.add();
    be.in_bytes.add(bytes);
    if (f.mode == forwarding::dr) return forward_dr(s, c, f);
    if (f.mode == forwarding::tun) return forward_tun(s, c, f);
    if (f.mode == forwarding::fnat) return forward_fnat(s, c, f, dir);
    nat_rewrite_destination(c.pkt, {f.backend_addr, f.backend_port});
    route_flow_out(s, c.m, f, dir, f.backend_addr);
  } else {
    svc.out_packets.add();
    svc.out_bytes.add(bytes);
    be.out_packets.add();
    be.out_bytes.add(bytes);
    if (f.mode == forwarding::fnat) return forward_fnat(s, c, f, dir);
    nat_rewrite_source(c.pkt, {f.vip, f.vip_port});
    route_flow_out(s, c.m, f, dir, f.client_addr);
  }
}

std::optional<uint32_t> worker::choose_backend(const snapshot& s, const candidate& c) noexcept {
  const snapshot_service& svc = *c.service;
  const uint32_t client = c.pkt.ip->src_addr;
  if (svc.persistence != 0) {
    if (const auto slot = affinity_.backend_slot(client, svc.slot, now_)) {
      const uint32_t i = svc.block->by_slot.find(snapshot::slot_key(*slot));
      // A template whose backend left the service or drains no longer binds its client.
      if (i != flat_index::k_absent && svc.block->backends[i].weight > 0) {
        affinity_.remember(client, svc.slot, *slot, now_ + svc.persistence * tsc_hz_);
        return i;
      }
    }
  }
  const auto picked = pick_backend(s, svc, sched_tuple_of(c.pkt), sched_, stats_.backends.get());
  if (picked && svc.persistence != 0)
    affinity_.remember(client, svc.slot, svc.block->backends[*picked].slot,
                       now_ + svc.persistence * tsc_hz_);
  return picked;
}

void worker::open_flow(const snapshot& s, candidate& c) noexcept {
  new_flow nf;
  if (const auto refused = schedule_flow(s, c, nf)) return drop(c.m, *refused);
  insert_flow(s, c, nf);
}

std::optional<drop_reason> worker::schedule_flow(const snapshot& s, candidate& c,
                                                 new_flow& out) noexcept {
  const snapshot_service& svc = *c.service;
  // Nothing is scheduled or stored for a packet that was corrupted on the way.
  if (!l4_checksum_valid(c.m, c.pkt)) return drop_reason::l4_bad_checksum;
  const uint8_t flags = tcp_flags(c.pkt);
  const bool opening = svc.proto != IPPROTO_TCP || (flags & (k_tcp_syn | k_tcp_ack | k_tcp_rst)) == k_tcp_syn;
  // Maglev (NSDI'16 §3.3): a mid-connection segment of an mh service whose replies bypass the
  // gateway goes where its 5-tuple hashes, which is where every appliance with the same backend
  // set sends it — so a connection another appliance was tracking (ECMP moved it here) or this
  // one forgot (restart, full table) keeps its backend.
  const bool consistent = svc.scheduler == scheduler_kind::mh && !has_reply_path(svc.mode);
  if (!opening && !consistent) return drop_reason::tcp_not_syn;
  const auto picked = choose_backend(s, c);
  if (!picked) return drop_reason::no_backend;
  const snapshot_backend& be = svc.block->backends[*picked];

  const auto* ports = reinterpret_cast<const uint16_t*>(c.pkt.l4);
  out.adopted = !opening;
  out.untracked_ok = consistent;
  out.local_drawn = false;
  out.f = flow{
      .client_addr = c.pkt.ip->src_addr,
      .vip = c.pkt.ip->dst_addr,
      .backend_addr = be.addr,
      .client_port = ports[0],
      .vip_port = ports[1],
      // DR and TUN cannot change the port: with an any-port service be.port is 0.
      .backend_port = has_reply_path(svc.mode) ? be.port : ports[1],
      .proto = svc.proto,
      .state = svc.proto != IPPROTO_TCP ? flow_state::udp
               : opening                ? flow_state::tcp_syn_recv
                                        : next_tcp_state(flow_state::tcp_established, flow_dir::forward, flags),
      .service_slot = svc.slot,
      .backend_slot = be.slot,
      .mode = svc.mode,
      .acl_hold = s.acl != nullptr ? c.acl_hold : uint8_t{0},
      .last_seen = now_,
  };
  return std::nullopt;
}

void worker::insert_flow(const snapshot& s, candidate& c, new_flow& nf) noexcept {
  const snapshot_service& svc = *c.service;
  flow& f = nf.f;
  int64_t index = svc.mode == forwarding::fnat ? insert_fnat(s, svc, c, nf) : flows_.insert(f);
  // Full-NAT draws another local port instead (insert_fnat()); a NAT reply tuple is the client's.
  if (index == -EEXIST && svc.mode == forwarding::nat && free_reply_tuple(f, !nf.adopted))
    index = flows_.insert(f);
  if (index == -ENOSPC && nf.untracked_ok) return forward_untracked(s, c, f);
  if (index == -ENOSPC) return drop(c.m, drop_reason::flow_table_full);
  if (index == -EADDRNOTAVAIL) return drop(c.m, drop_reason::fnat_no_local_port);
  if (index < 0) return drop(c.m, drop_reason::flow_key_conflict);
  counters_.flows_created.add();
  counters_.flows_active.add();
  if (nf.adopted) counters_.flows_adopted.add();
  stats_.services[f.service_slot].conns.add();
  stats_.backends[f.backend_slot].conns.add();
  count_flow(f);
  forward_on_flow(s, c, static_cast<uint32_t>(index), flow_dir::forward, true);
}

void worker::forward_untracked(const snapshot& s, candidate& c, flow& f) noexcept {
  counters_.untracked_packets.add();
  const uint32_t bytes = rte_pktmbuf_pkt_len(c.m);
  stats_.services[f.service_slot].in_packets.add();
  stats_.services[f.service_slot].in_bytes.add(bytes);
  stats_.backends[f.backend_slot].in_packets.add();
  stats_.backends[f.backend_slot].in_bytes.add(bytes);
  if (f.mode == forwarding::dr) return forward_dr(s, c, f);
  forward_tun(s, c, f);
}

} // namespace sluice
