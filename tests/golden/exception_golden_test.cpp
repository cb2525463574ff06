// Golden packets for the exception path: with `exception_path` on the uplink, what the worker
// hands to the kernel twin (k_uplink_twin: exact bytes, unchanged), what it still answers or
// forwards itself, what it drops, what the kernel sends back out, and the rate limit in both
// directions with its counters.

#include <gtest/gtest.h>

#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"
#include "tests/golden/harness.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

std::string twin_yaml(unsigned rate_limit_pps) {
  std::string y = config_yaml();
  const std::string at = "    gateway: 10.0.0.1";
  y.replace(y.find(at), at.size(),
            at + "\n    exception_path: { tap: golden-tap, rate_limit_pps: " +
                std::to_string(rate_limit_pps) + " }");
  return y;
}

// `f` (an IPv4 frame without options) with another IP protocol number and its header checksum
// recomputed.
bytes with_protocol(bytes f, uint8_t proto) {
  f[k_ip + 9] = proto;
  f[k_ip + 10] = f[k_ip + 11] = 0;
  uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += uint32_t(f[k_ip + i]) << 8 | f[k_ip + i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  f[k_ip + 10] = uint8_t(~sum >> 8);
  f[k_ip + 11] = uint8_t(~sum);
  return f;
}

std::vector<fixture> twin_fixtures() {
  const std::string up = dataplane_harness::mac_text(k_uplink);
  const bytes ssh_syn = from_client().ipv4("10.0.0.1", "10.0.0.2").tcp(40000, 22, SYN).build();
  const bytes bgp_ttl1 = from_client().ipv4("10.0.0.1", "10.0.0.2", 1).tcp(40001, 179, SYN).build();
  const bytes dns = from_client().ipv4("10.0.0.1", "10.0.0.2").udp(50000, 53).payload("q").build();
  const bytes echo_reply = from_client().ipv4("10.0.0.1", "10.0.0.2").icmp_echo_reply(9, 1).build();
  const bytes gre = with_protocol(from_client().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(), 47);
  const bytes port_unreachable = icmp_error_frame(
      k_client, up, "10.0.0.1", "10.0.0.2", 0, 64, 3, 3, 0,
      to_client().ipv4("10.0.0.2", "10.0.0.1").udp(33000, 33434).build());
  const bytes arp_reply = arp_frame(2, k_client, up, k_client, "10.0.0.1", up, "10.0.0.2");
  return {
      {"tcp to the interface address goes to the kernel unchanged", k_uplink, ssh_syn,
       {{k_uplink_twin, ssh_syn}}, {}},
      {"tcp with ttl 1 to the interface address goes to the kernel (ebgp)", k_uplink, bgp_ttl1,
       {{k_uplink_twin, bgp_ttl1}}, {}},
      {"udp to the interface address goes to the kernel", k_uplink, dns, {{k_uplink_twin, dns}}, {}},
      {"echo reply to the interface address goes to the kernel (its ping)", k_uplink, echo_reply,
       {{k_uplink_twin, echo_reply}}, {}},
      {"another ip protocol to the interface address goes to the kernel", k_uplink, gre,
       {{k_uplink_twin, gre}}, {}},
      {"an icmp error about a kernel connection goes to the kernel", k_uplink, port_unreachable,
       {{k_uplink_twin, port_unreachable}}, {}},
      {"an arp reply to the interface address is learned and given to the kernel", k_uplink,
       arp_reply, {{k_uplink_twin, arp_reply}}, {}},
      {"an arp request for the interface address is answered by the dataplane only", k_uplink,
       arp_frame(1, k_client, "ff:ff:ff:ff:ff:ff", k_client, "10.0.0.1", "", "10.0.0.2"),
       {{k_uplink, arp_frame(2, up, k_client, up, "10.0.0.2", k_client, "10.0.0.1")}}, {}},
      {"echo request to the interface address is still answered by the dataplane", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.2").icmp_echo(8, 2).build(),
       {{k_uplink, to_client().ipv4("10.0.0.2", "10.0.0.1").icmp_echo_reply(8, 2).build()}}, {}},
      {"tcp to the vip is still forwarded to a backend", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, SYN).build(),
       {{k_downlink, to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63).tcp(40000, 8080, SYN).build()}},
       {}},
      {"tcp to a vip port without a service is still dropped, not given to the kernel", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 22, SYN).build(), {},
       drop_reason::no_service},
      {"udp to the vip is never the kernel's", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.100").udp(50000, 9).build(), {},
       drop_reason::no_service},
      {"tcp to the downlink's address, which has no twin, is dropped as before", k_downlink,
       from_backend(k_be1).ipv4("10.0.1.11", "10.0.1.2").tcp(40000, 22, SYN).build(), {},
       drop_reason::local_delivery_unsupported},
  };
}

