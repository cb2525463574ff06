#include "control/snapshot/compile.hpp"

#include <arpa/inet.h>

#include <set>

#include "control/snapshot/sched_tables.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {

std::string service_identity(const service_config& s) {
  return format_ipv4(s.vip) + ":" + std::to_string(ntohs(s.port)) + "/" + std::to_string(s.proto);
}

std::string backend_identity(const service_config& s, const backend_config& b) {
  return service_identity(s) + ">" + format_ipv4(b.addr) + ":" + std::to_string(ntohs(b.port));
}

std::unique_ptr<snapshot> compile_snapshot(const config& c, std::span<const port_info> ports,
                                           slot_registries& slots, uint64_t generation) {
  auto s = std::make_unique<snapshot>();
  s->generation = generation;
  std::vector<std::pair<uint64_t, uint32_t>> locals;
  for (std::size_t i = 0; i < c.interfaces.size(); ++i) {
    const interface_config& f = c.interfaces[i];
    s->ifaces.push_back({.port_id = ports[i].port_id,
                         .mac = ports[i].mac,
                         .addr = f.addr,
                         .netmask = prefix_mask(f.prefix_len),
                         .gateway = f.gateway});
    const uint32_t kind = static_cast<uint32_t>(local_kind::iface_address) << 16;
    locals.emplace_back(snapshot::addr_key(f.addr), kind | uint32_t(i));
  }

  // Work on copies so a refused compile leaves the registries as they were.
  slot_registries next = slots;
  std::set<std::string> live_services, live_backends, vips;
  std::vector<std::pair<uint64_t, uint32_t>> by_key;
  std::vector<std::pair<uint64_t, uint32_t>> by_slot;
  for (const service_config& sc : c.services) {
    const std::string sid = service_identity(sc);
    const auto sslot = next.services.acquire(sid);
    if (!sslot) throw compile_error("more services than dataplane.max_services");
    live_services.insert(sid);
    snapshot_service svc{.vip = sc.vip,
                         .port = sc.port,
                         .proto = sc.proto,
                         .mode = sc.mode,
                         .scheduler = sc.scheduler,
                         .slot = *sslot,
                         .first_backend = uint32_t(s->backends.size()),
                         .backend_count = uint32_t(sc.backends.size()),
                         .persistence = sc.persistence_timeout};
    for (const backend_config& bc : sc.backends) {
      const std::string bid = backend_identity(sc, bc);
      const auto bslot = next.backends.acquire(bid);
      if (!bslot) throw compile_error("more backends than dataplane.max_backends");
      live_backends.insert(bid);
      by_slot.emplace_back(snapshot::slot_key(*bslot), uint32_t(s->backends.size()));
      s->backends.push_back({.addr = bc.addr, .port = bc.port, .weight = bc.weight, .slot = *bslot});
    }
    compile_scheduler(sc, c.dataplane.maglev_table_size, *s, svc);
    by_key.emplace_back(snapshot::service_key(sc.vip, sc.port, sc.proto), uint32_t(s->services.size()));
    s->services.push_back(svc);

    if (vips.insert(format_ipv4(sc.vip)).second) {
      // A VIP is answered by ARP on the interface whose subnet holds it (0xffff: none).
      uint32_t on_link = 0xffff;
      for (std::size_t i = 0; i < s->ifaces.size(); ++i)
        if ((sc.vip & s->ifaces[i].netmask) == (s->ifaces[i].addr & s->ifaces[i].netmask)) {
          on_link = uint32_t(i);
          break;
        }
      locals.emplace_back(snapshot::addr_key(sc.vip),
                          (static_cast<uint32_t>(local_kind::vip) << 16) | on_link);
    }
  }
  s->service_by_key = flat_index(by_key);
  s->local_addrs = flat_index(locals);
  s->backend_by_slot = flat_index(by_slot);
  next.services.retain_only(live_services);
  next.backends.retain_only(live_backends);
  slots = std::move(next);
  return s;
}

} // namespace sluice
