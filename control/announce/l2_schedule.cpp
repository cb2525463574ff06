#include "control/announce/l2_schedule.hpp"

#include <algorithm>

namespace sluice {
std::set<l2_schedule::target> l2_schedule::targets_of(const snapshot& s) {
  std::set<target> out;
  auto add = [&](uint32_t addr) {
    const local_address local = s.local_addrs.find_ipv4(addr);
    if (!local || local.iface == local_address::k_no_link) return;
    out.insert({addr, local.iface});
  };
  for (const snapshot_iface& i : s.ifaces) add(i.addr);
  for (const snapshot_service& svc : s.services) {
    add(svc.vip);
    for (uint32_t a : svc.block->local_addresses) add(a);
  }
  return out;
}

std::vector<l2_schedule::target> l2_schedule::on_published(
    const snapshot& s, const std::optional<l2_announce_config>& l2, clock::time_point now) {
  std::vector<target> added;
  if (!l2) {
    answered_.clear();
    pending_.clear();
    return added;
  }
  std::set<target> now_answered = targets_of(s);
  // What is no longer answered stops being announced.
  std::erase_if(pending_, [&](const repeat& r) { return !now_answered.contains(r.t); });
  for (const target& t : now_answered)
    if (!answered_.contains(t)) {
      pending_.push_back({t, l2->garp_count, std::chrono::milliseconds(l2->garp_interval_ms), now});
      added.push_back(t);
    }
  answered_ = std::move(now_answered);
  return added;
}

std::vector<garp_request> l2_schedule::take_due(clock::time_point now) {
  std::vector<garp_request> due;
  for (repeat& r : pending_) {
    if (r.next > now) continue;
    due.push_back({.addr = r.t.addr, .iface = r.t.iface});
    --r.left;
    r.next = now + r.interval;
  }
  std::erase_if(pending_, [](const repeat& r) { return r.left == 0; });
  return due;
}

} // namespace sluice
