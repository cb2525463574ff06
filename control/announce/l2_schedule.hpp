#pragma once
// When to send which gratuitous ARP (announce.l2). After every publication the control plane
// hands the new snapshot over; each address the dataplane answers ARP for (interface addresses,
// VIPs and full-NAT local addresses on a link) that was not answered before is announced
// garp_count times, garp_interval_ms apart — everything at start, a VIP when it is added (file
// reload, admin API, Kubernetes), as MetalLB does when it takes a VIP over. The schedule is pure
// logic; the control plane sends what is due on its tick through worker 0 (command_rings).

#include <chrono>
#include <optional>
#include <set>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/snapshot/snapshot.hpp"
#include "dataplane/worker/flow_command.hpp"

namespace sluice {

class l2_schedule {
public:
  using clock = std::chrono::steady_clock;

  struct target {
    uint32_t addr; // network byte order
    uint16_t iface;
    auto operator<=>(const target&) const = default;
  };

  // Every address `s` answers ARP for, with the interface it is answered on.
  static std::set<target> targets_of(const snapshot& s);

  // Takes a newly published snapshot; returns the addresses it starts announcing. Without `l2`
  // nothing is announced and nothing is remembered, so turning announce.l2 on later announces
  // everything.
  std::vector<target> on_published(const snapshot& s, const std::optional<l2_announce_config>& l2,
                    clock::time_point now);

  // The announcements due at `now`, each sent once; repeats are rescheduled.
  std::vector<garp_request> take_due(clock::time_point now);

  std::size_t pending() const noexcept { return pending_.size(); }

private:
  struct repeat {
    target t;
    uint32_t left;
    clock::duration interval;
    clock::time_point next;
  };
  std::set<target> answered_;
  std::vector<repeat> pending_;
};

} // namespace sluice
