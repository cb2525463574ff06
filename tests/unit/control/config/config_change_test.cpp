#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "control/config/change.hpp"
#include "tests/support/change_request.hpp"
#include "control/config/emit.hpp"
#include "control/config/load.hpp"

namespace sluice {
namespace {

constexpr const char* k_file = R"(interfaces:
  - { name: uplink, device: "net_null0", address: 10.0.0.2/24 }
  - { name: downlink, device: "net_null1", address: 10.0.1.2/24 }
services:
  - name: web
    address: 10.0.0.100
    port: 80
    scheduler: wrr
    persistence_timeout: 0
    health_check: { type: http, path: /ready, expect_status: 204, interval_ms: 300, timeout_ms: 100, rise: 1, fall: 5 }
    backends:
      - { address: 10.0.1.11, port: 8080, weight: 3 }
      - { address: 10.0.1.12, port: 8080 }
  - name: echo
    address: 10.0.0.100
    port: 53
    protocol: udp
    backends: [{ address: 10.0.1.11, port: 5353 }]
)";

config applied() {
  load_result r = parse_config(k_file, "test.yaml");
  EXPECT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
  return *r.cfg;
}

// The config after the plan, or nullopt when the plan was refused.
std::optional<config> next_of(config base, const change_plan& p) {
  if (!p.delta) return std::nullopt;
  apply_delta(base, *p.delta);
  return base;
}

TEST(ConfigChange, EmittedServicesParseBackToTheSameConfig) {
  const config c = applied();
  const load_result r = with_services(c, to_yaml(c.services));
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  EXPECT_EQ(*r.cfg, c);
}

TEST(ConfigChange, AddBackendAppendsItWithTheServicePortByDefault) {
  const change_plan p = plan_change(
      applied(), change_kind::add_backend,
      R"({"service": {"protocol": "tcp", "address": "10.0.0.100", "port": 80},
          "backend": {"address": "10.0.1.13", "weight": 2}})");
  const auto pn = next_of(applied(), p);
  ASSERT_TRUE(pn) << p.errors.at(0);
  const auto& b = pn->services[0].backends;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(ntohs(b[2].port), 80);
  EXPECT_EQ(b[2].weight, 2);
  EXPECT_EQ(p.subject, "web 10.0.1.13:80");
  EXPECT_EQ(pn->services[0].health_check, applied().services[0].health_check)
      << "a backend change keeps the service's health check (services round-trip through YAML)";
}

TEST(ConfigChange, EditServiceReplacesOrRefusesItsHealthCheck) {
  const change_plan p = plan_change(applied(), change_kind::edit_service,
                                    R"({"service": {"name": "echo"},
                                        "set": {"health_check": {"type": "tcp", "port": 22}}})");
  const auto pn = next_of(applied(), p);
  ASSERT_TRUE(pn) << p.errors.at(0);
  ASSERT_TRUE(pn->services[1].health_check);
  EXPECT_EQ(pn->services[1].health_check->port, 22);

  const change_plan bad = plan_change(applied(), change_kind::edit_service,
                                      R"({"service": {"name": "echo"},
                                          "set": {"health_check": {"type": "tcp"}}})");
  EXPECT_FALSE(bad.delta);
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_NE(bad.errors[0].find("services[echo].health_check.port"), std::string::npos)
      << bad.errors[0];
}

TEST(ConfigChange, BadFieldIsRefusedWithTheFilesRuleAndANamedPath) {
  const change_plan p = plan_change(
      applied(), change_kind::add_backend,
      R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.13", "weight": 70000}})");
  EXPECT_FALSE(p.delta);
  EXPECT_EQ(p.status, 422);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0], "services[web].backends[2].weight: must be an integer in 0..65535 "
                         "(got \"70000\")");
}

TEST(ConfigChange, BadAddressIsRefused) {
  const change_plan p = plan_change(
      applied(), change_kind::add_backend,
      R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.300", "port": 8080}})");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].rfind("services[web].backends[2].address: not an IPv4 address", 0), 0u)
      << p.errors[0];
}

TEST(ConfigChange, DuplicateBackendIsRefused) {
  const change_plan p = plan_change(
      applied(), change_kind::add_backend,
      R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.11", "port": 8080}})");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].find("duplicate backend"), std::string::npos) << p.errors[0];
}

TEST(ConfigChange, AddServiceWithoutNameOrBackendsGetsDefaults) {
  const change_plan p = plan_change(applied(), change_kind::add_service,
                                    R"({"address": "10.0.0.101", "port": 443, "scheduler": "lc"})");
  const auto pn = next_of(applied(), p);
  ASSERT_TRUE(pn) << p.errors.at(0);
  ASSERT_EQ(pn->services.size(), 3u);
  EXPECT_EQ(pn->services[2].name, "tcp/10.0.0.101:443");
  EXPECT_EQ(pn->services[2].scheduler, scheduler_kind::lc);
  EXPECT_TRUE(pn->services[2].backends.empty());
}

