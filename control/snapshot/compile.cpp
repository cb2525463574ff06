#include "control/snapshot/compile.hpp"

#include <arpa/inet.h>

#include <set>
#include <unordered_set>

#include "control/snapshot/sched_tables.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

struct compiled_service {
  snapshot_service header;
  std::shared_ptr<const service_block> block;
};

// Acquires a slot for `key`, remembering in `taken` the keys that had none before so a refused
// compile can give them back.
uint32_t acquire(slot_registry& registry, const std::string& key, std::vector<std::string>& taken,
                 const char* what) {
  const bool had = registry.holds(key);
  const auto slot = registry.acquire(key);
  if (!slot) throw compile_error(std::string("more ") + what);
  if (!had) taken.push_back(key);
  return *slot;
}

// Compiles one service's header and block, acquiring its slots. On compile_error every slot it
// acquired is released again.
compiled_service compile_service(const service_config& sc, uint32_t maglev_table_size,
                                 slot_registries& slots, const out_of_service* down) {
  const bool checked = down != nullptr && !down->empty() && sc.health_check;
  std::vector<std::string> new_services, new_backends;
  try {
    auto block = std::make_shared<service_block>();
    snapshot_service svc{
        .vip = sc.vip,
        .port = sc.port,
        .proto = sc.proto,
        .mode = sc.mode,
        .scheduler = sc.scheduler,
        .slot = acquire(slots.services, service_identity(sc), new_services,
                        "services than dataplane.max_services"),
        .backend_count = uint32_t(sc.backends.size()),
        .block = block.get(),
        .persistence = sc.persistence_timeout,
        .proxy_protocol_v2 = sc.proxy_protocol_v2,
    };
    std::vector<std::pair<uint64_t, uint32_t>> by_slot;
    block->backends.reserve(sc.backends.size());
    for (const backend_config& bc : sc.backends) {
      const std::string id = backend_identity(sc, bc);
      const uint32_t slot =
          acquire(slots.backends, id, new_backends, "backends than dataplane.max_backends");
      by_slot.emplace_back(snapshot::slot_key(slot), uint32_t(block->backends.size()));
      const uint16_t weight = checked && down->contains(id) ? uint16_t(0) : bc.weight;
      block->backends.push_back({.addr = bc.addr, .port = bc.port, .weight = weight, .slot = slot});
    }
    block->by_slot = flat_index(by_slot);
    block->local_addresses = sc.local_addresses;
    compile_scheduler(sc, maglev_table_size, *block, svc);
    return {svc, std::move(block)};
  } catch (const compile_error&) {
    for (const std::string& k : new_services) slots.services.release(k);
    for (const std::string& k : new_backends) slots.backends.release(k);
    throw;
  }
}

// Releases the slots `old` held that `now` (the service replacing it, or none) does not use.
void release_unused(const service_config& old, const service_config* now, slot_registries& slots) {
  std::set<std::string> kept;
  if (now) {
    kept.insert(service_identity(*now));
    for (const backend_config& b : now->backends) kept.insert(backend_identity(*now, b));
  }
  if (const std::string sid = service_identity(old); !kept.count(sid)) slots.services.release(sid);
  for (const backend_config& b : old.backends)
    if (const std::string bid = backend_identity(old, b); !kept.count(bid))
      slots.backends.release(bid);
}

// The interface whose subnet holds `addr` (0xffff: none): where ARP for it is answered.
uint16_t link_of(const snapshot& s, uint32_t addr) {
  for (std::size_t i = 0; i < s.ifaces.size(); ++i)
    if ((addr & s.ifaces[i].netmask) == (s.ifaces[i].addr & s.ifaces[i].netmask)) return uint16_t(i);
  return local_address::k_no_link;
}

// Builds service_by_key and local_addrs from the snapshot's interfaces and services (VIPs and
// full-NAT local addresses, each once however many services share it).
void index_services(snapshot& s) {
  std::vector<std::pair<uint64_t, uint32_t>> by_key;
  std::vector<std::pair<uint32_t, local_address>> locals;
  std::vector<std::pair<ipv6_bytes, local_address>> locals6;
  for (std::size_t i = 0; i < s.ifaces.size(); ++i) {
    const snapshot_iface& f = s.ifaces[i];
    if (f.addr != 0) locals.push_back({f.addr, {local_kind::iface_address, uint16_t(i)}});
    if (f.has_ipv6()) locals6.push_back({f.addr6, {local_kind::iface_address, uint16_t(i)}});
  }
  std::unordered_set<uint32_t> vips, locals_seen;
  for (std::size_t k = 0; k < s.services.size(); ++k) {
    const snapshot_service& svc = s.services[k];
    by_key.emplace_back(snapshot::service_key(svc.vip, svc.port, svc.proto), uint32_t(k));
    for (uint32_t a : svc.block->local_addresses)
      if (locals_seen.insert(a).second)
        locals.push_back({a, {local_kind::fnat_local, link_of(s, a)}});
    if (!vips.insert(svc.vip).second) continue;
    // A VIP is answered by ARP on the interface whose subnet holds it (if any).
    locals.push_back({svc.vip, {local_kind::vip, link_of(s, svc.vip)}});
  }
  s.service_by_key = flat_index(by_key);
  s.local_addrs = local_address_table(locals, locals6);
}

