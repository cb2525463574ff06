#include <gtest/gtest.h>

#include "control/config/load.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

const std::string k_base = R"(interfaces:
  - { name: up, device: "net_null0", address: 10.0.0.2/24 }
)";

load_result load(const std::string& extra) { return parse_config(k_base + extra, "k.yaml"); }

std::vector<std::string> errors(const std::string& extra) { return rendered_errors(load(extra)); }

TEST(K8sConfig, KubernetesAndAddressPoolsLoadEveryKey) {
  const load_result r = load(R"(kubernetes:
  kubeconfig: /etc/sluice/kubeconfig
  load_balancer_class: example.com/edge
  class_less: true
  node_addresses: [10.0.0.2]
  backends: nodes
  forwarding: dr
  scheduler: mh
  watch_timeout_seconds: 60
  watch_idle_seconds: 120
  request_timeout_seconds: 5
  token_reread_seconds: 30
address_pools:
  - name: public
    addresses: [192.0.2.0/28, 192.0.2.100-192.0.2.110]
  - { name: manual, addresses: [198.51.100.7], auto_assign: false }
)");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const kubernetes_config& k = r.cfg->kubernetes;
  EXPECT_TRUE(k.enabled);
  EXPECT_EQ(k.kubeconfig, "/etc/sluice/kubeconfig");
  EXPECT_EQ(k.load_balancer_class, "example.com/edge");
  EXPECT_TRUE(k.class_less && k.backends_nodes);
  EXPECT_EQ(k.node_addresses, std::vector<uint32_t>{*parse_ipv4("10.0.0.2")});
  EXPECT_EQ(k.mode, forwarding::dr);
  EXPECT_EQ(k.scheduler, scheduler_kind::mh);
  EXPECT_EQ(k.watch_timeout_seconds, 60u);
  EXPECT_EQ(k.watch_idle_seconds, 120u);
  EXPECT_EQ(k.request_timeout_seconds, 5u);
  EXPECT_EQ(k.token_reread_seconds, 30u);
  ASSERT_EQ(r.cfg->address_pools.size(), 2u);
  EXPECT_EQ(r.cfg->address_pools[0].ranges.size(), 2u);
  EXPECT_EQ(r.cfg->address_pools[0].ranges[1].last - r.cfg->address_pools[0].ranges[1].first, 10u);
  EXPECT_FALSE(r.cfg->address_pools[1].auto_assign);
}

TEST(K8sConfig, AbsentKubernetesKeyLeavesSyncDisabled) {
  const load_result r = load("");
  ASSERT_TRUE(r.cfg);
  EXPECT_FALSE(r.cfg->kubernetes.enabled);
}

TEST(K8sConfig, ProblemsNameFileLineAndField) {
  EXPECT_EQ(errors("kubernetes:\n  in_cluster: true\n  backends: vms\n"),
            std::vector<std::string>{"k.yaml:5: kubernetes.backends: must be one of pods | nodes "
                                     "(got \"vms\")"});
  EXPECT_EQ(errors("kubernetes:\n  in_cluster: true\n  kubeconfig: /x\n"),
            std::vector<std::string>{"k.yaml:4: kubernetes: set exactly one of kubeconfig (a file "
                                     "with server, CA and credentials) and in_cluster: true (the "
                                     "pod's service-account token)"});
  EXPECT_EQ(errors("kubernetes:\n  in_cluster: true\n  forwarding: masq\n"),
            std::vector<std::string>{"k.yaml:5: kubernetes.forwarding: must be one of nat | dr | "
                                     "tun | fnat (got \"masq\")"});
  EXPECT_EQ(errors("kubernetes: {in_cluster: true, resync: 5}\n"),
            std::vector<std::string>{"k.yaml:3: kubernetes.resync: unknown key"});
}

TEST(K8sConfig, PoolProblemsNameTheEntry) {
  EXPECT_EQ(errors("address_pools:\n  - { name: a, addresses: [10.1.0.1/24] }\n"),
            std::vector<std::string>{"k.yaml:4: address_pools[0].addresses[0]: not a CIDR "
                                     "(a.b.c.d/len, host bits zero) or range (a.b.c.d-e.f.g.h): "
                                     "\"10.1.0.1/24\""});
  EXPECT_EQ(errors("address_pools:\n  - { name: a, addresses: [10.1.0.0/24] }\n"
                   "  - { name: b, addresses: [10.1.0.200-10.1.1.5] }\n"),
            std::vector<std::string>{"k.yaml:5: address_pools[1].addresses[0]: overlaps address "
                                     "pool \"a\""});
  EXPECT_EQ(errors("address_pools:\n  - { name: a }\n"),
            std::vector<std::string>{"k.yaml:4: address_pools[0].addresses: is required (CIDRs "
                                     "a.b.c.d/len or ranges a.b.c.d-e.f.g.h)"});
}

TEST(K8sConfig, HealthCheckIsOptionalAndValidatedLikeAServices) {
  const std::string head = "kubernetes:\n  in_cluster: true\n";
  EXPECT_FALSE(load(head).cfg->kubernetes.health_check);
  const load_result r = load(head + "  health_check: { type: http, path: /healthz, fall: 2 }\n");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  ASSERT_TRUE(r.cfg->kubernetes.health_check);
  EXPECT_EQ(r.cfg->kubernetes.health_check->path, "/healthz");
  EXPECT_EQ(r.cfg->kubernetes.health_check->fall, 2u);
  const std::vector<std::string> e = errors(head + "  health_check: { type: tcp, rise: 0 }\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("kubernetes.health_check.rise"), std::string::npos) << e[0];
}

} // namespace
} // namespace sluice
