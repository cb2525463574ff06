// The worker loop: receive, hand to the pipeline (dataplane/pipeline/), flush the egress, then
// bounded housekeeping (expiry, flow requests, neighbour ageing, gratuitous ARP).

#include "dataplane/worker/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <sys/prctl.h>
#include <time.h>


namespace sluice {

worker::worker(const worker_setup& setup, const snapshot_publisher& publisher,
               worker_stats& stats)
    : publisher_(publisher), stats_(stats), counters_(stats.worker), id_(setup.id),
      ports_(setup.ports), mesh_(setup.mesh),
      command_ring_(setup.commands != nullptr ? setup.commands->of(setup.id) : nullptr),
      garp_ring_(setup.commands != nullptr && setup.id == 0 ? setup.commands->garps() : nullptr),
      workers_(setup.mesh != nullptr ? setup.mesh->workers() : 1),
      flows_(setup.id, setup.flow_capacity, setup.socket_id, setup.timeouts), ledger_(stats),
      half_open_(setup.max_half_open),
      affinity_(setup.id, setup.affinity_capacity, setup.socket_id), tsc_hz_(rte_get_tsc_hz()),
      sched_(stats.service_slot_count, setup.id), local_endpoints_(setup.id, workers_),
      icmp_limit_(rte_get_tsc_hz()),
      // Room for every slot's datagram plus the completed ones still on their way out.
      frag_pool_(setup.id, setup.reassembly_slots + 2 * k_burst, setup.socket_id),
      frags_(setup.reassembly_slots, frag_buffer_pool::k_max_payload,
             rte_get_tsc_hz() / 1000 * setup.reassembly_timeout_ms),
      frag_buffers_(setup.reassembly_slots, nullptr),
      out_(setup, workers_, counters_, frag_pool_, tsc_hz_),
      idle_(idle_timing::from_us(tsc_hz_, setup.idle.spin_us, setup.idle.max_sleep_us)),
      waiter_(setup.idle.how == idle_setup::mode::adaptive
                  ? std::make_unique<idle_waiter>(setup.idle.wakeups)
                  : nullptr) {
  for (uint16_t i = 0; i < ports_.size(); ++i) {
    if (ports_[i] >= iface_of_port_.size()) iface_of_port_.resize(ports_[i] + 1u, 0);
    iface_of_port_[ports_[i]] = i;
  }
}

worker::~worker() {
  // Reassembly buffers must all be back before frag_pool_ goes: those held for datagrams, and
  // those handed to another worker (the first worker destroyed drains every ring, while every
  // pool still exists). Buffers never reach a NIC (the egress copies or fragments them).
  for (rte_mbuf* b : frag_buffers_) rte_pktmbuf_free(b);
  if (mesh_ != nullptr) mesh_->drain();
}

void worker::run(const std::atomic<bool>& stop) noexcept {
  rcu_reader rcu(publisher_.qsbr(), id_);
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  counters_.running_since_ns.store(uint64_t(t.tv_sec) * 1'000'000'000 + uint64_t(t.tv_nsec),
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
  waiter_->wait(ticks * 1000 / (tsc_hz_ / 1'000'000));
  const uint64_t slept = rte_rdtsc() - start;
  if (rcu != nullptr) rcu->online();
  counters_.wakeups.add();
  counters_.asleep_ns.add(slept * 1000 / (tsc_hz_ / 1'000'000));
}

unsigned worker::poll_once() noexcept {
  const snapshot& s = *publisher_.current();
  now_ = rte_rdtsc();
  out_.set_clock(now_);
  unsigned received = 0;
  rte_mbuf* pkts[k_burst];
  for (uint16_t iface = 0; iface < ports_.size(); ++iface) {
    const uint16_t n = rte_eth_rx_burst(ports_[iface], static_cast<uint16_t>(id_), pkts, k_burst);
    if (n == 0) continue;
    received += n;
    if (workers_ == 1)
      process_burst(s, pkts, n, iface);
    else
      steer(s, iface, pkts, n);
  }
  unsigned other = 0; // packets from other workers and the kernel twins
  if (workers_ > 1) other += receive_handoffs(s);
  if (out_.any_kernel_twin() && (received == 0 || now_ >= next_twin_poll_)) {
    other += out_.relay_from_kernel();
    next_twin_poll_ = now_ + tsc_hz_ * k_twin_poll_us / 1000000;
  }
  out_.flush();
  counters_.polls.add();
  if (received) {
    counters_.busy_polls.add();
    counters_.rx_packets.add(received);
  }
  if (now_ >= next_expiry_) {
    // Expiry runs on a clock, not every loop: a busy worker pays for it once per interval
    // (a few cycles per packet), an idle one scans no faster than it needs to.
    const unsigned expired =
        flows_.expire(now_, k_expire_budget, [&](const flow& f) { ledger_.ends(f); });
    if (expired) ledger_.expired(expired);
    affinity_.expire(now_, k_expire_budget);
    if (frags_.in_use() != 0) expire_fragments();
    if (command_ring_ != nullptr) serve_flow_command();
    if (garp_ring_ != nullptr) send_garps(s);
    next_expiry_ = now_ + expiry_interval_;
  }
  if (now_ >= next_neigh_scan_) {
    out_.age_neighbours(s);
    out_.flush();
    // Waiting packets are dropped at most that late.
    next_neigh_scan_ = now_ + out_.neighbour_scan_interval();
  }
  // A flow request being walked keeps the worker awake until it is answered.
  worked_ = (received | other) != 0 || command_ != nullptr;
  return received;
}

void worker::end_reused_flow(uint32_t index) noexcept {
  ledger_.ends(flows_.at(index));
  flows_.erase(index);
  ledger_.ended_early();
}

bool worker::free_reply_tuple(const flow& f, bool opening) noexcept {
  const auto hit = flows_.lookup(f.reply_key());
  if (!hit || hit->dir != flow_dir::reply) return false;
  const flow& holder = flows_.at(hit->index);
  const bool over = now_ >= flows_.deadline(holder) ||
                    (f.proto == IPPROTO_TCP && opening && is_closing(holder.state));
  if (!over) return false;
  end_reused_flow(hit->index);
  return true;
}

} // namespace sluice