TEST(ExceptionGolden, TrafficForTheInterfaceAddressGoesToTheKernelAndTheRestIsUnchanged) {
  dataplane_harness h(twin_yaml(10000));
  const uint64_t before = h.stats().worker.exception_to_kernel.get();
  run_fixtures(h, twin_fixtures());
  EXPECT_EQ(h.stats().worker.exception_to_kernel.get() - before, 7u);
}

TEST(ExceptionGolden, FragmentsForTheInterfaceAddressReachTheKernel) {
  dataplane_harness h(twin_yaml(10000));
  // ICMP is not reassembled by the dataplane: the kernel gets each fragment as it arrived.
  const auto ping = fragments_of(from_client().ipv4("10.0.0.1", "10.0.0.2").ip_id(5)
                                     .icmp_echo_reply(3, 1).payload_counting(2000).build(), k_mtu_chunk);
  // UDP is reassembled first (it could have been a full-NAT reply) and handed over whole.
  const bytes dns = from_client().ipv4("10.0.0.1", "10.0.0.2").ip_id(6).udp(50000, 53).payload_counting(2000).build();
  const auto dns_frags = fragments_of(dns, k_mtu_chunk);
  run_fixtures(h, {
      {"first fragment of a big ping", k_uplink, ping[0], {{k_uplink_twin, ping[0]}}, {}},
      {"last fragment of a big ping", k_uplink, ping[1], {{k_uplink_twin, ping[1]}}, {}},
      {"last fragment of a udp datagram is held", k_uplink, dns_frags[1], {}, {}},
      {"first fragment completes it: the whole datagram to the kernel", k_uplink, dns_frags[0],
       {{k_uplink_twin, dns}}, {}},
  });
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 1u);
}

TEST(ExceptionGolden, WithoutAnExceptionPathTheInterfaceAddressIsDroppedAsBefore) {
  dataplane_harness h(config_yaml());
  const std::string up = dataplane_harness::mac_text(k_uplink);
  run_fixtures(h, {
      {"tcp to the interface address", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.2").tcp(40000, 22, SYN).build(), {},
       drop_reason::local_delivery_unsupported},
      {"echo reply to the interface address", k_uplink,
       from_client().ipv4("10.0.0.1", "10.0.0.2").icmp_echo_reply(9, 1).build(), {},
       drop_reason::icmp_unsupported},
      {"an arp reply is learned and consumed", k_uplink,
       arp_frame(2, k_client, up, k_client, "10.0.0.1", up, "10.0.0.2"), {}, {}},
  });
  EXPECT_EQ(h.stats().worker.exception_to_kernel.get(), 0u);
}

TEST(ExceptionGolden, WhatTheKernelSendsLeavesByTheInterfaceUnchanged) {
  dataplane_harness h(twin_yaml(10000));
  const bytes arp_request = arp_frame(1, dataplane_harness::mac_text(k_uplink), "ff:ff:ff:ff:ff:ff",
                                      dataplane_harness::mac_text(k_uplink), "10.0.0.2", "",
                                      "10.0.0.1");
  const bytes syn_ack = to_client().ipv4("10.0.0.2", "10.0.0.1").tcp(22, 40000, SYN | ACK, 7, 1001).build();
  const auto out = h.from_kernel({arp_request, syn_ack});
  EXPECT_EQ(out, (std::vector<sent_frame>{{k_uplink, arp_request}, {k_uplink, syn_ack}}));
  EXPECT_EQ(h.stats().worker.exception_from_kernel.get(), 2u);
}

// rate_limit_pps 1: one token a second, a burst of 32 (one RX burst). The test sends well within
// a second, so exactly the burst passes each way and the rest is dropped by name.
TEST(ExceptionGolden, TheRateLimitHoldsEachDirectionToItsBurstAndCountsTheRest) {
  dataplane_harness h(twin_yaml(1));
  unsigned to_kernel = 0;
  for (uint16_t i = 0; i < 40; ++i)
    for (const sent_frame& f :
         h.send(k_uplink, from_client().ipv4("10.0.0.1", "10.0.0.2").tcp(41000 + i, 22, SYN).build()))
      to_kernel += f.iface == k_uplink_twin;
  EXPECT_EQ(to_kernel, 32u);
  EXPECT_EQ(h.drops(drop_reason::exception_to_kernel_limited), 8u);
  EXPECT_EQ(h.stats().worker.exception_to_kernel.get(), 32u);

  std::vector<bytes> burst;
  for (uint16_t i = 0; i < 40; ++i)
    burst.push_back(to_client().ipv4("10.0.0.2", "10.0.0.1").tcp(22, 41000 + i, RST).build());
  std::size_t out_of_uplink = 0;
  for (const sent_frame& f : h.from_kernel(burst)) out_of_uplink += f.iface == k_uplink;
  EXPECT_EQ(out_of_uplink, 32u);
  EXPECT_EQ(h.drops(drop_reason::exception_from_kernel_limited), 8u);
  EXPECT_EQ(h.stats().worker.exception_from_kernel.get(), 32u);
}

} // namespace
} // namespace sluice::testing
