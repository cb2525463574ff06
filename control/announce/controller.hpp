#pragma once
// The announcement controller: how the VIPs become known to the network. On every published
// snapshot it schedules gratuitous ARPs for the addresses it starts answering (announce.l2) and
// queues the due ones to worker 0; it keeps what the BGP announcer last reported for
// /metrics. The BGP announcer itself runs on the daemon's main thread and polls
// eligible_vips(). Called under the control plane's lock.

#include <chrono>
#include <cstdint>
#include <vector>

#include "control/admin/metrics.hpp"
#include "control/announce/l2_schedule.hpp"
#include "control/config/model.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/worker/flow_command.hpp"

namespace sluice {

class announcement_controller {
public:
  using clock = std::chrono::steady_clock;

  explicit announcement_controller(control_metrics& metrics) : metrics_(metrics) {}

  // `snap` (compiled from `applied`) was just published: logs and schedules the addresses it
  // starts announcing, then sends what is due.
  void on_published(const snapshot& snap, const config& applied, const command_rings* commands);
  // Queues the gratuitous ARPs due now for worker 0. Without command rings (the workers are not
  // running yet) they wait for the first call with them.
  void send_due(const command_rings* commands);
  // What the BGP announcer reports: the VIPs it announces and the changes it could not apply.
  void note_bgp(std::vector<uint32_t> announced, uint64_t apply_failures);

private:
  control_metrics& metrics_;
  l2_schedule garps_;
};

} // namespace sluice
