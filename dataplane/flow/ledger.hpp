#pragma once
// The one place that accounts for a flow's life in the worker's counters: opened (created,
// active, half-open, its service's and backend's connections), every state change (its
// backend's ActiveConn/InActConn, which lc and wlc choose by, and the half-open gauge), and its
// end (expired, flushed, ended early because a new connection takes its tuple, or evicted as the
// oldest half-open flow), and the traffic it carries. Nothing else touches those counters.

#include "dataplane/flow/flow.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

class flow_ledger {
public:
  explicit flow_ledger(worker_stats& stats) noexcept : stats_(stats), counters_(stats.worker) {}

  // A flow inserted into the table; `adopted`: not opened by its first packet (an mh dr/tun
  // mid-connection segment).
  void opened(const flow& f, bool adopted) noexcept {
    counters_.flows_created.add();
    counters_.flows_active.add();
    if (adopted) counters_.flows_adopted.add();
    if (f.state == flow_state::tcp_syn_recv) counters_.half_open_flows.add();
    stats_.services[f.service_slot].conns.add();
    stats_.backends[f.backend_slot].conns.add();
    count(f);
  }
  // Flows opened so far: a burst compares it to learn whether a packet opened one.
  uint64_t opened_so_far() const noexcept { return counters_.flows_created.get(); }

  // A new flow scheduled but not inserted yet counts as its backend's, so that lc and wlc see it
  // when they choose for the next one; withdrawn before the insert counts it for good.
  void planned(const flow& f) noexcept { count(f); }
  void withdrawn(const flow& f) noexcept { uncount(f); }

  // `f` goes from its state to `next`.
  void state_changes(const flow& f, flow_state next) noexcept {
    // No state leads back to SYN_RECV (next_tcp_state()): a change only ever leaves it.
    if (f.state == flow_state::tcp_syn_recv) counters_.half_open_flows.sub();
    const bool was_active = f.state == flow_state::tcp_established;
    const bool is_active = next == flow_state::tcp_established;
    if (was_active == is_active) return;
    traffic_counters& b = stats_.backends[f.backend_slot];
    (was_active ? b.active : b.inactive).sub();
    (is_active ? b.active : b.inactive).add();
  }

  // How a flow leaves the table, before it is erased (one at a time), and the tallies of a run
  // of expiries or flushes once it is done.
  void ends(const flow& f) noexcept {
    if (f.state == flow_state::tcp_syn_recv) counters_.half_open_flows.sub();
    uncount(f);
  }
  void ended_early() noexcept { counters_.flows_active.sub(); }
  // The oldest half-open flow ended to make room for a new one (flow/half_open_limit.hpp).
  void evicted_half_open() noexcept {
    counters_.half_open_evicted.add();
    counters_.flows_active.sub();
  }
  void expired(unsigned n) noexcept {
    counters_.flows_expired.add(n);
    counters_.flows_active.sub(n);
  }
  void flushed(unsigned n) noexcept {
    counters_.flows_flushed.add(n);
    counters_.flows_active.sub(n);
  }

  // A packet of `f` forwarded in `dir`: its service's and backend's traffic.
  void carried(const flow& f, flow_dir dir, uint32_t bytes) noexcept {
    traffic_counters& svc = stats_.services[f.service_slot];
    traffic_counters& be = stats_.backends[f.backend_slot];
    if (dir == flow_dir::forward) {
      svc.in_packets.add();
      svc.in_bytes.add(bytes);
      be.in_packets.add();
      be.in_bytes.add(bytes);
    } else {
      svc.out_packets.add();
      svc.out_bytes.add(bytes);
      be.out_packets.add();
      be.out_bytes.add(bytes);
    }
  }

private:
  void count(const flow& f) noexcept {
    traffic_counters& b = stats_.backends[f.backend_slot];
    (f.state == flow_state::tcp_established ? b.active : b.inactive).add();
  }
  void uncount(const flow& f) noexcept {
    traffic_counters& b = stats_.backends[f.backend_slot];
    (f.state == flow_state::tcp_established ? b.active : b.inactive).sub();
  }

  worker_stats& stats_;
  worker_counters& counters_;
};

} // namespace sluice
