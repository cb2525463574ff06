// The miss path: a packet no flow has. Its destination is resolved to a service, the ACLs
// decide, the scheduler (or the client's affinity) chooses a backend, and the flow is inserted
// and accounted; a burst's new flows are scheduled together before any is inserted.

#include <bit>
#include <cerrno>

#include "dataplane/sched/pick.hpp"
#include "dataplane/pipeline/stages.hpp"

namespace sluice::pipeline {

bool resolve_destination(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept {
  c.service = nullptr;
  // Only a VIP has services; full-NAT replies (to a local address or, without one configured,
  // to the interface's own address) have flows, and forward_miss() decides the rest.
  if (!c.destination(s).is(local_kind::vip)) return true;
  c.service = vip_service_of(s, c.pkt);
  if (c.service == nullptr) return st.out.drop(c.m, drop_reason::no_service), false;
  return true;
}

void forward_miss(pipeline_state& st, const snapshot& s, packet_desc& c, const flow_key& key,
                  uint64_t created_before, new_flow* planned) noexcept {
  if (c.service == nullptr) {
    // The interface's own address: what the dataplane does not forward is the kernel's.
    if (c.dest.is(local_kind::iface_address))
      return st.out.to_kernel(c.in_iface, c.m, drop_reason::local_delivery_unsupported);
    // owner_of() steers a packet to an address not ours where a reply to that client goes. A
    // client's packet to a VIP removed while its flows drain (control/admin/api.hpp) is one too,
    // but its flow lives on its source's owner: missed on the destination's owner, it goes on to
    // that worker, which owns the source and so never hands it further.
    if (!c.dest && st.workers > 1) {
      const unsigned client_owner = flow_owner(c.src(), st.workers);
      if (client_owner != st.id) return st.out.to_worker(client_owner, c.in_iface, c.m);
    }
    return st.out.drop(c.m, drop_reason::no_flow);
  }
  // The plan's provisional count goes: the flow is counted once inserted, or never.
  if (planned != nullptr && planned->counted_as_planned()) st.ledger.withdrawn(planned->f);
  // An earlier packet of this burst may have opened the flow after the bulk lookup.
  if (st.ledger.opened_so_far() != created_before)
    if (const auto hit = st.flows.lookup(key))
      return forward_on_flow(st, s, c, hit->index, hit->dir, false);
  if (planned != nullptr) return insert_flow(st, s, c, *planned);
  open_flow(st, s, c);
}

uint64_t plan_new_flows(pipeline_state& st, const snapshot& s, packet_desc* c,
                        const flow_table::probe* probes, unsigned n, uint64_t eligible) noexcept {
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
    if (repeated || schedule_flow(st, s, c[i], st.planned[i])) continue;
    plans |= bit;
    new_flow& nf = st.planned[i];
    // Full-NAT's reply tuple names its local endpoint: the first candidate is drawn now, so the
    // burst's flows take them in the order they would one at a time. Without a local address the
    // flow is left to insert_flow(), which drops it; scheduling it again there would move the
    // scheduler twice.
    if (mode == forwarding::fnat) {
      nf.local_drawn = draw_local_endpoint(st, s, *c[i].service, nf.f);
      if (!nf.local_drawn) continue;
    }
    // Counted now, as a flow of its backend, so that lc and wlc see it when they choose for the
    // next new flow; forward_miss() takes the count back before inserting it. (What they do not
    // see is a state change the same burst makes to an existing flow — an ACK establishing it
    // after the burst's SYNs were scheduled — until the next burst: a burst is microseconds.)
    st.ledger.planned(nf.f);
    st.flows.prefetch_homes(nf.f);
  }
  return plans;
}

std::optional<uint32_t> choose_backend(pipeline_state& st, const snapshot& s,
                                       const packet_desc& c) noexcept {
  const snapshot_service& svc = *c.service;
  const uint32_t client = c.pkt.ip->src_addr;
  if (svc.persistence != 0) {
    if (const auto slot = st.affinity.backend_slot(client, svc.slot, st.now)) {
      const uint32_t i = svc.block->by_slot.find(snapshot::slot_key(*slot));
      // A template whose backend left the service or drains no longer binds its client.
      if (i != flat_index::k_absent && svc.block->backends[i].weight > 0) {
        st.affinity.remember(client, svc.slot, *slot, st.now + svc.persistence * st.tsc_hz);
        return i;
      }
    }
  }
  const auto picked =
      pick_backend(s, svc, sched_tuple_of(c.pkt), st.sched, st.stats.backends.get());
  if (picked && svc.persistence != 0)
    st.affinity.remember(client, svc.slot, svc.block->backends[*picked].slot,
                         st.now + svc.persistence * st.tsc_hz);
  return picked;
}

void open_flow(pipeline_state& st, const snapshot& s, packet_desc& c) noexcept {
  new_flow nf;
  if (const auto refused = schedule_flow(st, s, c, nf)) return st.out.drop(c.m, *refused);
  insert_flow(st, s, c, nf);
}

std::optional<drop_reason> schedule_flow(pipeline_state& st, const snapshot& s, packet_desc& c,
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
  const auto picked = choose_backend(st, s, c);
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
      .last_seen = st.now,
  };
  return std::nullopt;
}

void insert_flow(pipeline_state& st, const snapshot& s, packet_desc& c, new_flow& nf) noexcept {
  const snapshot_service& svc = *c.service;
  flow& f = nf.f;
  int64_t index =
      svc.mode == forwarding::fnat ? insert_fnat(st, s, svc, c, nf) : st.flows.insert(f);
  // Full-NAT draws another local port instead (insert_fnat()); a NAT reply tuple is the client's.
  if (index == -EEXIST && svc.mode == forwarding::nat && free_reply_tuple(st, f, !nf.adopted))
    index = st.flows.insert(f);
  if (index == -ENOSPC && nf.untracked_ok) return forward_untracked(st, s, c, f);
  if (index == -ENOSPC) return st.out.drop(c.m, drop_reason::flow_table_full);
  if (index == -EADDRNOTAVAIL) return st.out.drop(c.m, drop_reason::fnat_no_local_port);
  if (index < 0) return st.out.drop(c.m, drop_reason::flow_key_conflict);
  st.ledger.opened(f, nf.adopted);
  forward_on_flow(st, s, c, static_cast<uint32_t>(index), flow_dir::forward, true);
}

bool free_reply_tuple(pipeline_state& st, const flow& f, bool opening) noexcept {
  const auto hit = st.flows.lookup(f.reply_key());
  if (!hit || hit->dir != flow_dir::reply) return false;
  const flow& holder = st.flows.at(hit->index);
  const bool over = st.now >= st.flows.deadline(holder) ||
                    (f.proto == IPPROTO_TCP && opening && is_closing(holder.state));
  if (!over) return false;
  end_reused_flow(st, hit->index);
  return true;
}

void forward_untracked(pipeline_state& st, const snapshot& s, packet_desc& c, flow& f) noexcept {
  st.counters.untracked_packets.add();
  st.ledger.carried(f, flow_dir::forward, rte_pktmbuf_pkt_len(c.m));
  if (f.mode == forwarding::dr) return forward_dr(st, s, c, f);
  forward_tun(st, s, c, f);
}

} // namespace sluice::pipeline
