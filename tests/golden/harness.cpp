#include "tests/golden/harness.hpp"

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>

#include "control/config/load.hpp"
#include "control/daemon/dataplane_setup.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv4.hpp"
#include "dataplane/port/port.hpp"

namespace sluice::testing {
namespace {

struct ring_port {
  rte_ring* rx[dataplane_harness::k_max_workers];
  rte_ring* tx[dataplane_harness::k_max_workers];
  port_info info;
};

// Process-wide DPDK objects: EAL, one mempool, two ring ports.
struct environment {
  rte_mempool* pool = nullptr;
  ring_port ports[3]; // uplink, downlink, the uplink's kernel twin

  static environment& get() {
    static environment env;
    return env;
  }

private:
  environment() {
    const std::string prefix = "--file-prefix=golden" + std::to_string(getpid());
    // --no-huge implies legacy memory, which --in-memory refuses; --no-shconf leaves no files.
    const char* args[] = {"golden", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
                          "--no-telemetry", "--log-level=lib.eal:error", prefix.c_str()};
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    if (rte_eal_init(int(argv.size()), argv.data()) < 0) throw std::runtime_error("EAL init");
    pool = rte_pktmbuf_pool_create("golden_mbufs", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    if (pool == nullptr) throw std::runtime_error("mempool");
    const std::string names[] = {"golden_up", "golden_down", "golden_twin"};
    for (int i = 0; i < 3; ++i) {
      ring_port& p = ports[i];
      const unsigned queues = dataplane_harness::k_max_workers;
      for (unsigned q = 0; q < queues; ++q) {
        const std::string base = names[i] + std::to_string(q);
        p.rx[q] = rte_ring_create((base + "_rx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        p.tx[q] = rte_ring_create((base + "_tx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (p.rx[q] == nullptr || p.tx[q] == nullptr) throw std::runtime_error("ring");
      }
      const int id = rte_eth_from_rings(names[i].c_str(), p.rx, queues, p.tx, queues, 0);
      if (id < 0) throw std::runtime_error("ring port");
      p.info = start_port(uint16_t(id), names[i], queues, pool, rx_use::parsed);
    }
  }
};

// The ports the config's two interfaces are, by interface index.
std::vector<port_info> interface_ports() {
  const environment& env = environment::get();
  return {env.ports[k_uplink].info, env.ports[k_downlink].info};
}

} // namespace

dataplane_harness::dataplane_harness(const std::string& yaml, unsigned workers) {
  environment& env = environment::get();
  load_result r = parse_config(yaml, "golden.yaml");
  if (!r.cfg) throw std::runtime_error("golden config: " + r.errors.at(0).to_string());
  config_ = std::move(*r.cfg);
  if (workers == 0 || workers > k_max_workers) throw std::invalid_argument("workers");
  // As in sluiced, the config says how many workers there are: per-worker state compiled into
  // the snapshot (Hyperscan scratch, full-NAT port partitions) is sized by it.
  config_.dataplane.workers = workers;
  const std::vector<port_info> ports = interface_ports();
  std::vector<std::optional<exception_port>> twins;
  if (!config_.interfaces.empty() && config_.interfaces[0].exception_path)
    twins = {exception_port{.port = env.ports[k_uplink_twin].info.port_id,
                            .rate_limit_pps = config_.interfaces[0].exception_path->rate_limit_pps}};
  // The workers are polled from this thread, on the main lcore.
  assembly_ = std::make_unique<dataplane_assembly>(make_dataplane_setup(
      config_, ports, twins, env.pool, std::vector<unsigned>(workers, rte_get_main_lcore())));
  slots_ = std::make_unique<slot_registries>(slot_registries{
      slot_registry(config_.dataplane.max_services), slot_registry(config_.dataplane.max_backends)});
  assembly_->publisher().publish(compile_snapshot(config_, ports, *slots_, generation_));
}

dataplane_harness::~dataplane_harness() {
  assembly_.reset();
  // Leave the rings empty for the next test.
  for (const ring_port& p : environment::get().ports)
    for (unsigned q = 0; q < k_max_workers; ++q)
      for (rte_ring* ring : {p.rx[q], p.tx[q]}) {
        void* m = nullptr;
        while (rte_ring_dequeue(ring, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      }
}

namespace {
// Copies each frame into an mbuf of the test pool, with `rx_flags` as a NIC's verdicts, and puts
// it on an RX ring (net_ring hands the mbuf over as it is).
void enqueue(rte_ring* rx, const std::vector<bytes>& frames, uint64_t rx_flags = 0) {
  for (const bytes& frame : frames) {
    rte_mbuf* m = rte_pktmbuf_alloc(environment::get().pool);
    if (m == nullptr) throw std::runtime_error("mbuf");
    std::memcpy(rte_pktmbuf_append(m, uint16_t(frame.size())), frame.data(), frame.size());
    m->ol_flags |= rx_flags;
    if (rte_ring_enqueue(rx, m) != 0) throw std::runtime_error("rx ring full");
  }
}
} // namespace

std::vector<sent_frame> dataplane_harness::send(uint16_t iface, const bytes& frame,
                                                unsigned queue, uint64_t rx_flags) {
  return send_burst(iface, {frame}, queue, rx_flags);
}

std::vector<sent_frame> dataplane_harness::send_burst(uint16_t iface,
                                                      const std::vector<bytes>& frames,
                                                      unsigned queue, uint64_t rx_flags) {
  if (frames.size() > worker::k_burst) throw std::runtime_error("more frames than one burst");
  enqueue(environment::get().ports[iface].rx[queue], frames, rx_flags);
  assembly_->worker_at(queue).poll_once();
  return poll();
}

void dataplane_harness::reconfigure(const std::string& yaml) {
  load_result r = parse_config(yaml, "golden.yaml");
  if (!r.cfg) throw std::runtime_error("golden config: " + r.errors.at(0).to_string());
  r.cfg->dataplane.workers = config_.dataplane.workers;
  assembly_->publisher().publish(compile_snapshot(*r.cfg, interface_ports(), *slots_, ++generation_));
  config_ = std::move(*r.cfg);
}

std::vector<sent_frame> dataplane_harness::from_kernel(const std::vector<bytes>& frames,
                                                       unsigned queue) {
  environment& env = environment::get();
  enqueue(env.ports[k_uplink_twin].rx[queue], frames);
  std::vector<sent_frame> out = poll();
  // A burst at a time: poll until the twin's RX ring is empty.
  while (rte_ring_count(env.ports[k_uplink_twin].rx[queue]) != 0) {
    std::vector<sent_frame> more = poll();
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

std::vector<sent_frame> dataplane_harness::poll() {
  // A packet may be handed on twice (pipeline::forward_miss()): rounds until no hand-off is in
  // flight, but a bounded number of them, so that one passed around forever fails the test.
  for (unsigned round = 0;; ++round) {
    for (unsigned w = 0; w < assembly_->workers(); ++w) assembly_->worker_at(w).poll_once();
    if (assembly_->handoff_backlog() == 0) break;
    if (round == k_max_workers) throw std::runtime_error("packets still handed between workers");
  }
  std::vector<sent_frame> out;
  environment& env = environment::get();
  for (uint16_t i = 0; i < 3; ++i)
    for (unsigned q = 0; q < k_max_workers; ++q) {
      void* obj = nullptr;
      while (rte_ring_dequeue(env.ports[i].tx[q], &obj) == 0) {
        auto* m = static_cast<rte_mbuf*>(obj);
        const auto* data = rte_pktmbuf_mtod(m, const uint8_t*);
        out.push_back({i, bytes(data, data + rte_pktmbuf_data_len(m))});
        rte_pktmbuf_free(m);
      }
    }
  return out;
}

flow_request_result dataplane_harness::ask(flow_command::op kind, const flow_filter& filter,
                                           uint32_t limit) {
  auto answer = std::async(std::launch::async, [&] {
    return ask_workers(assembly_->commands(), kind, filter, limit, std::chrono::seconds(10));
  });
  while (answer.wait_for(std::chrono::microseconds(10)) != std::future_status::ready) poll();
  return answer.get();
}

uint32_t dataplane_harness::service_slot(const std::string& service) const {
  for (const service_config& s : config_.services)
    if (s.name == service) return slots_->services.find(service_identity(s)).value();
  throw std::invalid_argument("no service " + service);
}

uint32_t dataplane_harness::backend_slot(const std::string& service, const std::string& address) const {
  for (const service_config& s : config_.services)
    for (const backend_config& b : s.backends)
      if (s.name == service && b.addr == parse_ipv4(address))
        return slots_->backends.find(backend_identity(s, b)).value();
  throw std::invalid_argument("no backend " + address + " in " + service);
}

rte_mempool* dataplane_harness::mbuf_pool() { return environment::get().pool; }

rte_ether_addr dataplane_harness::mac(uint16_t iface) {
  return environment::get().ports[iface].info.mac;
}

std::string dataplane_harness::mac_text(uint16_t iface) {
  char buf[RTE_ETHER_ADDR_FMT_SIZE];
  const rte_ether_addr m = mac(iface);
  rte_ether_format_addr(buf, sizeof buf, &m);
  return buf;
}

uint64_t dataplane_harness::drops(drop_reason r) const {
  uint64_t n = 0;
  for (unsigned w = 0; w < assembly_->workers(); ++w)
    n += assembly_->stats(w).worker.drops[static_cast<std::size_t>(r)].get();
  return n;
}

std::map<std::string, uint64_t> dataplane_harness::drop_counts() const {
  std::map<std::string, uint64_t> out;
  for (std::size_t i = 0; i < k_drop_reason_count; ++i)
    out[std::string(k_drop_reason_names[i])] = drops(static_cast<drop_reason>(i));
  return out;
}

} // namespace sluice::testing
