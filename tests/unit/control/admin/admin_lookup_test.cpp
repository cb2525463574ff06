// Property: GET /v1/lookup names the service a tuple reaches and what a new connection with it
// would get from the running snapshot — the exact backend for the hash schedulers (the same one
// the scheduler dispatcher picks, whatever the client port for sh), the candidates for the
// others (a drained backend never among them), the ACL verdict of the first packet — and refuses
// a malformed query naming each bad field, an address without a service with 404.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "control/admin/api.hpp"
#include "control/daemon/control_plane.hpp"
#include "tests/support/control_plane_test.hpp"

namespace sluice {
namespace {

using json = nlohmann::json;

constexpr const char* k_file = R"(interfaces:
  - { name: up, device: "none0", address: 10.0.0.2/24 }
  - { name: down, device: "none1", address: 10.0.1.2/24 }
acls:
  - name: edge
    default: allow
    rules:
      - { name: no-telnet, action: deny, protocol: tcp, ports: 23, reply: rst }
      - { name: scanners, action: deny, src: 192.0.2.0/24 }
  - name: inspect
    default: allow
    rules:
      - { name: admin-path, action: deny, payload: ["GET /admin"] }
global_acls: [edge]
services:
  - name: web
    address: 10.0.0.100
    port: 80
    persistence_timeout: 300
    backends:
      - { address: 10.0.1.11, port: 8080 }
      - { address: 10.0.1.12, port: 8080, weight: 0 }
      - { address: 10.0.1.13, port: 8080, weight: 2 }
  - name: hashed
    address: 10.0.0.101
    port: 443
    scheduler: mh
    backends:
      - { address: 10.0.1.11, port: 8443 }
      - { address: 10.0.1.12, port: 8443 }
      - { address: 10.0.1.13, port: 8443 }
  - name: by-source
    address: 10.0.0.101
    port: 53
    protocol: udp
    scheduler: sh
    backends:
      - { address: 10.0.1.11, port: 5353 }
      - { address: 10.0.1.12, port: 5353 }
  - name: telnet
    address: 10.0.0.102
    forwarding: dr
    acls: [inspect]
    backends: [{ address: 10.0.1.11 }]
  - name: drained
    address: 10.0.0.103
    port: 80
    scheduler: mh
    backends: [{ address: 10.0.1.11, port: 80, weight: 0 }]
)";

class AdminLookup : public test::control_plane_test {
protected:
  void SetUp() override { start(k_file, stats_); }

  // The reply to the lookup of `proto client vip`, or the refusal's status and errors.
  admin_response ask(const std::string& proto, const std::string& client, const std::string& vip) {
    const api::lookup_query q{.protocol = proto, .client = client, .virtual_ = vip};
    return control_->handle({"GET", api::to_target(q), ""});
  }
  api::lookup_reply found(const std::string& proto, const std::string& client, const std::string& vip) {
    const admin_response r = ask(proto, client, vip);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? api::decode_text<api::lookup_reply>(r.body) : api::lookup_reply{};
  }

