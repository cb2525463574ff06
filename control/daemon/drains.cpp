#include "control/daemon/drains.hpp"

#include <algorithm>

#include "control/snapshot/compile.hpp"

namespace sluice {

void drain_schedule::on_change(const service_config& old, const service_config* now,
                               uint32_t service_slot, clock::time_point at) {
  if (now != nullptr) on_added(*now);
  if (old.drain_timeout == 0) return;
  const bool same_service = now != nullptr && service_identity(*now) == service_identity(old);
  for (const backend_config& b : old.backends) {
    const bool kept = same_service && std::any_of(now->backends.begin(), now->backends.end(),
                                                  [&](const backend_config& n) {
                                                    return n.addr == b.addr && n.port == b.port;
                                                  });
    if (!kept) schedule(old, b, service_slot, at);
  }
}

void drain_schedule::schedule(const service_config& s, const backend_config& b,
                              uint32_t service_slot, clock::time_point at) {
  // DR and TUN flows carry the client's destination port, not the configured one (0 for an
  // any-port service): match those by address alone.
  drains_.push_back({.due = at + std::chrono::seconds(s.drain_timeout),
                     .identity = backend_identity(s, b),
                     .filter = {.service_slot = service_slot,
                                .backend_addr = b.addr,
                                .backend_port = has_reply_path(s.mode) ? b.port : uint16_t(0)}});
}

void drain_schedule::on_out_of_service(const service_config& s, const backend_config& b,
                                       uint32_t service_slot, clock::time_point at) {
  if (s.drain_timeout == 0) return;
  cancel(backend_identity(s, b));
  schedule(s, b, service_slot, at);
}

void drain_schedule::cancel(const std::string& identity) {
  std::erase_if(drains_, [&](const drain& d) { return d.identity == identity; });
}

void drain_schedule::on_added(const service_config& now) {
  if (drains_.empty()) return;
  for (const backend_config& b : now.backends) {
    const std::string id = backend_identity(now, b);
    std::erase_if(drains_, [&](const drain& d) { return d.identity == id; });
  }
}

std::vector<drain_schedule::drain> drain_schedule::take_due(clock::time_point at) {
  std::vector<drain> due;
  for (auto it = drains_.begin(); it != drains_.end();) {
    if (it->due <= at) {
      due.push_back(std::move(*it));
      it = drains_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

} // namespace sluice
