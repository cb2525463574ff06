// Golden rows for the NIC's RX checksum verdicts (mbuf ol_flags, as a checksum-offloading NIC
// sets them): the worker trusts the verdict on the IPv4 header as it does the L4 one, and checks
// in software whatever no NIC vouched for — frames without a verdict, datagrams it reassembled
// itself, the ICMP checksum covering an error's quote.

#include <rte_mbuf_core.h>

#include <gtest/gtest.h>

#include "tests/golden/direct_lab.hpp"
#include "tests/golden/fragment_lab.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

constexpr uint64_t k_ip_good = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
constexpr uint64_t k_ip_bad = RTE_MBUF_F_RX_IP_CKSUM_BAD;
constexpr uint64_t k_ip_none = RTE_MBUF_F_RX_IP_CKSUM_NONE;
constexpr uint64_t k_all_good = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;

bytes flip(bytes f, std::size_t at) {
  f[at] ^= 0x01;
  return f;
}
// The high byte of the IPv4 header checksum.
constexpr std::size_t k_ip_checksum = k_ip + 10;

bytes syn(uint16_t client_port) {
  return from_client().ipv4("10.0.0.1", "10.0.0.100").tcp(client_port, 80, SYN).build();
}
bytes syn_to_backend(uint16_t client_port, const std::string& mac, const char* addr) {
  return to_backend(mac).ipv4("10.0.0.1", addr, 63).tcp(client_port, 8080, SYN).build();
}

TEST(RxChecksumGolden, TheNicsHeaderVerdictIsTrustedAndItsAbsenceIsCheckedInSoftware) {
  dataplane_harness h(config_yaml());
  const std::string down = dataplane_harness::mac_text(k_downlink);
  const bytes syn_to_be1 = syn_to_backend(42000, k_be1, "10.0.1.11");
  // Port unreachable from be1 about that SYN, its ICMP checksum broken in the quote's last byte.
  const bytes unreachable = icmp_error_frame(k_be1, down, "10.0.1.11", "10.0.0.1", 0, 64, 3, 3, 0, syn_to_be1);
  run_fixtures(h, {
      {"a connection to quote later", k_uplink, syn(42000),
       {{k_downlink, syn_to_be1}}, {}, 0, k_all_good},
      // The header is forwarded as it came, TTL and checksum updated incrementally: the wrong
      // checksum stays exactly as wrong, as a NIC-verified header never is outside a test.
      {"a wrong header checksum the nic calls good is forwarded", k_uplink, flip(syn(42001), k_ip_checksum),
       {{k_downlink, flip(syn_to_backend(42001, k_be2, "10.0.1.12"), k_ip_checksum)}}, {}, 0, k_ip_good},
      {"a wrong header checksum the nic verified as 'none' is forwarded", k_uplink,
       flip(syn(42002), k_ip_checksum),
       {{k_downlink, flip(syn_to_backend(42002, k_be1, "10.0.1.11"), k_ip_checksum)}}, {}, 0, k_ip_none},
      {"a correct header the nic calls bad is dropped", k_uplink, syn(42003), {},
       drop_reason::ip_bad_checksum, 0, k_ip_bad},
      {"without a nic verdict a wrong header checksum is dropped", k_uplink,
       flip(syn(42004), k_ip_checksum), {}, drop_reason::ip_bad_checksum},
      {"an l4 verdict alone does not vouch for the header", k_uplink,
       flip(syn(42005), k_ip_checksum), {}, drop_reason::ip_bad_checksum, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD},
      {"a correct icmp error the nic calls good is translated", k_downlink, unreachable,
       {{k_uplink, icmp_error_frame(dataplane_harness::mac_text(k_uplink), k_client, "10.0.0.100", "10.0.0.1",
                                    0, 63, 3, 3, 0,
                                    from_client().ipv4("10.0.0.1", "10.0.0.100", 63).tcp(42000, 80, SYN).build())}}, {}, 0, k_all_good},
      // NICs verify TCP/UDP checksums, not ICMP's: the one covering the quoted header is summed
      // in software whatever the flags say.
      {"an icmp error whose quote is corrupt is dropped whatever the nic says", k_downlink,
       flip(unreachable, unreachable.size() - 1), {}, drop_reason::l4_bad_checksum, 0, k_all_good},
  });
}

TEST(RxChecksumGolden, AReassembledDatagramIsCheckedInSoftwareWhateverItsFragmentsCarried) {
  dataplane_harness h(fragment_config_yaml());
  const auto good = fragments_of(bulk_request(50030, 301).payload_counting(2000).build(), k_mtu_chunk);
  // The same datagram with one payload byte changed: its UDP checksum no longer holds.
  bytes corrupt = bulk_request(50031, 302).payload_counting(2000).build();
  corrupt[k_l4 + 8 + 100] ^= 0x01;
  const auto bad = fragments_of(corrupt, k_mtu_chunk);
  ASSERT_EQ(good.size(), 2u);
  ASSERT_EQ(bad.size(), 2u);
  // Every fragment arrives marked as if the NIC had verified everything (a NIC does not verify
  // a fragment's L4 checksum; one that claimed to must still not vouch for the datagram).
  std::vector<fixture> rows;
  for (const bytes& f : good) rows.push_back({"", k_uplink, f, {}, std::nullopt, 0, k_all_good});
  rows[0].name = "first fragment of a good datagram is held";
  rows[1].name = "the good datagram is forwarded whole";
  rows[1].expected = sent_on(k_downlink, fragments_of(to_backend(k_be1).ipv4("10.0.0.1", "10.0.1.11", 63)
                                                          .ip_id(301).udp(50030, 9001).payload_counting(2000).build(),
                                                      k_mtu_chunk));
  rows.push_back({"first fragment of a corrupt datagram is held", k_uplink, bad[0], {}, std::nullopt, 0, k_all_good});
  rows.push_back({"the corrupt datagram fails its software udp check", k_uplink, bad[1], {},
                  drop_reason::l4_bad_checksum, 0, k_all_good});
  run_fixtures(h, rows);
  EXPECT_EQ(h.stats().worker.datagrams_reassembled.get(), 2u);
}

} // namespace
} // namespace sluice::testing
