#include "dataplane/pipeline/state.hpp"

namespace sluice {

pipeline_state::pipeline_state(const worker_setup& setup, worker_stats& all, uint64_t hz)
    : id(setup.id), workers(setup.mesh != nullptr ? setup.mesh->workers() : 1), ports(setup.ports),
      mesh(setup.mesh), trace(setup.trace), tsc_hz(hz), stats(all), counters(all.worker),
      flows(setup.id, setup.flow_capacity, setup.socket_id, setup.timeouts), ledger(all),
      half_open(setup.max_half_open),
      affinity(setup.id, setup.affinity_capacity, setup.socket_id),
      sched(all.service_slot_count, setup.id), local_endpoints(setup.id, workers), icmp_limit(hz),
      // Room for every slot's datagram plus the completed ones still on their way out.
      frag_pool(setup.id, setup.reassembly_slots + 2 * k_burst, setup.socket_id),
      frags(setup.reassembly_slots, frag_buffer_pool::k_max_payload,
            hz / 1000 * setup.reassembly_timeout_ms),
      frag_buffers(setup.reassembly_slots, nullptr), out(setup, workers, counters, frag_pool, hz) {
  for (uint16_t i = 0; i < ports.size(); ++i) {
    if (ports[i] >= iface_of_port.size()) iface_of_port.resize(ports[i] + 1u, 0);
    iface_of_port[ports[i]] = i;
  }
}

pipeline_state::~pipeline_state() {
  // Reassembly buffers must all be back before frag_pool goes: those held for datagrams, and
  // those handed to another worker (the first worker destroyed drains every ring, while every
  // pool still exists). Buffers never reach a NIC (the egress copies or fragments them).
  for (rte_mbuf* b : frag_buffers)
    rte_pktmbuf_free(b);
  if (mesh != nullptr) mesh->drain();
}

} // namespace sluice
