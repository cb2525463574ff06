#pragma once
// Runs the real worker on two net_ring ports (uplink = interface 0, downlink = interface 1):
// frames are pushed into a port's RX ring, one worker iteration runs, and whatever the worker
// transmitted is read back from the TX rings. EAL starts once per test binary (no hugepages).

#include <rte_ether.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/worker/worker.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice::testing {

inline constexpr uint16_t k_uplink = 0;
inline constexpr uint16_t k_downlink = 1;

struct sent_frame {
  uint16_t iface;
  bytes frame;
  bool operator==(const sent_frame&) const = default;
};

class dataplane_harness {
public:
  // `yaml` is a full sluiced config whose two interfaces become the ring ports.
  explicit dataplane_harness(const std::string& yaml);
  ~dataplane_harness();

  // Injects `frame` on `iface`, runs one worker iteration, returns every transmitted frame.
  std::vector<sent_frame> send(uint16_t iface, const bytes& frame);
  // Runs one iteration without input (timers, expiry).
  std::vector<sent_frame> poll();

  static rte_ether_addr mac(uint16_t iface);
  static std::string mac_text(uint16_t iface);
  uint64_t drops(drop_reason r) const;
  // Every drop counter, by name, for delta checks.
  std::map<std::string, uint64_t> drop_counts() const;
  const worker_stats& stats() const { return *stats_; }
  const worker& dataplane() const { return *worker_; }

private:
  config config_;
  std::unique_ptr<snapshot_publisher> publisher_;
  std::unique_ptr<worker_stats> stats_;
  std::unique_ptr<worker> worker_;
};

} // namespace sluice::testing
