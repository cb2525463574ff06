#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "control/config/load.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

constexpr const char* k_valid = R"(dataplane:
  eal_args: ["-l", "0-1", "--in-memory"]
  workers: 1
  flows_per_worker: 65536
interfaces:
  - name: uplink
    device: "net_af_packet0,iface=gw-up"
    address: 10.0.0.2/24
    gateway: 10.0.0.1
    neighbors:
      - { address: 10.0.0.9, mac: "02:00:00:00:00:09" }
services:
  - name: web
    address: 10.0.0.100
    port: 80
    protocol: tcp
    forwarding: nat
    scheduler: rr
    backends:
      - { address: 10.0.1.11, port: 8080, weight: 1 }
      - { address: 10.0.1.12 }
admin:
  socket: /tmp/s.sock
)";

TEST(ConfigLoad, ValidConfigLoadsEveryField) {
  const load_result r = parse_config(k_valid, "test.yaml");
  ASSERT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
  const config& c = *r.cfg;
  EXPECT_EQ(c.dataplane.flows_per_worker, 65536u);
  ASSERT_EQ(c.interfaces.size(), 1u);
  EXPECT_EQ(c.interfaces[0].prefix_len, 24u);
  EXPECT_EQ(c.interfaces[0].neighbors.at(0).mac[5], 9);
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(ntohs(c.services[0].port), 80);
  ASSERT_EQ(c.services[0].backends.size(), 2u);
  EXPECT_EQ(ntohs(c.services[0].backends[1].port), 80) << "backend port defaults to the VIP port";
  EXPECT_EQ(c.services[0].backends[1].weight, 1);
  EXPECT_EQ(c.admin.socket, "/tmp/s.sock");
}

TEST(ConfigLoad, BadAddressNamesFieldAndLine) {
  const config_error e = only_error(replace(k_valid, "address: 10.0.0.100", "address: 10.0.0.300"));
  EXPECT_EQ(e.field, "services[0].address");
  EXPECT_EQ(e.line, 14);
  EXPECT_NE(e.to_string().find("test.yaml:14: services[0].address:"), std::string::npos);
}

TEST(ConfigLoad, PortOutOfRangeIsRefused) {
  EXPECT_EQ(only_error(replace(k_valid, "port: 8080", "port: 70000")).field,
            "services[0].backends[0].port");
}

TEST(ConfigLoad, UnknownForwardingModeIsRefused) {
  EXPECT_EQ(only_error(replace(k_valid, "forwarding: nat", "forwarding: magic")).field,
            "services[0].forwarding");
}

// A DR/TUN variant of k_valid whose backends sit on the uplink's subnet.
std::string direct(const std::string& mode, const std::string& backends) {
  std::string t = replace(k_valid, "forwarding: nat", "forwarding: " + mode);
  t = replace(t, "      - { address: 10.0.1.11, port: 8080, weight: 1 }\n", backends);
  return replace(t, "      - { address: 10.0.1.12 }\n", "");
}

TEST(ConfigLoad, DrAndTunServicesLoadWithTheirBackendsOnThePort) {
  for (const char* mode : {"dr", "tun"}) {
    const load_result r = parse_config(
        direct(mode, "      - { address: 10.0.0.11, port: 80 }\n      - { address: 10.0.0.12 }\n"),
        "t.yaml");
    ASSERT_TRUE(r.cfg) << mode << ": " << r.errors.at(0).to_string();
    EXPECT_EQ(r.cfg->services[0].backends[0].port, htons(80));
    EXPECT_EQ(r.cfg->services[0].backends[1].port, htons(80)) << "a backend without port takes the VIP's";
  }
}

TEST(ConfigLoad, DrOrTunBackendPortOtherThanTheServicePortIsRefused) {
  for (const char* mode : {"dr", "tun"}) {
    const config_error e =
        only_error(direct(mode, "      - { address: 10.0.0.11, port: 8080 }\n"));
    EXPECT_EQ(e.field, "services[0].backends[0].port") << mode;
    EXPECT_NE(e.message.find("must equal the service port 80"), std::string::npos) << e.message;
  }
}

