#include "perf/bench/rig.hpp"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <stdexcept>
#include <string>

#include "control/daemon/worker_setup.hpp"
#include "control/snapshot/compile.hpp"
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
  c.dataplane.flows_per_worker = o.flow_capacity;
  c.dataplane.timeouts = o.timeouts;
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
    down.neighbors.push_back({.addr = addr, .mac = {0x02, 0x00, 0x00, 0x00, 0x01, uint8_t(b)}});
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

rig::rig(const rig_options& o) : options_(o), cfg_(bench_config(o)), publisher_(o.workers) {
  pool_ = rte_pktmbuf_pool_create("bench_mbufs", o.workers > 1 ? k_pool_size_two_workers : k_pool_size,
                                  k_pool_cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
  if (pool_ == nullptr) throw std::runtime_error(std::string("mbuf pool: ") + rte_strerror(rte_errno));
  for (const interface_config& i : cfg_.interfaces)
    ports_.push_back(open_port(i.device, o.workers, pool_, rx_use::parsed));
  // net_ring0 without devargs makes 16 ring pairs, one per queue: ETH_RXTX<queue>_net_ring0.
  for (unsigned q = 0; q < o.workers; ++q) {
    const std::string name = "ETH_RXTX" + std::to_string(q) + "_net_ring0";
    source_rings_.push_back(rte_ring_lookup(name.c_str()));
    if (source_rings_.back() == nullptr) throw std::runtime_error("net_ring0 made no ring " + name);
  }
  if (o.workers > 1) mesh_ = std::make_unique<handoff_mesh>(o.workers, int(rte_socket_id()));

  slot_registries slots{slot_registry(cfg_.dataplane.max_services),
                        slot_registry(cfg_.dataplane.max_backends)};
  publisher_.publish(compile_snapshot(cfg_, ports_, slots, 1));
  for (unsigned w = 0; w < o.workers; ++w)
    stats_.push_back(std::make_unique<worker_stats>(cfg_.dataplane.max_services,
                                                    cfg_.dataplane.max_backends, cfg_.dataplane.max_acl_rules));
}

rig::~rig() {
  mesh_.reset(); // frees the mbufs left in its rings: before the pool goes
  for (const port_info& p : ports_) close_port(p.port_id);
  rte_mempool_free(pool_);
}

unsigned rig::handoff_backlog() const noexcept {
  unsigned n = 0;
  if (mesh_)
    for (unsigned from = 0; from < mesh_->workers(); ++from)
      for (unsigned to = 0; to < mesh_->workers(); ++to)
        if (from != to) n += rte_ring_count(mesh_->packets(from, to));
  return n;
}

std::unique_ptr<worker> rig::make_worker(unsigned id, uint32_t flow_capacity) {
  std::vector<uint16_t> ids;
  for (const port_info& p : ports_) ids.push_back(p.port_id);
  worker_setup setup =
      make_worker_setup(cfg_, id, ids, pool_, int(rte_lcore_to_socket_id(options_.worker_lcore)));
  setup.mesh = mesh_.get();
  if (flow_capacity != 0) setup.flow_capacity = flow_capacity;
  return std::make_unique<worker>(setup, publisher_, *stats_[id]);
}

} // namespace sluice::bench
