// The choice rules of every scheduler (IPVS semantics; weight 0 drains), on snapshots compiled
// from config text exactly as sluiced compiles them.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "control/config/load.hpp"
#include "control/snapshot/buckets.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/sched/pick.hpp"

namespace sluice {
namespace {

constexpr uint32_t k_backend_slots = 64;

// One service 10.0.0.100:80/tcp with `scheduler` and backends 10.0.1.1.. :8080 of `weights`.
std::unique_ptr<snapshot> compile_service(const std::string& scheduler,
                                          const std::vector<int>& weights,
                                          uint64_t generation = 1) {
  std::string yaml = "dataplane: { max_services: 4, max_backends: 64, maglev_table_size: 65537 }\n"
                     "interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }]\n"
                     "services: [{ name: s, address: 10.0.0.100, port: 80, scheduler: " +
                     scheduler + ", backends: [";
  for (std::size_t i = 0; i < weights.size(); ++i)
    yaml += "{ address: 10.0.1." + std::to_string(i + 1) + ", port: 8080, weight: " +
            std::to_string(weights[i]) + " },";
  yaml += "] }]\n";
  const load_result r = parse_config(yaml, "t.yaml");
  if (!r.cfg) throw std::runtime_error(r.errors.at(0).to_string());
  const port_info ports[] = {{.port_id = 0, .mac = {}}};
  slot_registries slots{slot_registry(4), slot_registry(k_backend_slots)};
  return compile_snapshot(*r.cfg, ports, slots, generation);
}

// Picks `n` times; returns backend positions within the service (-1: no backend).
std::vector<int> picks(const snapshot& s, scheduler_state& st, const traffic_counters* counters,
                       int n, uint32_t client = 0x0a000001) {
  const snapshot_service& svc = s.services.at(0);
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    const sched_tuple t{.client_addr = htonl(client), .vip = svc.vip,
                        .client_port = htons(uint16_t(10000 + i)), .vip_port = svc.port,
                        .proto = svc.proto};
    const auto p = pick_backend(s, svc, t, st, counters);
    out.push_back(p ? int(*p) : -1);
  }
  return out;
}

struct fixture {
  fixture() : st(4, 0), counters(std::make_unique<traffic_counters[]>(k_backend_slots)) {}
  scheduler_state st;
  std::unique_ptr<traffic_counters[]> counters;

  // Sets a backend's per-worker ActiveConn/InActConn (as set_state would have left them).
  void conns(const snapshot& s, int backend, uint64_t active, uint64_t inactive) {
    traffic_counters& c = counters[s.services[0].backends()[std::size_t(backend)].slot];
    c.active.sub(c.active.get());
    c.inactive.sub(c.inactive.get());
    c.active.add(active);
    c.inactive.add(inactive);
  }
};

const std::vector<std::string> k_all = {"rr", "wrr", "lc", "wlc", "sh", "dh", "mh", "random"};

TEST(Schedulers, NoSchedulerEverPicksADrainingBackend) {
  for (const std::string& kind : k_all) {
    SCOPED_TRACE(kind);
    const auto s = compile_service(kind, {0, 1, 0, 2, 0});
    fixture f;
    for (int client = 1; client < 200; ++client)
      for (const int p : picks(*s, f.st, f.counters.get(), 5, 0x0a000000 + client))
        EXPECT_TRUE(p == 1 || p == 3) << p;
  }
}

TEST(Schedulers, EveryBackendDrainingMeansNoBackend) {
  for (const std::string& kind : k_all) {
    SCOPED_TRACE(kind);
    const auto s = compile_service(kind, {0, 0});
    fixture f;
    EXPECT_EQ(picks(*s, f.st, f.counters.get(), 3), (std::vector<int>{-1, -1, -1}));
  }
}

TEST(RoundRobin, CyclesInListOrderSkippingDrained) {
  const auto s = compile_service("rr", {1, 0, 5});
  fixture f;
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 5), (std::vector<int>{0, 2, 0, 2, 0}));
}

TEST(WeightedRoundRobin, InterleavesByWeightLikeIpvs) {
  // IPVS: cw = 4, 3, 2, 1; each pass picks the backends whose weight >= cw.
  const auto s = compile_service("wrr", {4, 3, 2});
  fixture f;
  const std::vector<int> cycle = {0, 0, 1, 0, 1, 2, 0, 1, 2};
  std::vector<int> two_cycles = cycle;
  two_cycles.insert(two_cycles.end(), cycle.begin(), cycle.end());
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 18), two_cycles);
}

