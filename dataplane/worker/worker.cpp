// The worker loop: receive, compose each burst from the pipeline's stages (dataplane/pipeline/),
// flush the egress, then bounded housekeeping (expiry, flow requests, neighbour ageing,
// gratuitous ARP).

#include "dataplane/worker/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <sys/prctl.h>
#include <time.h>

#include "dataplane/pipeline/stages.hpp"

namespace sluice {

worker::worker(const worker_setup& setup, const snapshot_publisher& publisher, worker_stats& stats)
    : publisher_(publisher),
      command_ring_(setup.commands != nullptr ? setup.commands->of(setup.id) : nullptr),
      garp_ring_(setup.commands != nullptr && setup.id == 0 ? setup.commands->garps() : nullptr),
      st_(setup, stats, rte_get_tsc_hz()),
      idle_(idle_timing::from_us(st_.tsc_hz, setup.idle.spin_us, setup.idle.max_sleep_us)),
      waiter_(setup.idle.how == idle_setup::mode::adaptive
                  ? std::make_unique<idle_waiter>(setup.idle.wakeups)
                  : nullptr) {}

void worker::run(const std::atomic<bool>& stop) noexcept {
  rcu_reader rcu(publisher_.qsbr(), st_.id);
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  st_.counters.running_since_ns.store(uint64_t(t.tv_sec) * 1'000'000'000 + uint64_t(t.tv_nsec),
                                      std::memory_order_relaxed);
  if (waiter_ == nullptr) {
    while (!stop.load(std::memory_order_relaxed)) {
      poll_once();
      rcu.quiescent();
    }
    return;
  }
  // Linux lets a sleep run up to 50 µs late by default (timer slack); the policy's sleeps are
  // short and their ends are the worker's latency bound.
  prctl(PR_SET_TIMERSLACK, 1000UL);
  while (!stop.load(std::memory_order_relaxed)) {
    poll_once();
    rcu.quiescent();
    rest_if_idle(&rcu);
  }
}

void worker::sleep_idle(uint64_t ticks, const rcu_reader* rcu) noexcept {
  if (rcu != nullptr) rcu->offline();
  const uint64_t start = rte_rdtsc();
  waiter_->wait(ticks * 1000 / (st_.tsc_hz / 1'000'000));
  const uint64_t slept = rte_rdtsc() - start;
  if (rcu != nullptr) rcu->online();
  st_.counters.wakeups.add();
  st_.counters.asleep_ns.add(slept * 1000 / (st_.tsc_hz / 1'000'000));
}

unsigned worker::poll_once() noexcept {
  const snapshot& s = *publisher_.current();
  pipeline_state& st = st_;
  st.now = rte_rdtsc();
  st.out.set_clock(st.now);
  unsigned received = 0;
  rte_mbuf* pkts[k_burst];
  for (uint16_t iface = 0; iface < st.ports.size(); ++iface) {
    const uint16_t n =
        rte_eth_rx_burst(st.ports[iface], static_cast<uint16_t>(st.id), pkts, k_burst);
    if (n == 0) continue;
    received += n;
    if (st.workers == 1)
      pipeline::process_burst(st, s, pkts, n, iface);
    else
      pipeline::steer(st, s, iface, pkts, n);
  }
  unsigned other = 0; // packets from other workers and the kernel twins
  if (st.workers > 1) other += pipeline::receive_handoffs(st, s);
  if (st.out.any_kernel_twin() && (received == 0 || st.now >= next_twin_poll_)) {
    other += st.out.relay_from_kernel();
    next_twin_poll_ = st.now + st.tsc_hz * k_twin_poll_us / 1000000;
  }
  st.out.flush();
  st.counters.polls.add();
  if (received) {
    st.counters.busy_polls.add();
    st.counters.rx_packets.add(received);
  }
  if (st.now >= next_expiry_) {
    // Expiry runs on a clock, not every loop: a busy worker pays for it once per interval
    // (a few cycles per packet), an idle one scans no faster than it needs to.
    const unsigned expired =
        st.flows.expire(st.now, k_expire_budget, [&](const flow& f) { st.ledger.ends(f); });
    if (expired) st.ledger.expired(expired);
    st.affinity.expire(st.now, k_expire_budget);
    if (st.frags.in_use() != 0) pipeline::expire_fragments(st);
    if (command_ring_ != nullptr) serve_flow_command();
    if (garp_ring_ != nullptr) send_garps(s);
    next_expiry_ = st.now + expiry_interval_;
  }
  if (st.now >= next_neigh_scan_) {
    st.out.age_neighbours(s);
    st.out.flush();
    // Waiting packets are dropped at most that late.
    next_neigh_scan_ = st.now + st.out.neighbour_scan_interval();
  }
  // A flow request being walked keeps the worker awake until it is answered.
  worked_ = (received | other) != 0 || command_ != nullptr;
  return received;
}

} // namespace sluice