  worker_stats stats_{64, 256, 64};
};

TEST_F(AdminLookup, ArrivalSchedulersListTheBackendsThatTakeNewConnections) {
  const api::lookup_reply r = found("tcp", "10.0.0.1:40000", "10.0.0.100:80");
  EXPECT_EQ(r.service, "web");
  EXPECT_EQ(r.forwarding, "nat");
  EXPECT_FALSE(r.flow) << "no worker tracks it";
  EXPECT_EQ(r.if_new.scheduler, "rr");
  EXPECT_TRUE(r.if_new.decided_at_arrival);
  EXPECT_EQ(r.if_new.backend, "");
  EXPECT_EQ(r.if_new.candidates, (std::vector<std::string>{"10.0.1.11:8080", "10.0.1.13:8080"}));
  EXPECT_EQ(r.if_new.affinity_seconds, 300u);
  EXPECT_EQ(r.if_new.acl, "allow");
}

TEST_F(AdminLookup, MaglevNamesOneBackendPerTupleAndSpreadsTuples) {
  std::set<std::string> seen;
  for (int port = 40000; port < 40064; ++port) {
    const std::string client = "10.0.0.1:" + std::to_string(port);
    const api::lookup_reply r = found("tcp", client, "10.0.0.101:443");
    EXPECT_FALSE(r.if_new.decided_at_arrival);
    EXPECT_EQ(r.if_new.candidates.size(), 3u);
    ASSERT_NE(r.if_new.backend, "");
    EXPECT_EQ(found("tcp", client, "10.0.0.101:443").if_new.backend, r.if_new.backend)
        << "the same tuple, the same backend";
    seen.insert(r.if_new.backend);
  }
  EXPECT_EQ(seen.size(), 3u) << "64 tuples reach every backend of the table";
}

TEST_F(AdminLookup, SourceHashIgnoresTheClientPort) {
  const std::string first = found("udp", "10.0.0.7:1000", "10.0.0.101:53").if_new.backend;
  ASSERT_NE(first, "");
  for (int port = 1001; port < 1032; ++port)
    EXPECT_EQ(found("udp", "10.0.0.7:" + std::to_string(port), "10.0.0.101:53").if_new.backend, first);
}

TEST_F(AdminLookup, AnyPortDirectRoutingKeepsTheClientsPort) {
  const api::lookup_reply r = found("tcp", "10.0.0.1:40000", "10.0.0.102:8000");
  EXPECT_EQ(r.service, "telnet");
  EXPECT_EQ(r.forwarding, "dr");
  EXPECT_EQ(r.if_new.candidates, std::vector<std::string>{"10.0.1.11:8000"});
}

TEST_F(AdminLookup, AclVerdictIsTheFirstPacketsAcrossGlobalAndServiceSets) {
  EXPECT_EQ(found("tcp", "10.0.0.1:40000", "10.0.0.102:23").if_new.acl, "reset");
  EXPECT_EQ(found("udp", "192.0.2.9:5000", "10.0.0.101:53").if_new.acl, "deny");
  EXPECT_EQ(found("tcp", "10.0.0.1:40000", "10.0.0.102:8000").if_new.acl, "payload")
      << "a SYN has no payload: the payload rule decides on the first data";
  EXPECT_EQ(found("tcp", "10.0.0.1:40000", "10.0.0.101:443").if_new.acl, "allow");
}

TEST_F(AdminLookup, EveryBackendDrainedMeansNoBackend) {
  const api::lookup_reply r = found("tcp", "10.0.0.1:40000", "10.0.0.103:80");
  EXPECT_EQ(r.if_new.backend, "");
  EXPECT_FALSE(r.if_new.decided_at_arrival);
  EXPECT_TRUE(r.if_new.candidates.empty());
}

TEST_F(AdminLookup, AnAddressWithoutAServiceIsNotFound) {
  const admin_response r = ask("tcp", "10.0.0.1:40000", "10.0.0.100:81");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("virtual: no tcp service at 10.0.0.100:81"), std::string::npos) << r.body;
  EXPECT_EQ(ask("udp", "10.0.0.1:40000", "10.0.0.100:80").status, 404);
}

TEST_F(AdminLookup, MalformedQueriesAreRefusedNamingEachField) {
  const admin_response r = ask("icmp", "10.0.0.1", "10.0.0.300:80");
  EXPECT_EQ(r.status, 422);
  const auto errors = api::decode_text<api::error_reply>(r.body).errors;
  ASSERT_EQ(errors.size(), 3u) << r.body;
  EXPECT_TRUE(errors[0].starts_with("protocol:")) << errors[0];
  EXPECT_TRUE(errors[1].starts_with("client:")) << errors[1];
  EXPECT_TRUE(errors[2].starts_with("virtual:")) << errors[2];
  EXPECT_EQ(ask("tcp", "10.0.0.1:0", "10.0.0.100:80").status, 422);
  EXPECT_EQ(ask("tcp", "10.0.0.1:65536", "10.0.0.100:80").status, 422);
  const admin_response missing = control_->handle({"GET", "/v1/lookup?protocol=tcp", ""});
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body.find("client: is required"), std::string::npos) << missing.body;
  const admin_response unknown =
      control_->handle({"GET", "/v1/lookup?protocol=tcp&client=10.0.0.1:1&virtual=10.0.0.100:80&x=1", ""});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find("x: unknown parameter"), std::string::npos) << unknown.body;
}

} // namespace
} // namespace sluice
