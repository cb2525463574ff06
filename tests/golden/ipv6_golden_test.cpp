// Golden packets for IPv6 on the appliance's own addresses: Neighbor Discovery answered and
// learnt from, ICMPv6 echo answered through the neighbour cache (Neighbor Solicitation when the
// requester is not known), and every IPv6 drop by its reason. Rows run in order on one worker, so
// the neighbour cache carries from row to row as it would on the wire.

#include <gtest/gtest.h>

#include "tests/golden/harness.hpp"
#include "tests/golden/nat_lab.hpp"
#include "dataplane/net/parse_ipv6.hpp"
#include "tests/support/ipv6_builder.hpp"

namespace sluice::testing {
namespace {

const std::string k_host3 = "02:00:00:00:0c:03";
const std::string k_static = "02:00:00:00:0c:07";

// The uplink carries both families, the downlink IPv4 only.
std::string config_yaml() {
  return R"(
dataplane: { workers: 1, flows_per_worker: 1024 }
interfaces:
  - name: uplink
    device: golden_up
    addresses: ["10.0.0.2/24", "fd00::2/64"]
    gateway: ["10.0.0.1", "fd00::1"]
    neighbors: [{ address: "fd00::7", mac: ")" + k_static + R"(" }]
  - name: downlink
    device: golden_down
    address: 10.0.1.2/24
services: []
)";
}

std::string up() { return dataplane_harness::mac_text(k_uplink); }
ipv6_builder from(const std::string& mac, const std::string& to_mac = up()) {
  return ipv6_builder().eth(mac, to_mac);
}
ipv6_builder to(const std::string& mac) { return ipv6_builder().eth(up(), mac); }

bytes with_byte(bytes f, std::size_t at, uint8_t v) {
  f[at] = v;
  return f;
}
bytes flip(bytes f, std::size_t at) {
  f[at] ^= 0x01;
  return f;
}

constexpr std::size_t k_l4 = k_ip6 + 40;

std::vector<fixture> ipv6_fixtures() {
  const bytes syn = from(k_client).ipv6("fd00::1", "fd00::2").tcp(40000, 22, SYN).build();
  const bytes ns = from(k_client, "33:33:ff:00:00:02").ipv6("fd00::1", "ff02::1:ff00:2", 255)
                       .neighbor_solicitation("fd00::2", k_client).build();
  ipv6_builder long_chain = from(k_client).ipv6("fd00::1", "fd00::2");
  for (unsigned i = 0; i <= k_max_ipv6_ext_headers; ++i) long_chain.ext(60);
  return {
      {"a solicitation to our solicited-node group is answered with a solicited advertisement",
       k_uplink, ns,
       {{k_uplink, to(k_client).ipv6("fd00::2", "fd00::1", 255)
                       .neighbor_advertisement("fd00::2", 0x60, up()).build()}},
       {}},
      {"a unicast solicitation is answered", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2", 255).neighbor_solicitation("fd00::2", k_client).build(),
       {{k_uplink, to(k_client).ipv6("fd00::2", "fd00::1", 255)
                       .neighbor_advertisement("fd00::2", 0x60, up()).build()}},
       {}},
      {"duplicate address detection of our address is answered to all nodes, unsolicited",
       k_uplink,
       from(k_client, "33:33:ff:00:00:02").ipv6("::", "ff02::1:ff00:2", 255)
           .neighbor_solicitation("fd00::2").build(),
       {{k_uplink, ipv6_builder().eth(up(), "33:33:00:00:00:01").ipv6("fd00::2", "ff02::1", 255)
                       .neighbor_advertisement("fd00::2", 0x20, up()).build()}},
       {}},
      {"an echo request is answered to the mac its solicitation taught", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").echo_request(7, 1).payload("ping").build(),
       {{k_uplink, to(k_client).ipv6("fd00::2", "fd00::1").echo_reply(7, 1).payload("ping").build()}},
       {}},
      {"an echo request behind extension headers is answered without them", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").ext(0).ext(60).echo_request(7, 2).build(),
       {{k_uplink, to(k_client).ipv6("fd00::2", "fd00::1").echo_reply(7, 2).build()}},
       {}},
      {"an echo request from an unknown neighbour makes the appliance solicit it", k_uplink,
       from(k_host3).ipv6("fd00::3", "fd00::2").echo_request(8, 1).build(),
       {{k_uplink, ipv6_builder().eth(up(), "33:33:ff:00:00:03").ipv6("fd00::2", "ff02::1:ff00:3", 255)
                       .neighbor_solicitation("fd00::3", up()).build()}},
       {}},
      {"its advertisement releases the waiting reply", k_uplink,
       from(k_host3).ipv6("fd00::3", "fd00::2", 255).neighbor_advertisement("fd00::3", 0x60, k_host3).build(),
       {{k_uplink, to(k_host3).ipv6("fd00::2", "fd00::3").echo_reply(8, 1).build()}},
       {}},
      {"an echo request from a static neighbour is answered to its configured mac", k_uplink,
       from(k_client).ipv6("fd00::7", "fd00::2").echo_request(9, 1).build(),
       {{k_uplink, to(k_static).ipv6("fd00::2", "fd00::7").echo_reply(9, 1).build()}},
       {}},
      {"an advertisement nobody asked for is dropped", k_uplink,
       from(k_client).ipv6("fd00::9", "fd00::2", 255).neighbor_advertisement("fd00::9", 0x60, k_client).build(),
       {}, drop_reason::ndp_unsolicited},
      {"a solicitation for an address that is not ours", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2", 255).neighbor_solicitation("fd00::99", k_client).build(),
       {}, drop_reason::ndp_not_for_us},
      {"a solicitation for our address on another link", k_downlink,
       ipv6_builder().eth(k_be1, dataplane_harness::mac_text(k_downlink)).ipv6("fd00::1", "fd00::2", 255)
           .neighbor_solicitation("fd00::2", k_be1).build(),
       {}, drop_reason::ndp_not_for_us},
      {"a solicitation that crossed a router", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2", 254).neighbor_solicitation("fd00::2", k_client).build(),
       {}, drop_reason::ndp_bad_hop_limit},
      {"a solicitation with a non-zero code", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2", 255).neighbor_solicitation("fd00::2", k_client).icmp_code(1).build(),
       {}, drop_reason::ndp_bad_code},
      {"a solicitation for a multicast target", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2", 255).neighbor_solicitation("ff02::1", k_client).build(),
       {}, drop_reason::ndp_target_multicast},
      {"a solicitation with a bad checksum", k_uplink, flip(ns, k_l4 + 2), {},
       drop_reason::l4_bad_checksum},
      {"a solicitation with a zero-length option", k_uplink,
       [&] { bytes f = with_byte(ns, k_l4 + 25, 0); fix_ipv6_l4_checksum(f, 58); return f; }(),
       {}, drop_reason::ndp_malformed},
      {"a router solicitation to all routers", k_uplink,
       from(k_client, "33:33:00:00:00:02").ipv6("fd00::1", "ff02::2", 255).icmpv6(133).build(),
       {}, drop_reason::ip6_multicast_unsupported},
      {"unicast ipv6 in a multicast frame", k_uplink,
       from(k_client, "33:33:00:00:00:02").ipv6("fd00::1", "fd00::2").echo_request(1, 1).build(),
       {}, drop_reason::not_our_mac},
      {"an ipv6 frame shorter than its header", k_uplink, bytes(syn.begin(), syn.begin() + k_ip6 + 39),
       {}, drop_reason::ip6_truncated},
      {"a version 4 header in an ipv6 frame", k_uplink, with_byte(syn, k_ip6, 0x40), {},
       drop_reason::ip6_bad_version},
      {"a payload length beyond the frame", k_uplink, with_byte(syn, k_ip6 + 5, 21), {},
       drop_reason::ip6_bad_payload_length},
      {"an extension header running past the payload", k_uplink,
       with_byte(from(k_client).ipv6("fd00::1", "fd00::2").ext(60).tcp(1, 22, SYN).build(), k_l4 + 1, 9),
       {}, drop_reason::ip6_ext_truncated},
      {"a chain of more extension headers than the bound", k_uplink, long_chain.tcp(1, 22, SYN).build(),
       {}, drop_reason::ip6_ext_chain_too_long},
      {"hop-by-hop options after another header", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").ext(60).ext(0).tcp(1, 22, SYN).build(), {},
       drop_reason::ip6_ext_misplaced},
      {"a type 0 routing header", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").routing(0, 1).tcp(1, 22, SYN).build(), {},
       drop_reason::ip6_routing_type0},
      {"a routing header with segments left", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").routing(4, 1).tcp(1, 22, SYN).build(), {},
       drop_reason::ip6_routing_unsupported},
      {"an ipv6 fragment", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").fragment(0, true).tcp(1, 22, SYN).build(), {},
       drop_reason::ip6_fragment},
      {"ipv6 to an address that is not ours", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00:9::1").tcp(40000, 80, SYN).build(), {},
       drop_reason::ip6_not_local},
      {"tcp to our ipv6 address", k_uplink, syn, {}, drop_reason::local_delivery_unsupported},
      {"icmpv6 to our address other than an echo request", k_uplink,
       from(k_client).ipv6("fd00::1", "fd00::2").icmpv6(1).build(), {},
       drop_reason::icmp_unsupported},
      {"an echo request with a bad checksum", k_uplink,
       flip(from(k_client).ipv6("fd00::1", "fd00::2").echo_request(7, 3).build(), k_l4 + 2), {},
       drop_reason::l4_bad_checksum},
      {"a truncated icmpv6 header", k_uplink,
       [] {
         bytes f = from(k_client).ipv6("fd00::1", "fd00::2").echo_request(7, 4).build();
         f.resize(k_l4 + 4);
         f[k_ip6 + 5] = 4;
         return f;
       }(),
       {}, drop_reason::l4_truncated},
      {"ipv4 on the same interface is answered as before", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.2").icmp_echo(3, 1).build(),
       {{k_uplink, to_client().ipv4("10.0.0.2", "10.0.0.1").icmp_echo_reply(3, 1).build()}},
       {}},
  };
}

TEST(Ipv6Golden, NeighborDiscoveryEchoAndEveryDropByItsReason) {
  dataplane_harness h(config_yaml());
  run_fixtures(h, ipv6_fixtures());
  const worker_counters& c = h.stats().worker;
  EXPECT_EQ(c.ndp_advertisements_sent.get(), 3u);
  EXPECT_EQ(c.ndp_solicitations_sent.get(), 1u);
  EXPECT_EQ(c.ndp_advertisements_received.get(), 1u);
}

TEST(Ipv6Golden, EchoRepliesShareTheIcmpRateLimit) {
  dataplane_harness h(config_yaml());
  std::vector<bytes> burst;
  for (uint16_t i = 0; i < 32; ++i)
    burst.push_back(from(k_static).ipv6("fd00::7", "fd00::2").echo_request(1, i).build());
  std::size_t answered = 0;
  for (int round = 0; round < 3; ++round) answered += h.send_burst(k_uplink, burst).size();
  EXPECT_GE(answered, 50u) << "the burst allowance is answered";
  EXPECT_LT(answered, 96u);
  EXPECT_EQ(h.drops(drop_reason::icmp_rate_limited), 96u - answered);
}

} // namespace
} // namespace sluice::testing
