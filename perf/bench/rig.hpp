#pragma once
// The bench's gateway: an mbuf pool, the source port (net_ring0, client side: the worker's
// uplink) and the sink port (net_null0 with no-rx, backend side: its downlink), a config held
// in memory, and sluiced's dataplane assembled on those ports with that config compiled and
// published by the real control code.

#include <rte_mempool.h>
#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/assembly/assembly.hpp"
#include "dataplane/port/port.hpp"

namespace sluice::bench {

inline constexpr uint16_t k_vip_port = 80;

struct rig_options {
  uint32_t flow_capacity;
  flow_timeouts timeouts;
  std::optional<uint32_t> max_half_open; // dataplane.max_half_open; absent: its default
  unsigned backends = 4;
  // The lcore each worker is polled on, one per worker; each worker has its own queue pair on
  // both ports and its own source ring.
  std::vector<unsigned> worker_lcores;
  forwarding mode = forwarding::nat; // of the one service
  scheduler_kind scheduler = scheduler_kind::rr;
  // A global ACL set of this many address rules and payload rules, none matching the bench's
  // traffic: every new flow is classified (and, with payload, scanned) and then allowed.
  unsigned acl_rules = 0;
  unsigned acl_patterns = 0;
  idle_mode idle = idle_mode::poll;
};

class rig {
public:
  // Throws std::runtime_error (pool, ports) or compile_error (config) at set-up.
  explicit rig(const rig_options& o);
  ~rig();
  rig(const rig&) = delete;
  rig& operator=(const rig&) = delete;

  // sluiced's dataplane on the rig's ports: fresh workers, empty flow tables, nothing published
  // yet; flow_capacity 0: the configured flows_per_worker.
  std::unique_ptr<dataplane_assembly> assemble(uint32_t flow_capacity = 0) const;
  // Compiles the rig's config and publishes it on `d`, as sluiced's control plane does at start.
  void publish(dataplane_assembly& d) const;

  rte_mempool* pool() const noexcept { return pool_; }
  unsigned workers() const noexcept { return unsigned(options_.worker_lcores.size()); }
  // Worker `q`'s source: the ring behind the uplink's queue q.
  rte_ring* source_ring(unsigned q = 0) const noexcept { return source_rings_[q]; }
  uint16_t source_port() const noexcept { return ports_[0].port_id; }
  uint16_t sink_port() const noexcept { return ports_[1].port_id; }
  const rte_ether_addr& uplink_mac() const noexcept { return ports_[0].mac; }
  uint32_t vip() const noexcept { return cfg_.services[0].vip; }
  uint32_t max_half_open() const noexcept { return cfg_.dataplane.half_open_limit(); }
  unsigned worker_lcore(unsigned id = 0) const noexcept { return options_.worker_lcores[id]; }

private:
  rig_options options_;
  config cfg_;
  rte_mempool* pool_ = nullptr;
  std::vector<uint16_t> opened_; // every port, to close
  std::vector<port_info> ports_;
  std::vector<rte_ring*> source_rings_;
};

} // namespace sluice::bench
