#include "perf/bench/rig.hpp"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <stdexcept>
#include <string>

#include "control/daemon/dataplane_setup.hpp"
#include "control/daemon/interfaces.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/worker/handoff.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice::bench {
namespace {

using testing::ip;

// Per worker: source ring (1024, made by net_ring) + TX bursts + mempool cache + slack; plus
// the handoff rings between two workers.
constexpr unsigned k_pool_size = 16383;
constexpr unsigned k_pool_size_two_workers = k_pool_size + 16384 + 2 * handoff_mesh::k_ring_size;
constexpr unsigned k_pool_cache = 256;

config bench_config(const rig_options& o) {
  config c;
  c.dataplane.workers = unsigned(o.worker_lcores.size());
  c.dataplane.flows_per_worker = o.flow_capacity;
  c.dataplane.timeouts = o.timeouts;
  c.dataplane.max_half_open = o.max_half_open;
  c.dataplane.idle = o.idle;
  c.dataplane.max_services = 16;
  c.dataplane.max_backends = 64;
  // net_ring0 with no devargs makes one ring per queue that is both its RX and TX ring: the
  // bench enqueues into it and must be its only producer, so nothing may leave by the uplink.
  interface_config up{.name = "uplink", .device = "net_ring0", .addr = ip("192.0.2.2"),
                      .prefix_len = 24, .gateway = ip("192.0.2.1"), .neighbors = {}};
  interface_config down{.name = "downlink", .device = "net_null0,no-rx=1", .addr = ip("10.1.0.2"),
                        .prefix_len = 16, .gateway = 0, .neighbors = {}};
  service_config web{.name = "web", .vip = ip("192.0.2.100"), .port = htons(k_vip_port),
                     .proto = IPPROTO_TCP, .mode = o.mode, .scheduler = o.scheduler,
                     .backends = {}};
  // DR and TUN cannot change the port.
  const bool same_port = o.mode == forwarding::dr || o.mode == forwarding::tun;
  // fnat: 8 local addresses x 4 backends x 64512 ports hold 2M flows on one worker.
  if (o.mode == forwarding::fnat)
    for (unsigned a = 0; a < 8; ++a) web.local_addresses.push_back(htonl(ntohl(ip("10.1.0.3")) + a));
  for (unsigned b = 0; b < o.backends; ++b) {
    const uint32_t addr = htonl(ntohl(ip("10.1.0.11")) + b);
    web.backends.push_back({.addr = addr, .port = htons(same_port ? k_vip_port : 8080)});
    down.neighbors.push_back(
        {.addr = ip_addr::ipv4(addr), .mac = {0x02, 0x00, 0x00, 0x00, 0x01, uint8_t(b)}});
  }
  c.interfaces = {up, down};
  c.services = {web};
  if (o.acl_rules + o.acl_patterns > 0) {
    acl_set_config set{.name = "bench", .default_action = acl_action::allow, .rules = {}};
    // Sources in 198.18.0.0/15 (RFC 2544's benchmark range); the bench's clients are elsewhere.
    for (unsigned i = 0; i < o.acl_rules; ++i)
      set.rules.push_back({.name = "addr" + std::to_string(i), .action = acl_action::deny,
                           .src = {{htonl(0xc6120000u + i), 32}}, .dst_ports = {{80, 80}},
                           .proto = IPPROTO_TCP});
    for (unsigned i = 0; i < o.acl_patterns; ++i)
      set.rules.push_back({.name = "payload" + std::to_string(i), .action = acl_action::deny,
                           .payload = {{"evil" + std::to_string(i) + "[a-z]+x", 0}}});
    c.acls = {set};
    c.global_acls = {"bench"};
    c.dataplane.max_acl_rules = o.acl_rules + o.acl_patterns + 1;
  }
  return c;
}

} // namespace

rig::rig(const rig_options& o) : options_(o), cfg_(bench_config(o)) {
  if (o.worker_lcores.empty()) throw std::runtime_error("the rig needs a worker lcore");
  pool_ = rte_pktmbuf_pool_create("bench_mbufs", workers() > 1 ? k_pool_size_two_workers : k_pool_size,
                                  k_pool_cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
  if (pool_ == nullptr) throw std::runtime_error(std::string("mbuf pool: ") + rte_strerror(rte_errno));
  ports_ = open_interfaces(cfg_, pool_, opened_);
  // net_ring0 without devargs makes 16 ring pairs, one per queue: ETH_RXTX<queue>_net_ring0.
  for (unsigned q = 0; q < workers(); ++q) {
    const std::string name = "ETH_RXTX" + std::to_string(q) + "_net_ring0";
    source_rings_.push_back(rte_ring_lookup(name.c_str()));
    if (source_rings_.back() == nullptr) throw std::runtime_error("net_ring0 made no ring " + name);
  }
}

rig::~rig() {
  for (uint16_t p : opened_) close_port(p);
  rte_mempool_free(pool_);
}

std::unique_ptr<dataplane_assembly> rig::assemble(uint32_t flow_capacity) const {
  dataplane_setup setup = make_dataplane_setup(cfg_, ports_, {}, pool_, options_.worker_lcores);
  if (flow_capacity != 0)
    for (worker_setup& w : setup.workers) w.flow_capacity = flow_capacity;
  return std::make_unique<dataplane_assembly>(std::move(setup));
}

void rig::publish(dataplane_assembly& d) const {
  slot_registries slots{slot_registry(cfg_.dataplane.max_services),
                        slot_registry(cfg_.dataplane.max_backends)};
  d.publisher().publish(compile_snapshot(cfg_, ports_, slots, 1));
}

} // namespace sluice::bench