TEST(ConfigLoad, AnyPortDrServiceLoadsAndRefusesBackendPorts) {
  const std::string any = replace(direct("dr", "      - { address: 10.0.0.11 }\n"), "    port: 80\n", "");
  const load_result r = parse_config(any, "t.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  EXPECT_EQ(r.cfg->services[0].port, 0);
  const config_error e = only_error(replace(any, "{ address: 10.0.0.11 }", "{ address: 10.0.0.11, port: 80 }"));
  EXPECT_EQ(e.field, "services[0].backends[0].port");
  EXPECT_NE(e.message.find("must be left out"), std::string::npos) << e.message;
}

TEST(ConfigLoad, DrBackendOffEveryLinkIsRefusedButTunMayRoute) {
  EXPECT_EQ(only_error(direct("dr", "      - { address: 10.0.1.11, port: 80 }\n")).field,
            "services[0].backends[0].address");
  EXPECT_TRUE(parse_config(direct("tun", "      - { address: 10.0.1.11, port: 80 }\n"), "t.yaml").cfg);
}

TEST(ConfigLoad, MissingServiceAddressIsRequired) {
  EXPECT_EQ(only_error(replace(k_valid, "    address: 10.0.0.100\n", "")).field,
            "services[0].address");
}

TEST(ConfigLoad, UnknownKeyIsRefusedToCatchTypos) {
  EXPECT_EQ(only_error(replace(k_valid, "    scheduler: rr", "    schedular: rr")).field,
            "services[0].schedular");
}

TEST(ConfigLoad, NatServiceWithoutPortIsRefused) {
  EXPECT_EQ(only_error(replace(k_valid, "    port: 80\n", "")).field, "services[0].port");
}

TEST(ConfigLoad, DuplicateServiceTupleIsRefused) {
  const std::string dup = std::string(k_valid).substr(0, std::string(k_valid).find("admin:")) +
                          R"(  - name: web2
    address: 10.0.0.100
    port: 80
    backends: [{ address: 10.0.1.13 }]
)";
  EXPECT_EQ(only_error(dup).field, "services[1]");
}

TEST(ConfigLoad, GatewayOutsideTheSubnetIsRefused) {
  EXPECT_EQ(only_error(replace(k_valid, "gateway: 10.0.0.1", "gateway: 10.9.0.1")).field,
            "interfaces[0].gateway");
}

TEST(ConfigLoad, EveryProblemIsReportedInOnePass) {
  std::string bad = replace(k_valid, "workers: 1", "workers: 0");
  bad = replace(bad, "port: 8080", "port: -1");
  bad = replace(bad, "mac: \"02:00:00:00:00:09\"", "mac: nope");
  const load_result r = parse_config(bad, "test.yaml");
  EXPECT_FALSE(r.cfg);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].field, "dataplane.workers");
  EXPECT_EQ(r.errors[1].field, "interfaces[0].neighbors[0].mac");
  EXPECT_EQ(r.errors[2].field, "services[0].backends[0].port");
}