TEST(ConfigChange, ServiceOnAnInterfaceAddressIsRefusedLikeInTheFile) {
  const change_plan p = plan_change(applied(), change_kind::add_service,
                                    R"({"name": "bad", "address": "10.0.0.2", "port": 80})");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0], "services[bad].address: is interface \"uplink\"'s own address");
}

TEST(ConfigChange, EditServiceChangesOnlyTheGivenFields) {
  const config c = applied();
  const change_plan p = plan_change(c, change_kind::edit_service,
                                    R"({"service": {"name": "web"}, "set": {"scheduler": "rr"}})");
  const auto pn = next_of(applied(), p);
  ASSERT_TRUE(pn) << p.errors.at(0);
  EXPECT_EQ(pn->services[0].scheduler, scheduler_kind::rr);
  EXPECT_EQ(pn->services[0].backends, c.services[0].backends);
}

TEST(ConfigChange, EditBackendWeightZeroDrains) {
  const change_plan p = plan_change(
      applied(), change_kind::edit_backend,
      R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.11", "port": 8080, "weight": 0}})");
  const auto pn = next_of(applied(), p);
  ASSERT_TRUE(pn) << p.errors.at(0);
  EXPECT_EQ(pn->services[0].backends[0].weight, 0);
}

TEST(ConfigChange, DeleteBackendAndServiceRemoveThem) {
  const change_plan b = plan_change(
      applied(), change_kind::delete_backend,
      R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.11", "port": 8080}})");
  const auto bn = next_of(applied(), b);
  ASSERT_TRUE(bn);
  EXPECT_EQ(bn->services[0].backends.size(), 1u);
  const change_plan s = plan_change(
      applied(), change_kind::delete_service,
      R"({"service": {"protocol": "udp", "address": "10.0.0.100", "port": 53}})");
  const auto sn = next_of(applied(), s);
  ASSERT_TRUE(sn);
  ASSERT_EQ(sn->services.size(), 1u);
  EXPECT_EQ(sn->services[0].name, "web");
}

TEST(ConfigChange, AddedServiceIsCheckedAgainstEveryOtherService) {
  const change_plan name = plan_change(applied(), change_kind::add_service,
                                       R"({"name": "echo", "address": "10.0.0.101", "port": 80})");
  ASSERT_EQ(name.errors.size(), 1u);
  EXPECT_EQ(name.errors[0], "services[echo].name: duplicate service name \"echo\"");
  const change_plan identity = plan_change(
      applied(), change_kind::add_service,
      R"({"name": "dns", "address": "10.0.0.100", "port": 53, "protocol": "udp"})");
  ASSERT_EQ(identity.errors.size(), 1u);
  EXPECT_EQ(identity.errors[0],
            "services[dns]: same address, port and protocol as service \"echo\"");
}

TEST(ConfigChange, EditedServiceMayKeepItsOwnIdentityButNotTakeAnothers) {
  const change_plan keep = plan_change(applied(), change_kind::edit_service,
                                       R"({"service": {"name": "echo"}, "set": {"port": 53}})");
  EXPECT_TRUE(keep.delta) << keep.errors.at(0);
  const change_plan take = plan_change(
      applied(), change_kind::edit_service,
      R"({"service": {"name": "echo"}, "set": {"protocol": "tcp", "port": 80}})");
  ASSERT_EQ(take.errors.size(), 1u);
  EXPECT_EQ(take.errors[0], "services[echo]: same address, port and protocol as service \"web\"");
}

TEST(ConfigChange, UnknownServiceIsNotFound) {
  const change_plan p = plan_change(applied(), change_kind::delete_service,
                                    R"({"service": {"address": "10.0.0.100", "port": 81}})");
  EXPECT_EQ(p.status, 404);
  EXPECT_EQ(p.errors.at(0), "service: no tcp service 10.0.0.100:81");
}

TEST(ConfigChange, ForwardingOtherThanTheServicesIsRefused) {
  const change_plan p = plan_change(
      applied(), change_kind::add_backend,
      R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.13", "forwarding": "dr"}})");
  EXPECT_EQ(p.status, 422);
  EXPECT_EQ(p.errors.at(0).rfind("backend.forwarding:", 0), 0u) << p.errors.at(0);
}

TEST(ConfigChange, MalformedJsonIsRefused) {
  const change_plan p = plan_change(applied(), change_kind::add_service, "{nope");
  EXPECT_EQ(p.status, 422);
  EXPECT_FALSE(p.delta);
}

} // namespace
} // namespace sluice
