#pragma once
// Runs sluiced's dataplane (dataplane/assembly) on two net_ring ports (uplink = interface 0,
// downlink = interface 1): frames are pushed into a port's RX ring, one worker iteration runs, and
// whatever the workers transmitted is read back from the TX rings. EAL starts once per test
// binary (no hugepages).

#include <rte_ether.h>
#include <rte_mempool.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/daemon/flow_requests.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/assembly/assembly.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/trace/hub.hpp"
#include "dataplane/worker/worker.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice::testing {

inline constexpr uint16_t k_uplink = 0;
inline constexpr uint16_t k_downlink = 1;
// The uplink's kernel twin (a third ring port standing in for the net_tap): frames the worker
// hands to the kernel come back as sent_frame{k_uplink_twin, ...} when the config gives the
// uplink an exception_path.
inline constexpr uint16_t k_uplink_twin = 2;

struct sent_frame {
  uint16_t iface;
  bytes frame;
  bool operator==(const sent_frame&) const = default;
};

class dataplane_harness {
public:
  static constexpr unsigned k_max_workers = 2;

  // `yaml` is a full sluiced config whose two interfaces become the ring ports; `workers`
  // workers poll queue i of both ports and hand packets to each other as sluiced's do.
  explicit dataplane_harness(const std::string& yaml, unsigned workers = 1);
  ~dataplane_harness();

  // Injects `frame` on RX queue `queue` of `iface`, runs the worker polling that queue and then
  // poll() (to deliver hand-offs), returns every transmitted frame.
  // `rx_flags` is what the receiving NIC would have set in the mbuf's ol_flags (its checksum
  // verdicts, RTE_MBUF_F_RX_*); ring ports set none themselves.
  std::vector<sent_frame> send(uint16_t iface, const bytes& frame, unsigned queue = 0,
                               uint64_t rx_flags = 0);
  // The same for several frames received in one burst (one poll of the worker).
  std::vector<sent_frame> send_burst(uint16_t iface, const std::vector<bytes>& frames,
                                     unsigned queue = 0, uint64_t rx_flags = 0);
  // Injects `frames` as the kernel would write them on the uplink twin's queue `queue`, then
  // polls every worker (an idle worker reads its twin); returns every transmitted frame.
  std::vector<sent_frame> from_kernel(const std::vector<bytes>& frames, unsigned queue = 0);
  // Compiles `yaml` (same interfaces) and publishes it, as a reload would.
  void reconfigure(const std::string& yaml);
  // Runs one iteration of every worker without input (timers, expiry, hand-offs), and more while
  // packets are still being handed between them.
  std::vector<sent_frame> poll();
  // The control plane's flow request (control/daemon/flow_requests.hpp), made from another
  // thread while this one polls the workers as their lcores would; transmitted frames are
  // discarded.
  flow_request_result ask(flow_command::op kind, const flow_filter& filter, uint32_t limit = 1000);
  // Counter slot of `service`'s backend `address` (dotted quad) on the service's port.
  uint32_t backend_slot(const std::string& service, const std::string& address) const;
  uint32_t service_slot(const std::string& service) const;

  // The one mbuf pool of the test binary: frames injected by send() and every frame the workers
  // make come from it (cache-less, so a test can exhaust it exactly).
  static rte_mempool* mbuf_pool();
  static rte_ether_addr mac(uint16_t iface);
  static std::string mac_text(uint16_t iface);
  uint64_t drops(drop_reason r) const;
  // Every drop counter, by name, for delta checks.
  std::map<std::string, uint64_t> drop_counts() const;
  const worker_stats& stats(unsigned w = 0) const { return assembly_->stats(w); }
  const worker& dataplane(unsigned w = 0) const { return assembly_->worker_at(w); }
  const snapshot& published() const { return assembly_->publisher().latest(); }
  // The control plane's rings to the workers (flow requests, gratuitous ARPs for worker 0).
  const command_rings& commands() const { return assembly_->commands(); }
  // Where trace sessions are armed and the workers' records drained.
  trace_hub& trace() { return assembly_->trace(); }

private:
  config config_;
  std::unique_ptr<slot_registries> slots_;
  uint64_t generation_ = 1;
  std::unique_ptr<dataplane_assembly> assembly_; // sluiced's, on the ring ports
};

} // namespace sluice::testing
