// Per-service recompilation: a runtime change to one service compiles that service only, shares
// every other service's block with the previous snapshot, and yields what a full compile of the
// same config would.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <string>

#include "control/config/change.hpp"
#include "tests/support/change_request.hpp"
#include "control/config/load.hpp"
#include "control/snapshot/compile.hpp"

namespace sluice {
namespace {

constexpr const char* k_file = R"(dataplane: { max_services: 4, max_backends: 8, maglev_table_size: 251 }
interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }, { name: down, device: e, address: 10.0.1.2/24 }]
services:
  - { name: a, address: 10.0.0.100, port: 80, scheduler: mh,
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: b, address: 10.0.0.101, port: 80, scheduler: sh,
      backends: [{ address: 10.0.1.11, port: 8080 }] }
  - { name: c, address: 10.0.0.101, port: 53, protocol: udp, scheduler: random,
      backends: [{ address: 10.0.1.13, port: 5353, weight: 3 }] }
)";

const port_info k_ports[] = {{.port_id = 0, .mac = {}}, {.port_id = 1, .mac = {}}};

struct lab {
  config applied = *parse_config(k_file, "t.yaml").cfg;
  slot_registries slots{slot_registry(4), slot_registry(8)};
  std::unique_ptr<snapshot> current = compile_snapshot(applied, k_ports, slots, 1);

  // Plans `body`, applies it to `applied` and recompiles the one service it touches.
  std::unique_ptr<snapshot> change(change_kind kind, const std::string& body) {
    change_plan p = plan_change(applied, kind, body);
    if (!p.delta) throw std::runtime_error(p.errors.at(0));
    service_delta& d = *p.delta;
    service_config old = d.kind == service_delta::op::add ? service_config{} : applied.services[d.index];
    const service_change ch{.kind = d.kind == service_delta::op::add       ? service_change::op::added
                                    : d.kind == service_delta::op::replace ? service_change::op::replaced
                                                                           : service_change::op::removed,
                            .index = d.index,
                            .old = &old};
    apply_delta(applied, std::move(d));
    return recompile_service(*current, applied, ch, slots, current->generation + 1);
  }
};

void expect_same_service(const snapshot_service& x, const snapshot_service& y) {
  EXPECT_EQ(x.vip, y.vip);
  EXPECT_EQ(x.port, y.port);
  EXPECT_EQ(x.proto, y.proto);
  EXPECT_EQ(x.scheduler, y.scheduler);
  EXPECT_EQ(x.slot, y.slot);
  EXPECT_EQ(x.backend_count, y.backend_count);
  EXPECT_EQ(x.table_size, y.table_size);
  EXPECT_EQ(x.weight_total, y.weight_total);
  ASSERT_EQ(x.block->backends.size(), y.block->backends.size());
  for (std::size_t i = 0; i < x.block->backends.size(); ++i) {
    EXPECT_EQ(x.block->backends[i].addr, y.block->backends[i].addr);
    EXPECT_EQ(x.block->backends[i].weight, y.block->backends[i].weight);
    EXPECT_EQ(x.block->backends[i].slot, y.block->backends[i].slot);
  }
  EXPECT_EQ(x.block->table, y.block->table);
  EXPECT_EQ(x.block->weight_prefix, y.block->weight_prefix);
}

TEST(SnapshotCompile, OneServiceChangeSharesEveryOtherBlock) {
  lab l;
  const auto next = l.change(change_kind::edit_backend,
                             R"({"service": {"name": "a"}, "backend": {"address": "10.0.1.12", "port": 8080, "weight": 3}})");
  EXPECT_NE(next->services[0].block, l.current->services[0].block);
  EXPECT_EQ(next->services[1].block, l.current->services[1].block);
  EXPECT_EQ(next->services[2].block, l.current->services[2].block);
  EXPECT_EQ(next->services[0].block->backends[1].weight, 3);
}

TEST(SnapshotCompile, RecompiledSnapshotEqualsAFullCompileOfTheSameConfig) {
  lab l;
  auto next = l.change(change_kind::edit_backend,
                       R"({"service": {"name": "a"}, "backend": {"address": "10.0.1.11", "port": 8080, "weight": 0}})");
  slot_registries fresh_slots = l.slots;
  const auto full = compile_snapshot(l.applied, k_ports, fresh_slots, 2);
  ASSERT_EQ(next->services.size(), full->services.size());
  for (std::size_t i = 0; i < full->services.size(); ++i) expect_same_service(next->services[i], full->services[i]);
}

TEST(SnapshotCompile, AddedServiceIsFoundAndItsVipAnswered) {
  lab l;
  const auto next = l.change(change_kind::add_service,
                             R"({"name": "d", "address": "10.0.0.102", "port": 443, "backends": [{"address": "10.0.1.14"}]})");
  const snapshot_service* d = next->find_service(htonl(0x0a000066), htons(443), IPPROTO_TCP);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->block->backends[0].port, htons(443));
  EXPECT_TRUE(next->local_addrs.find_ipv4(htonl(0x0a000066)));
  EXPECT_EQ(l.current->find_service(htonl(0x0a000066), htons(443), IPPROTO_TCP), nullptr)
      << "the previous snapshot is never edited";
}

TEST(SnapshotCompile, RemovedServiceReleasesItsSlotsAndItsVipWhenUnshared) {
  lab l;
  auto next = l.change(change_kind::delete_service, R"({"service": {"name": "a"}})");
  EXPECT_EQ(next->find_service(htonl(0x0a000064), htons(80), IPPROTO_TCP), nullptr);
  EXPECT_FALSE(next->local_addrs.find_ipv4(htonl(0x0a000064)));
  EXPECT_EQ(l.slots.services.in_use(), 2u);
  EXPECT_EQ(l.slots.backends.in_use(), 2u);
  l.current = std::move(next);
  // 10.0.0.101 stays a VIP while one of its two services remains.
  next = l.change(change_kind::delete_service, R"({"service": {"name": "b"}})");
  EXPECT_TRUE(next->local_addrs.find_ipv4(htonl(0x0a000065)));
  const snapshot_service* c = next->find_service(htonl(0x0a000065), htons(53), IPPROTO_UDP);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->block->weight_prefix, std::vector<uint32_t>{3});
}

TEST(SnapshotCompile, ChangeThatNeedsTooManySlotsIsRefusedAndLeavesTheSlotsAsTheyWere) {
  lab l;
  // 4 of 8 backend slots are in use: five more cannot fit.
  std::string backends;
  for (int i = 20; i < 25; ++i) backends += std::string(backends.empty() ? "" : ",") + R"({"address": "10.0.1.)" + std::to_string(i) + R"("})";
  EXPECT_THROW(l.change(change_kind::add_service,
                        R"({"name": "d", "address": "10.0.0.102", "port": 443, "backends": [)" + backends + "]}"),
               compile_error);
  EXPECT_EQ(l.slots.services.in_use(), 3u);
  EXPECT_EQ(l.slots.backends.in_use(), 4u);
}

} // namespace
} // namespace sluice
