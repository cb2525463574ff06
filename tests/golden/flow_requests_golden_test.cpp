// The control plane's flow requests through the real workers: a sample lists exactly the
// matching flows with their IPVS state, and a flush erases exactly the matching flows (with
// their connection counts), on whichever worker owns them, while the rest keep forwarding.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dataplane/net/ipv4.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

bytes syn(const char* client, uint16_t port) {
  return from_client().ipv4(client, "10.0.0.100").tcp(port, 80, SYN).build();
}
bytes ack(const char* client, uint16_t port) {
  return from_client().ipv4(client, "10.0.0.100").tcp(port, 80, ACK).build();
}

// Opens one web flow from each client, arriving on the RX queues of `workers` in turn.
void open_flows(dataplane_harness& h, const std::vector<const char*>& clients, unsigned workers = 1) {
  for (std::size_t i = 0; i < clients.size(); ++i)
    ASSERT_EQ(h.send(k_uplink, syn(clients[i], 1000), unsigned(i % workers)).size(), 1u) << clients[i];
}

std::size_t count_to(const flow_request_result& r, const char* backend) {
  std::size_t n = 0;
  for (const worker_flow& f : r.flows) n += f.sample.record.backend_addr == *parse_ipv4(backend);
  return n;
}

std::set<uint32_t> backends_of(const flow_request_result& r) {
  std::set<uint32_t> out;
  for (const worker_flow& f : r.flows) out.insert(f.sample.record.backend_addr);
  return out;
}

TEST(FlowRequests, SampleListsEveryMatchingFlowOnEveryWorker) {
  dataplane_harness h(config_yaml(), 2);
  open_flows(h, {"192.168.1.1", "192.168.1.2", "192.168.1.3", "192.168.1.4"}, 2);
  const flow_request_result all = h.ask(flow_command::op::sample, {});
  ASSERT_TRUE(all.answered);
  EXPECT_EQ(all.matched, 4u);
  ASSERT_EQ(all.flows.size(), 4u);
  std::set<unsigned> workers;
  for (const worker_flow& f : all.flows) {
    workers.insert(f.worker);
    EXPECT_EQ(f.sample.record.state, flow_state::tcp_syn_recv);
    EXPECT_GT(f.sample.expires_in_ms, 59000u) << "SYN_RECV: 60 s";
    EXPECT_LE(f.sample.expires_in_ms, 60000u);
  }
  EXPECT_EQ(workers.size(), 2u) << "the four clients are owned by both workers";

  const flow_request_result one = h.ask(flow_command::op::sample, {.client_addr = *parse_ipv4("192.168.1.3")});
  ASSERT_EQ(one.flows.size(), 1u);
  EXPECT_EQ(one.flows[0].sample.record.client_addr, *parse_ipv4("192.168.1.3"));

  const flow_request_result to_be1 =
      h.ask(flow_command::op::sample, {.backend_slot = h.backend_slot("web", "10.0.1.11")});
  EXPECT_EQ(to_be1.matched, count_to(all, "10.0.1.11"));
  EXPECT_GT(to_be1.matched, 0u);
  EXPECT_EQ(backends_of(to_be1), std::set<uint32_t>{*parse_ipv4("10.0.1.11")});
}

TEST(FlowRequests, SampleCopiesAtMostTheLimitButCountsEveryMatch) {
  dataplane_harness h(config_yaml());
  open_flows(h, {"192.168.2.1", "192.168.2.2", "192.168.2.3"});
  const flow_request_result r = h.ask(flow_command::op::sample, {}, 2);
  EXPECT_EQ(r.matched, 3u);
  EXPECT_EQ(r.flows.size(), 2u);
}

TEST(FlowRequests, FlushErasesOnlyTheRemovedBackendsFlows) {
  dataplane_harness h(config_yaml(), 2);
  const std::vector<const char*> clients = {"192.168.3.1", "192.168.3.2", "192.168.3.3", "192.168.3.4"};
  open_flows(h, clients, 2);
  const flow_request_result before =
      h.ask(flow_command::op::sample, {.backend_slot = h.backend_slot("web", "10.0.1.11")});
  const uint64_t n = before.matched;
  ASSERT_GT(n, 0u);
  ASSERT_LT(n, clients.size());
  std::set<uint32_t> flushed_clients;
  for (const worker_flow& f : before.flows) flushed_clients.insert(f.sample.record.client_addr);

  const uint64_t not_syn_before = h.drops(drop_reason::tcp_not_syn);
  const flow_request_result flush =
      h.ask(flow_command::op::flush, {.backend_slot = h.backend_slot("web", "10.0.1.11")});
  ASSERT_TRUE(flush.answered);
  EXPECT_EQ(flush.matched, n);
  EXPECT_EQ(h.stats(0).worker.flows_flushed.get() + h.stats(1).worker.flows_flushed.get(), n);
  EXPECT_EQ(h.stats(0).worker.flows_active.get() + h.stats(1).worker.flows_active.get(),
            clients.size() - n);
  const uint32_t be1 = h.backend_slot("web", "10.0.1.11");
  EXPECT_EQ(h.stats(0).backends[be1].inactive.get() + h.stats(1).backends[be1].inactive.get(), 0u)
      << "InActConn follows the erased flows";

  // The flushed connections' next segments find no flow (and are no SYN); the others still
  // reach their backend.
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const auto out = h.send(k_uplink, ack(clients[i], 1000), unsigned(i % 2));
    if (flushed_clients.count(*parse_ipv4(clients[i])))
      EXPECT_TRUE(out.empty()) << clients[i];
    else
      EXPECT_EQ(out.size(), 1u) << clients[i];
  }
  EXPECT_EQ(h.drops(drop_reason::tcp_not_syn) - not_syn_before, n);
  EXPECT_EQ(h.ask(flow_command::op::sample, {}).matched, clients.size() - n);
}

TEST(FlowRequests, FlushOfAServiceLeavesOtherServicesFlows) {
  dataplane_harness h(config_yaml());
  open_flows(h, {"192.168.4.1"});
  ASSERT_EQ(h.send(k_uplink, from_client().ipv4("192.168.4.1", "10.0.0.100").udp(5000, 53).build()).size(), 1u);
  const flow_request_result flush =
      h.ask(flow_command::op::flush, {.service_slot = h.service_slot("web")});
  EXPECT_EQ(flush.matched, 1u);
  const flow_request_result left = h.ask(flow_command::op::sample, {});
  ASSERT_EQ(left.flows.size(), 1u);
  EXPECT_EQ(left.flows[0].sample.record.proto, IPPROTO_UDP);
  EXPECT_EQ(left.flows[0].sample.record.state, flow_state::udp);
}

} // namespace
} // namespace sluice::testing