TEST(WeightedRoundRobin, StepsByTheGcdOfTheWeights) {
  const auto s = compile_service("wrr", {4, 2, 0});
  EXPECT_EQ(s->services[0].weight_gcd, 2);
  EXPECT_EQ(s->services[0].max_weight, 4);
  fixture f;
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 6), (std::vector<int>{0, 0, 1, 0, 0, 1}));
}

TEST(WeightedRoundRobin, SharesMatchWeightsOverACycle) {
  const auto s = compile_service("wrr", {5, 1, 3, 0, 7});
  fixture f;
  std::map<int, int> n;
  for (const int p : picks(*s, f.st, f.counters.get(), 16 * 10)) ++n[p];
  EXPECT_EQ(n, (std::map<int, int>{{0, 50}, {1, 10}, {2, 30}, {4, 70}}));
}

TEST(WeightedRoundRobin, RestartsFromTheHeadOnANewSnapshot) {
  fixture f;
  const auto s1 = compile_service("wrr", {2, 1}, 1);
  EXPECT_EQ(picks(*s1, f.st, f.counters.get(), 2), (std::vector<int>{0, 0}));
  const auto s2 = compile_service("wrr", {2, 1}, 2);
  EXPECT_EQ(picks(*s2, f.st, f.counters.get(), 3), (std::vector<int>{0, 0, 1}));
}

TEST(LeastConnection, PicksTheLeastActiveTimes256PlusInactive) {
  const auto s = compile_service("lc", {1, 1, 1});
  fixture f;
  f.conns(*s, 0, 1, 0);   // overhead 256
  f.conns(*s, 1, 0, 255); // 255
  f.conns(*s, 2, 0, 300); // 300
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{1});
  f.conns(*s, 1, 0, 257);
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{0});
}

TEST(LeastConnection, IgnoresWeightsButNotDrainingAndTakesTheFirstOnTies) {
  const auto s = compile_service("lc", {0, 1, 100, 1});
  fixture f;
  f.conns(*s, 2, 0, 2);
  f.conns(*s, 1, 0, 2);
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{3}); // 3 has 0; 0 drains
  f.conns(*s, 3, 0, 2);
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{1}); // all 2: the first
}

TEST(WeightedLeastConnection, PicksTheLeastOverheadPerWeight) {
  const auto s = compile_service("wlc", {1, 3});
  fixture f;
  f.conns(*s, 0, 0, 1);
  f.conns(*s, 1, 0, 2); // 1/1 vs 2/3
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{1});
  f.conns(*s, 1, 0, 3); // 1/1 vs 3/3: tie, the first
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{0});
  f.conns(*s, 0, 1, 0); // 256/1 vs 3/3
  EXPECT_EQ(picks(*s, f.st, f.counters.get(), 1), std::vector<int>{1});
}

TEST(WeightedLeastConnection, CountsAreTheCallingWorkersOwn) {
  const auto s = compile_service("wlc", {1, 1});
  fixture busy, idle;
  busy.conns(*s, 0, 5, 0);
  EXPECT_EQ(picks(*s, busy.st, busy.counters.get(), 1), std::vector<int>{1});
  EXPECT_EQ(picks(*s, idle.st, idle.counters.get(), 1), std::vector<int>{0});
}

TEST(SourceHash, OneClientAddressAlwaysReachesOneBackend) {
  const auto s = compile_service("sh", {1, 1, 1, 1});
  fixture f;
  for (uint32_t client = 1; client < 100; ++client) {
    const auto p = picks(*s, f.st, f.counters.get(), 20, 0xc6336400 + client);
    EXPECT_EQ(std::set<int>(p.begin(), p.end()).size(), 1u) << client;
  }
}

TEST(SourceHash, ClientsSpreadInProportionToWeight) {
  const auto s = compile_service("sh", {1, 3});
  fixture f;
  int on_heavy = 0;
  const int clients = 40000;
  for (int c = 0; c < clients; ++c) on_heavy += picks(*s, f.st, f.counters.get(), 1, 0x0b000000 + c * 7919)[0];
  EXPECT_NEAR(double(on_heavy) / clients, 0.75, 0.015);
}

TEST(DestinationHash, DependsOnlyOnTheDestinationAddress) {
  const auto s = compile_service("dh", {1, 1, 1});
  fixture f;
  std::set<int> chosen;
  for (uint32_t client = 1; client < 200; ++client)
    for (const int p : picks(*s, f.st, f.counters.get(), 3, 0x0a000000 + client)) chosen.insert(p);
  EXPECT_EQ(chosen.size(), 1u);
}

