// Full-NAT services in the config: local_addresses is accepted on fnat services only, and every
// address that could not work (off-link, an interface's or a VIP's address, a duplicate) is
// refused naming the field.

#include <gtest/gtest.h>

#include "control/config/emit.hpp"
#include "control/config/load.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

std::string with_service(const std::string& service) {
  return R"(interfaces:
  - { name: uplink, device: up, address: 10.0.0.2/24 }
  - { name: downlink, device: down, address: 10.0.1.2/24 }
services:
  - { name: other, address: 10.0.0.101, port: 80, backends: [{ address: 10.0.1.11 }] }
)" + service;
}

std::vector<config_error> errors_of(const std::string& service) {
  return parse_config(with_service(service), "t.yaml").errors;
}

TEST(FnatConfig, FnatServiceLoadsWithItsLocalAddresses) {
  const load_result r = parse_config(with_service(
      "  - { name: web, address: 10.0.0.100, port: 80, forwarding: fnat,\n"
      "      local_addresses: [10.0.1.5, 10.0.1.6], backends: [{ address: 10.0.1.11, port: 8080 }] }\n"),
      "t.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const service_config& s = r.cfg->services.at(1);
  EXPECT_EQ(s.mode, forwarding::fnat);
  EXPECT_EQ(s.local_addresses, (std::vector<uint32_t>{*parse_ipv4("10.0.1.5"), *parse_ipv4("10.0.1.6")}));
  EXPECT_EQ(ipvsadm_forward_name(s.mode), "FullNat");
}

TEST(FnatConfig, LocalAddressesAreOptional) {
  const load_result r = parse_config(with_service(
      "  - { name: web, address: 10.0.0.100, port: 80, forwarding: fnat, backends: [{ address: 10.0.1.11 }] }\n"),
      "t.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  EXPECT_TRUE(r.cfg->services.at(1).local_addresses.empty());
}

TEST(FnatConfig, UnusableLocalAddressesAreRefusedNamingTheField) {
  const struct {
    const char* list;
    const char* field;
    const char* why;
  } cases[] = {
      {"[10.9.0.5]", "services[1].local_addresses[0]", "no interface's subnet"},
      {"[10.0.1.5, 10.0.1.2]", "services[1].local_addresses[1]", "own address"},
      {"[10.0.0.101]", "services[1].local_addresses[0]", "service \"other\""},
      {"[10.0.0.100]", "services[1].local_addresses[0]", "service's own address"},
      {"[10.0.1.5, 10.0.1.5]", "services[1].local_addresses[1]", "duplicate"},
      {"[]", "services[1].local_addresses", "at least one"},
      {"[nonsense]", "services[1].local_addresses[0]", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.list);
    const auto errors = errors_of(std::string("  - { name: web, address: 10.0.0.100, port: 80, forwarding: fnat,\n") +
                                  "      local_addresses: " + c.list + ", backends: [{ address: 10.0.1.11 }] }\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].field, c.field);
    EXPECT_NE(errors[0].message.find(c.why), std::string::npos) << errors[0].message;
  }
}

TEST(FnatConfig, LocalAddressesOnAnotherModeAreRefused) {
  const auto errors = errors_of(
      "  - { name: web, address: 10.0.0.100, port: 80, forwarding: nat, local_addresses: [10.0.1.5],\n"
      "      backends: [{ address: 10.0.1.11 }] }\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "services[1].local_addresses");
  EXPECT_NE(errors[0].message.find("only applies to forwarding fnat"), std::string::npos);
}

TEST(FnatConfig, AVipEqualToAnEarlierLocalAddressIsRefused) {
  const auto errors = errors_of(
      "  - { name: web, address: 10.0.0.100, port: 80, forwarding: fnat, local_addresses: [10.0.1.5],\n"
      "      backends: [{ address: 10.0.1.11 }] }\n"
      "  - { name: clash, address: 10.0.1.5, port: 80, backends: [{ address: 10.0.1.11 }] }\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "services[2].address");
}

TEST(FnatConfig, ProxyProtocolV2NeedsAFullNatTcpService) {
  for (const char* svc :
       {"  - { name: web, address: 10.0.0.100, port: 80, forwarding: nat, proxy_protocol: v2, backends: [{ address: 10.0.1.11 }] }\n",
        "  - { name: web, address: 10.0.0.100, port: 53, protocol: udp, forwarding: fnat, proxy_protocol: v2, backends: [{ address: 10.0.1.11 }] }\n"}) {
    const auto errors = errors_of(svc);
    ASSERT_EQ(errors.size(), 1u) << svc;
    EXPECT_EQ(errors[0].field, "services[1].proxy_protocol");
  }
  EXPECT_EQ(errors_of("  - { name: web, address: 10.0.0.100, port: 80, forwarding: fnat, proxy_protocol: v1, backends: [{ address: 10.0.1.11 }] }\n")
                .at(0).field, "services[1].proxy_protocol");
}

TEST(FnatConfig, LocalAddressesAndProxyProtocolSurviveEmitAndReload) {
  const std::string svc =
      "  - { name: web, address: 10.0.0.100, port: 80, forwarding: fnat, local_addresses: [10.0.1.5],\n"
      "      proxy_protocol: v2,\n"
      "      backends: [{ address: 10.0.1.11 }] }\n";
  const load_result r = parse_config(with_service(svc), "t.yaml");
  ASSERT_TRUE(r.cfg);
  const load_result again = with_services(*r.cfg, to_yaml(r.cfg->services));
  ASSERT_TRUE(again.cfg) << again.errors.at(0).to_string();
  EXPECT_EQ(again.cfg->services, r.cfg->services);
  EXPECT_TRUE(again.cfg->services.at(1).proxy_protocol_v2);
  EXPECT_EQ(again.cfg->services.at(1).local_addresses.size(), 1u);
}

} // namespace
} // namespace sluice
