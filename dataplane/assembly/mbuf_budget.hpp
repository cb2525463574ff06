#pragma once
// How many mbufs the dataplane's pool needs: every descriptor of every queue filled, a burst in
// flight per queue, the packets a worker may hold itself and full hand-off rings between
// workers. Running short is not an error anywhere: an RX queue that cannot be refilled drops
// silently, so the pool is sized for the worst case up front.

namespace sluice {

// `ports`: the DPDK ports the workers poll (interfaces and kernel twins), each with one RX and
// one TX queue per worker; `workers`: one or more.
unsigned mbufs_needed(unsigned ports, unsigned workers) noexcept;

} // namespace sluice
