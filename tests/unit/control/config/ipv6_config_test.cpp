// interfaces[] with IPv6: `address` of either family, `addresses` for both, one gateway per
// family, IPv6 static neighbours; and the local-address table the snapshot builds from them.
#include <gtest/gtest.h>

#include "control/config/load.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv6.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

constexpr const char* k_dual = R"(interfaces:
  - name: uplink
    device: "net_af_packet0,iface=gw-up"
    addresses: ["10.0.0.2/24", "fd00::2/64"]
    gateway: ["10.0.0.1", "fd00::1"]
    neighbors:
      - { address: "fd00::9", mac: "02:00:00:00:00:09" }
      - { address: 10.0.0.9, mac: "02:00:00:00:00:0a" }
)";

ipv6_bytes v6(const char* text) { return *parse_ipv6(text); }

TEST(Ipv6Config, DualStackInterfaceKeepsBothAddressesAndGateways) {
  const load_result r = parse_config(k_dual, "test.yaml");
  ASSERT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
  const interface_config& i = r.cfg->interfaces.at(0);
  EXPECT_TRUE(i.has_ipv4());
  EXPECT_EQ(i.prefix_len, 24u);
  ASSERT_TRUE(i.has_ipv6());
  EXPECT_EQ(i.addr6, v6("fd00::2"));
  EXPECT_EQ(i.prefix6, 64u);
  EXPECT_EQ(i.gateway6, v6("fd00::1"));
  EXPECT_NE(i.gateway, 0u);
  ASSERT_EQ(i.neighbors.size(), 2u);
  EXPECT_EQ(i.neighbors[0].addr, ip_addr::ipv6(v6("fd00::9")));
  EXPECT_EQ(i.neighbors[1].addr.family(), addr_family::ipv4);
}

TEST(Ipv6Config, AddressAloneMayBeIpv6) {
  const load_result r = parse_config(replace(k_minimal_config, "address: 10.0.0.2/24",
                                             "address: \"fd00:77:1::2/64\"\n    gateway: \"fe80::1\""),
                                     "test.yaml");
  ASSERT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
  const interface_config& i = r.cfg->interfaces.at(0);
  EXPECT_FALSE(i.has_ipv4());
  EXPECT_EQ(i.addr6, v6("fd00:77:1::2"));
  EXPECT_EQ(i.gateway6, v6("fe80::1")) << "a link-local gateway is how routers advertise";
}

TEST(Ipv6Config, AddressAndAddressesTogetherAreRefusedNamingAddresses) {
  const config_error e = only_error(replace(k_dual, "    addresses:", "    address: 10.0.0.2/24\n    addresses:"));
  EXPECT_EQ(e.field, "interfaces[0].addresses");
  EXPECT_NE(e.message.find("address"), std::string::npos);
}

TEST(Ipv6Config, TwoAddressesOfOneFamilyAreRefused) {
  EXPECT_EQ(only_error(replace(k_dual, "\"fd00::2/64\"", "\"10.0.1.2/24\"")).field,
            "interfaces[0].addresses[1]");
}

TEST(Ipv6Config, NoAddressAtAllIsRefused) {
  EXPECT_EQ(only_error(replace(k_minimal_config, "    address: 10.0.0.2/24\n", "")).field,
            "interfaces[0].address");
}

TEST(Ipv6Config, PrefixLengthMustLeaveNeighbours) {
  EXPECT_EQ(only_error(replace(k_dual, "fd00::2/64", "fd00::2/128")).field,
            "interfaces[0].addresses[1]");
  EXPECT_EQ(only_error(replace(k_dual, "fd00::2/64", "fd00::2/129")).field,
            "interfaces[0].addresses[1]");
}

TEST(Ipv6Config, InterfaceAddressMustBeUnicastAndRoutable) {
  for (const char* bad : {"ff02::2/64", "::/64", "::1/64", "fe80::2/64"})
    EXPECT_EQ(only_error(replace(k_dual, "fd00::2/64", bad)).field, "interfaces[0].addresses[1]")
        << bad;
}

TEST(Ipv6Config, GatewayOutsideThePrefixIsRefused) {
  EXPECT_EQ(only_error(replace(k_dual, "\"fd00::1\"]", "\"fd01::1\"]")).field,
            "interfaces[0].gateway[1]");
}

TEST(Ipv6Config, SecondGatewayOfOneFamilyIsRefused) {
  EXPECT_EQ(only_error(replace(k_dual, "\"fd00::1\"]", "\"10.0.0.3\"]")).field,
            "interfaces[0].gateway[1]");
}

TEST(Ipv6Config, GatewayOfAFamilyTheInterfaceLacksIsRefused) {
  EXPECT_EQ(only_error(replace(k_minimal_config, "address: 10.0.0.2/24",
                               "address: 10.0.0.2/24\n    gateway: \"fd00::1\""))
                .field,
            "interfaces[0].gateway");
}

TEST(Ipv6Config, NeighbourOfAFamilyTheInterfaceLacksIsRefused) {
  EXPECT_EQ(only_error(replace(k_minimal_config, "address: 10.0.0.2/24",
                               "address: 10.0.0.2/24\n    neighbors: [{ address: \"fd00::9\", "
                               "mac: \"02:00:00:00:00:09\" }]"))
                .field,
            "interfaces[0].neighbors[0].address");
}

TEST(Ipv6Config, SnapshotAnswersForTheInterfacesIpv6AddressOnItsLink) {
  const load_result r = parse_config(k_dual, "test.yaml");
  ASSERT_TRUE(r.cfg);
  slot_registries slots{slot_registry(4), slot_registry(8)};
  const port_info port{.port_id = 0, .mac = {}};
  const auto s = compile_snapshot(*r.cfg, std::span(&port, 1), slots, 1);
  const local_address mine = s->local_addrs.find(ip_addr::ipv6(v6("fd00::2")));
  EXPECT_TRUE(mine.is(local_kind::iface_address));
  EXPECT_TRUE(mine.lives_on(0));
  EXPECT_FALSE(s->local_addrs.find(ip_addr::ipv6(v6("fd00::3"))));
  EXPECT_TRUE(s->local_addrs.find(ip_addr::ipv4(r.cfg->interfaces[0].addr)));
  EXPECT_TRUE(s->ifaces[0].has_ipv6());
  EXPECT_EQ(s->ifaces[0].prefix6, 64);
}

TEST(Ipv6Config, Ipv6OnlyInterfaceAnswersNoIpv4) {
  const load_result r = parse_config(replace(k_minimal_config, "address: 10.0.0.2/24",
                                             "address: \"fd00::2/64\""),
                                     "test.yaml");
  ASSERT_TRUE(r.cfg);
  slot_registries slots{slot_registry(4), slot_registry(8)};
  const port_info port{.port_id = 0, .mac = {}};
  const auto s = compile_snapshot(*r.cfg, std::span(&port, 1), slots, 1);
  EXPECT_FALSE(s->local_addrs.find(ip_addr::ipv4(0)));
  EXPECT_TRUE(s->local_addrs.find(ip_addr::ipv6(v6("fd00::2"))));
}

} // namespace
} // namespace sluice