TEST(BucketTable, SharesAreExactToOneBucket) {
  const std::vector<uint16_t> w = {1, 0, 2, 7};
  const auto t = weighted_buckets(w, 4096);
  ASSERT_EQ(t.size(), 4096u);
  std::map<uint32_t, int> n;
  for (const uint32_t e : t) ++n[e];
  EXPECT_EQ(n.count(1), 0u);
  EXPECT_NEAR(n[0], 4096.0 * 1 / 10, 1.0);
  EXPECT_NEAR(n[2], 4096.0 * 2 / 10, 1.0);
  EXPECT_NEAR(n[3], 4096.0 * 7 / 10, 1.0);
  EXPECT_TRUE(weighted_buckets(std::vector<uint16_t>{0, 0}, 4096).empty());
  EXPECT_EQ(hash_bucket_count(10), 4096u);
  EXPECT_EQ(hash_bucket_count(1000), 16384u);
}

TEST(Maglev, AFlowGoesToTheSlotItsTupleHashNames) {
  const auto s = compile_service("mh", {1, 1, 1});
  const snapshot_service& svc = s->services[0];
  EXPECT_EQ(svc.table_size, 65537u);
  fixture f;
  for (uint16_t port = 1000; port < 1100; ++port) {
    const sched_tuple t{.client_addr = htonl(0x0a000001), .vip = svc.vip,
                        .client_port = htons(port), .vip_port = svc.port, .proto = svc.proto};
    const uint64_t h = flow_tuple_hash(t.client_addr, t.client_port, t.vip, t.vip_port, t.proto);
    EXPECT_EQ(*pick_backend(*s, svc, t, f.st, f.counters.get()),
              svc.block->table[reduce_hash(h, svc.table_size)]);
    // The same tuple again (another worker, another appliance): the same backend.
    scheduler_state other(4, 7);
    EXPECT_EQ(pick_backend(*s, svc, t, other, f.counters.get()),
              pick_backend(*s, svc, t, f.st, f.counters.get()));
  }
}

TEST(Maglev, BackendOrderInTheConfigDoesNotChangeTheTable) {
  // Backends 10.0.1.1..3 weights 1,2,3 and the same set listed in reverse.
  const auto a = compile_service("mh", {1, 2, 3});
  std::string yaml = "interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }]\n"
                     "services: [{ name: s, address: 10.0.0.100, port: 80, scheduler: mh, backends: ["
                     "{ address: 10.0.1.3, port: 8080, weight: 3 },"
                     "{ address: 10.0.1.2, port: 8080, weight: 2 },"
                     "{ address: 10.0.1.1, port: 8080, weight: 1 }] }]\n";
  const port_info ports[] = {{.port_id = 0, .mac = {}}};
  slot_registries slots{slot_registry(4), slot_registry(64)};
  const auto b = compile_snapshot(*parse_config(yaml, "t.yaml").cfg, ports, slots, 1);
  const service_block& ta = *a->services[0].block;
  const service_block& tb = *b->services[0].block;
  ASSERT_EQ(ta.table.size(), tb.table.size());
  for (std::size_t i = 0; i < ta.table.size(); ++i)
    ASSERT_EQ(ta.backends[ta.table[i]].addr, tb.backends[tb.table[i]].addr) << i;
}

TEST(Random, FollowsTheWeights) {
  const auto s = compile_service("random", {1, 2, 0, 5});
  fixture f;
  std::map<int, int> n;
  const int draws = 200000;
  for (const int p : picks(*s, f.st, f.counters.get(), draws)) ++n[p];
  EXPECT_EQ(n.count(2), 0u);
  EXPECT_NEAR(double(n[0]) / draws, 1.0 / 8, 0.005);
  EXPECT_NEAR(double(n[1]) / draws, 2.0 / 8, 0.005);
  EXPECT_NEAR(double(n[3]) / draws, 5.0 / 8, 0.005);
}

TEST(Random, EachWorkerHasItsOwnReproducibleSequence) {
  const auto s = compile_service("random", {1, 1, 1, 1});
  scheduler_state w0(4, 0), w0_again(4, 0), w1(4, 1);
  const auto counters = std::make_unique<traffic_counters[]>(k_backend_slots);
  const auto a = picks(*s, w0, counters.get(), 64);
  EXPECT_EQ(a, picks(*s, w0_again, counters.get(), 64));
  EXPECT_NE(a, picks(*s, w1, counters.get(), 64));
}

} // namespace
} // namespace sluice