bool same_identity(const service_config& a, const service_config& b) {
  return a.vip == b.vip && a.port == b.port && a.proto == b.proto;
}

} // namespace

std::string service_identity(const service_config& s) {
  return format_ipv4(s.vip) + ":" + std::to_string(ntohs(s.port)) + "/" + std::to_string(s.proto);
}

std::string backend_identity(const service_config& s, const backend_config& b) {
  return service_identity(s) + ">" + format_ipv4(b.addr) + ":" + std::to_string(ntohs(b.port));
}

std::unique_ptr<snapshot> compile_snapshot(const config& c, std::span<const port_info> ports,
                                           slot_registries& slots, uint64_t generation,
                                           const out_of_service* down) {
  auto s = std::make_unique<snapshot>();
  s->generation = generation;
  for (std::size_t i = 0; i < c.interfaces.size(); ++i) {
    const interface_config& f = c.interfaces[i];
    // Without IPv4, a /32 of 0.0.0.0: a subnet no packet is addressed to.
    s->ifaces.push_back({.port_id = ports[i].port_id,
                         .mac = ports[i].mac,
                         .addr = f.addr,
                         .netmask = f.has_ipv4() ? prefix_mask(f.prefix_len) : 0xffffffffu,
                         .gateway = f.gateway,
                         .addr6 = f.addr6,
                         .prefix6 = uint8_t(f.prefix6),
                         .gateway6 = f.gateway6});
  }

  // Work on copies so a refused compile leaves the registries as they were.
  slot_registries next = slots;
  std::set<std::string> live_services, live_backends;
  s->services.reserve(c.services.size());
  s->blocks.reserve(c.services.size());
  for (const service_config& sc : c.services) {
    compiled_service cs = compile_service(sc, c.dataplane.maglev_table_size, next, down);
    live_services.insert(service_identity(sc));
    for (const backend_config& bc : sc.backends) live_backends.insert(backend_identity(sc, bc));
    s->services.push_back(cs.header);
    s->blocks.push_back(std::move(cs.block));
  }
  index_services(*s);
  s->acl = compile_acls(c, next.acl);
  next.services.retain_only(live_services);
  next.backends.retain_only(live_backends);
  slots = std::move(next);
  return s;
}

std::unique_ptr<snapshot> recompile_service(const snapshot& prev, const config& next,
                                            const service_change& change, slot_registries& slots,
                                            uint64_t generation, const out_of_service* down) {
  auto s = std::make_unique<snapshot>();
  s->generation = generation;
  s->ifaces = prev.ifaces;
  s->services = prev.services;
  s->blocks = prev.blocks;
  const uint32_t table_size = next.dataplane.maglev_table_size;
  bool reindex = true;
  switch (change.kind) {
  case service_change::op::added: {
    compiled_service cs = compile_service(next.services.back(), table_size, slots, down);
    s->services.push_back(cs.header);
    s->blocks.push_back(std::move(cs.block));
    break;
  }
  case service_change::op::replaced: {
    const service_config& now = next.services[change.index];
    compiled_service cs = compile_service(now, table_size, slots, down);
    s->services[change.index] = cs.header;
    s->blocks[change.index] = std::move(cs.block);
    release_unused(*change.old, &now, slots);
    reindex = !same_identity(*change.old, now) || change.old->local_addresses != now.local_addresses;
    break;
  }
  case service_change::op::removed: {
    s->services.erase(s->services.begin() + std::ptrdiff_t(change.index));
    s->blocks.erase(s->blocks.begin() + std::ptrdiff_t(change.index));
    release_unused(*change.old, nullptr, slots);
    break;
  }
  }
  if (reindex) {
    index_services(*s);
  } else {
    s->service_by_key = prev.service_by_key;
    s->local_addrs = prev.local_addrs;
  }
  // The ACL tables are reused (acls: unchanged); only the per-service lists are rebuilt.
  s->acl = compile_acls(next, slots.acl);
  return s;
}

} // namespace sluice