TEST(ConfigLoad, YamlSyntaxErrorReportsTheLine) {
  const load_result r = parse_config("services: [\n  {name: x\n", "test.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_GT(r.errors[0].line, 0);
}

TEST(ConfigLoad, EmptyDocumentNeedsInterfaces) {
  const load_result r = parse_config("", "test.yaml");
  EXPECT_FALSE(r.cfg);
  EXPECT_FALSE(r.errors.empty());
}

// services[0] with `check` as its health_check.
std::string with_check(const std::string& check) {
  return replace(k_valid, "    scheduler: rr\n", "    scheduler: rr\n    health_check: " + check + "\n");
}

TEST(ConfigLoad, HealthCheckLoadsEveryFieldAndDefaults) {
  const load_result r = parse_config(
      with_check("{ type: http, port: 8081, path: /healthz, expect_status: 204, interval_ms: 500, "
                 "timeout_ms: 200, rise: 1, fall: 4 }"),
      "test.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const health_check_config& c = r.cfg->services[0].health_check.value();
  EXPECT_EQ(c.kind, health_check_kind::http);
  EXPECT_EQ(c.port, 8081);
  EXPECT_EQ(c.path, "/healthz");
  EXPECT_EQ(c.expect_status.value_or(0), 204);
  EXPECT_EQ(c.interval_ms, 500u);
  EXPECT_EQ(c.timeout_ms, 200u);
  EXPECT_EQ(c.rise, 1u);
  EXPECT_EQ(c.fall, 4u);

  const load_result d = parse_config(with_check("{ type: tcp }"), "test.yaml");
  ASSERT_TRUE(d.cfg) << d.errors.at(0).to_string();
  const health_check_config& t = d.cfg->services[0].health_check.value();
  EXPECT_EQ(t.port, 0) << "0: each backend's own port";
  EXPECT_EQ(t.interval_ms, 2000u);
  EXPECT_EQ(t.timeout_ms, 1000u);
  EXPECT_EQ(t.rise, 2u);
  EXPECT_EQ(t.fall, 3u);
  EXPECT_FALSE(t.expect_status);
  EXPECT_FALSE(parse_config(k_valid, "test.yaml").cfg->services[0].health_check)
      << "no key: no check";
}

TEST(ConfigLoad, InvalidHealthCheckIsRefusedNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"{ interval_ms: 1000 }", "services[0].health_check.type"},
      {"{ type: icmp }", "services[0].health_check.type"},
      {"{ type: tcp, port: 0 }", "services[0].health_check.port"},
      {"{ type: tcp, port: 70000 }", "services[0].health_check.port"},
      {"{ type: tcp, path: /x }", "services[0].health_check.path"},
      {"{ type: tcp, expect_status: 200 }", "services[0].health_check.expect_status"},
      {"{ type: http, path: healthz }", "services[0].health_check.path"},
      {"{ type: http, path: \"/a b\" }", "services[0].health_check.path"},
      {"{ type: http, expect_status: 99 }", "services[0].health_check.expect_status"},
      {"{ type: http, expect_status: 600 }", "services[0].health_check.expect_status"},
      {"{ type: tcp, interval_ms: 50 }", "services[0].health_check.interval_ms"},
      {"{ type: tcp, timeout_ms: 5 }", "services[0].health_check.timeout_ms"},
      {"{ type: tcp, interval_ms: 500, timeout_ms: 501 }", "services[0].health_check.timeout_ms"},
      {"{ type: tcp, rise: 0 }", "services[0].health_check.rise"},
      {"{ type: tcp, fall: 101 }", "services[0].health_check.fall"},
      {"{ type: tcp, fall: two }", "services[0].health_check.fall"},
      {"{ type: tcp, retries: 3 }", "services[0].health_check.retries"},
      {"tcp", "services[0].health_check"},
  };
  for (const auto& [check, field] : cases) {
    const load_result r = parse_config(with_check(check), "test.yaml");
    EXPECT_FALSE(r.cfg) << check;
    ASSERT_EQ(r.errors.size(), 1u) << check;
    EXPECT_EQ(r.errors[0].field, field) << check << ": " << r.errors[0].to_string();
  }
}

TEST(ConfigLoad, HealthCheckOfUdpOrAnyPortServiceNeedsAPort) {
  std::string udp = replace(with_check("{ type: tcp }"), "protocol: tcp", "protocol: udp");
  EXPECT_EQ(only_error(udp).field, "services[0].health_check.port");
  udp = replace(udp, "{ type: tcp }", "{ type: tcp, port: 22 }");
  EXPECT_TRUE(parse_config(udp, "test.yaml").cfg);

  std::string any_port = replace(with_check("{ type: http }"), "    port: 80\n", "");
  any_port = replace(any_port, "forwarding: nat", "forwarding: tun");
  any_port = replace(any_port, "port: 8080, ", "");
  EXPECT_EQ(only_error(any_port).field, "services[0].health_check.port");
}

} // namespace
} // namespace sluice
