// A backend its health check holds down leaves every scheduler: no new flow is scheduled to it,
// Maglev's table comes out exactly as if it were not configured (so two appliances that agree on
// its health agree on every flow), it keeps its counter slot for the flows still draining, and
// it returns when it is up again — through the same compile sluiced runs.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "control/config/load.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/sched/pick.hpp"

namespace sluice {
namespace {

const port_info k_ports[] = {{.port_id = 0, .mac = {}}};

// One service 10.0.0.100:80 with `scheduler`, a health check unless `checked` is false, and
// backends 10.0.1.1..n:8080.
config service_config_of(const std::string& scheduler, int n, bool checked = true) {
  std::string yaml = "dataplane: { max_services: 4, max_backends: 64, maglev_table_size: 251 }\n"
                     "interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }]\n"
                     "services: [{ name: s, address: 10.0.0.100, port: 80, scheduler: " +
                     scheduler + (checked ? ", health_check: { type: tcp }" : "") +
                     ", backends: [";
  for (int i = 1; i <= n; ++i) yaml += "{ address: 10.0.1." + std::to_string(i) + ", port: 8080 },";
  yaml += "] }]\n";
  const load_result r = parse_config(yaml, "t.yaml");
  if (!r.cfg) throw std::runtime_error(r.errors.at(0).to_string());
  return *r.cfg;
}

struct compiled {
  slot_registries slots{slot_registry(4), slot_registry(64)};
  std::unique_ptr<snapshot> snap;
  compiled(const config& c, const out_of_service* down) {
    snap = compile_snapshot(c, k_ports, slots, 1, down);
  }
};

// Backend positions picked for 300 new flows from different clients.
std::vector<int> picks(const snapshot& s) {
  scheduler_state st(4, 0);
  auto counters = std::make_unique<traffic_counters[]>(64);
  const snapshot_service& svc = s.services.at(0);
  std::vector<int> out;
  for (uint32_t i = 0; i < 300; ++i) {
    const sched_tuple t{.client_addr = htonl(0x0b000001 + i * 7919), .vip = svc.vip,
                        .client_port = htons(uint16_t(10000 + i)), .vip_port = svc.port,
                        .proto = svc.proto};
    const auto p = pick_backend(s, svc, t, st, counters.get());
    out.push_back(p ? int(*p) : -1);
  }
  return out;
}

// The Maglev table as backend addresses (indexes differ between configs; addresses do not).
std::vector<uint32_t> table_addresses(const snapshot& s) {
  const snapshot_service& svc = s.services.at(0);
  std::vector<uint32_t> out;
  for (uint32_t e : svc.block->table) out.push_back(svc.block->backends[e].addr);
  return out;
}

std::string key(const config& c, std::size_t b) {
  return backend_identity(c.services[0], c.services[0].backends[b]);
}

TEST(HealthScheduling, NoSchedulerPicksABackendHeldDown) {
  for (const std::string kind : {"rr", "wrr", "lc", "wlc", "sh", "dh", "mh", "random"}) {
    SCOPED_TRACE(kind);
    const config c = service_config_of(kind, 3);
    const out_of_service down{key(c, 1)};
    const compiled with(c, &down);
    const std::vector<int> p = picks(*with.snap);
    EXPECT_EQ(std::count(p.begin(), p.end(), 1), 0);
    EXPECT_EQ(std::count(p.begin(), p.end(), -1), 0) << "the others take every flow";
    // lc/wlc with idle counters pick the first eligible; dh hashes the one VIP to one backend.
    if (kind != "lc" && kind != "wlc" && kind != "dh") {
      EXPECT_GT(std::count(p.begin(), p.end(), 0), 0);
      EXPECT_GT(std::count(p.begin(), p.end(), 2), 0);
    }
  }
}

TEST(HealthScheduling, ABackendHeldDownKeepsItsSlotAndShowsWeightZero) {
  const config c = service_config_of("rr", 3);
  const compiled all(c, nullptr);
  const out_of_service down{key(c, 1)};
  const compiled without(c, &down);
  const auto& b = without.snap->services[0].block->backends;
  ASSERT_EQ(b.size(), 3u) << "still compiled: its draining flows count into its slot";
  EXPECT_EQ(b[1].weight, 0);
  EXPECT_EQ(b[1].slot, all.snap->services[0].block->backends[1].slot);
  EXPECT_EQ(without.snap->services[0].weight_total, 2u);
}

TEST(HealthScheduling, MaglevTableIsRebuiltAsIfTheBackendWereNotConfigured) {
  config c = service_config_of("mh", 5);
  const out_of_service down{key(c, 2)};
  const compiled held_down(c, &down);
  config absent = c;
  absent.services[0].backends.erase(absent.services[0].backends.begin() + 2);
  const compiled removed(absent, nullptr);
  EXPECT_EQ(table_addresses(*held_down.snap), table_addresses(*removed.snap));

  const compiled healthy(c, nullptr);
  const auto before = table_addresses(*healthy.snap);
  const auto after = table_addresses(*held_down.snap);
  const uint32_t failed = c.services[0].backends[2].addr;
  std::size_t others = 0, others_kept = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_NE(after[i], failed);
    if (before[i] == failed) continue;
    ++others;
    others_kept += before[i] == after[i];
  }
  EXPECT_LT(others, before.size()) << "the failed backend had entries to give up";
  EXPECT_GE(others_kept * 10, others * 8)
      << "most flows of healthy backends stay where they were (Maglev's small disruption)";
}

TEST(HealthScheduling, BackendReturnsWhenNoLongerDown) {
  const config c = service_config_of("mh", 4);
  const compiled healthy(c, nullptr);
  const out_of_service down{key(c, 3)};
  compiled l(c, &down);
  const out_of_service none;
  const auto back = recompile_service(
      *l.snap, c, {.kind = service_change::op::replaced, .index = 0, .old = &c.services[0]},
      l.slots, 2, &none);
  EXPECT_EQ(back->services[0].block->backends[3].weight, 1);
  EXPECT_EQ(back->services[0].block->table, healthy.snap->services[0].block->table);
  const std::vector<int> p = picks(*back);
  EXPECT_GT(std::count(p.begin(), p.end(), 3), 0);
}

TEST(HealthScheduling, PerServiceRecompileHonoursTheDownSetLikeAFullCompile) {
  const config c = service_config_of("wrr", 3);
  compiled l(c, nullptr);
  const out_of_service down{key(c, 0)};
  const auto re = recompile_service(
      *l.snap, c, {.kind = service_change::op::replaced, .index = 0, .old = &c.services[0]},
      l.slots, 2, &down);
  const compiled full(c, &down);
  EXPECT_EQ(re->services[0].block->backends[0].weight, 0);
  EXPECT_EQ(re->services[0].weight_total, full.snap->services[0].weight_total);
  EXPECT_EQ(picks(*re), picks(*full.snap));
}

TEST(HealthScheduling, VerdictsCountOnlyForServicesWithACheck) {
  const config c = service_config_of("rr", 2, /*checked=*/false);
  const out_of_service down{key(c, 0)};
  const compiled l(c, &down);
  EXPECT_EQ(l.snap->services[0].block->backends[0].weight, 1)
      << "a stale verdict of a service whose check was removed must not hold a backend down";
}

} // namespace
} // namespace sluice
