// Golden packets for the edges of egress fragmentation: datagrams whose fragments
// carried DF, a reassembled datagram with IP options cut again, and the mbuf pool running dry
// while a datagram is cut or copied. The NAT lab's bulk UDP service carries them all.

#include <gtest/gtest.h>

#include <rte_mbuf.h>

#include <optional>
#include <vector>

#include "tests/golden/fragment_lab.hpp"
#include "tests/golden/harness.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {
namespace {

// A request of the bulk flow from client port `port` as the NAT rewrite sends it to `mac`/`addr`.
packet_builder bulk_to_backend(const std::string& mac, const char* addr, uint16_t port,
                               uint16_t id) {
  return to_backend(mac).ipv4("10.0.0.1", addr, 63).ip_id(id).udp(port, 9001);
}

// `frags` fed in order: all but the last held, the last releasing `out` or dropped as `drop`.
std::vector<fixture> rows_of(const std::string& name, const std::vector<bytes>& frags,
                             std::vector<sent_frame> out,
                             std::optional<drop_reason> drop = std::nullopt) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < frags.size(); ++i) order.push_back(i);
  std::vector<fixture> rows = fragment_rows(name, k_uplink, frags, order, std::move(out));
  rows.back().drop = drop;
  return rows;
}

TEST(FragmentGolden, DfFragmentsLeaveNoBiggerThanTheSenderCutThemWithDfOnEachPiece) {
  dataplane_harness h(fragment_config_yaml());
  // Cut to 1020-byte packets by a sender that forbids fragmentation on the way: the gateway
  // reassembles (to schedule and rewrite the whole datagram) and must not send anything bigger
  // than the sender did, so it cuts the rewritten datagram the same way, DF kept on each piece.
  const auto small = fragments_of(bulk_request(50040, 301).df().payload_counting(2500).build(), 1000);
  ASSERT_EQ(small.size(), 3u);
  const auto small_out = fragments_of(
      bulk_to_backend(k_be1, "10.0.1.11", 50040, 301).df().payload_counting(2500).build(), 1000);
  // Cut for a 1500-byte path by the sender: leaves cut for the 1500-byte link, DF kept.
  const auto full = fragments_of(bulk_request(50041, 302).df().payload_counting(4000).build(),
                                 k_mtu_chunk);
  const auto full_out = fragments_of(
      bulk_to_backend(k_be2, "10.0.1.12", 50041, 302).df().payload_counting(4000).build(),
      k_mtu_chunk);
  // Two 500-byte DF pieces of a datagram that fits the link whole: still leaves in 500-byte
  // pieces (the path beyond may be narrower than this link; its sender knew, the gateway not).
  const auto pair = fragments_of(bulk_request(50040, 303).df().payload_counting(900).build(), 480);
  const auto pair_out = fragments_of(
      bulk_to_backend(k_be1, "10.0.1.11", 50040, 303).df().payload_counting(900).build(), 480);
  for (const bytes& f : small_out) ASSERT_EQ(f[k_ip + 6] & 0x40, 0x40) << "the model keeps DF";

  std::vector<fixture> rows = rows_of("1020-byte DF pieces", small, sent_on(k_downlink, small_out));
  for (auto more : {rows_of("1500-byte DF pieces", full, sent_on(k_downlink, full_out)),
                    rows_of("500-byte DF pieces of a datagram under the MTU", pair,
                            sent_on(k_downlink, pair_out))})
    rows.insert(rows.end(), more.begin(), more.end());
  run_fixtures(h, rows);
  EXPECT_EQ(h.stats().worker.datagrams_fragmented.get(), 3u);
  EXPECT_EQ(h.stats().worker.fragments_sent.get(), 3u + 3u + 2u);
}

TEST(FragmentGolden, ADfFragmentBiggerThanTheEgressLinkIsDroppedAsIpDfTooBig) {
  dataplane_harness h(fragment_config_yaml());
  // 1600-byte DF fragments (an ingress with a bigger MTU than the egress): no piece the sender
  // allowed fits the 1500-byte link. No frag-needed goes back (see the report in the commit):
  // only the drop counter says what happened.
  const auto big = fragments_of(bulk_request(50050, 401).df().payload_counting(3000).build(), 1576);
  ASSERT_EQ(big.size(), 2u);
  ASSERT_EQ(big[0].size(), 14u + 1596u);
  run_fixtures(h, rows_of("1596-byte DF fragments", big, {}, drop_reason::ip_df_too_big));
  EXPECT_EQ(h.stats().worker.icmp_errors_sent.get(), 0u);
  // The same datagram without DF is the gateway's to cut for its link.
  const auto plain = fragments_of(bulk_request(50050, 402).payload_counting(3000).build(), 1576);
  const auto plain_out = fragments_of(
      bulk_to_backend(k_be1, "10.0.1.11", 50050, 402).payload_counting(3000).build(), k_mtu_chunk);
  run_fixtures(h, rows_of("1596-byte fragments without DF", plain, sent_on(k_downlink, plain_out)));
}

// Router Alert (RFC 2113: type 148, copy flag set) and an experimental option without the copy
// flag (RFC 4727: type 30): 8 bytes, a 28-byte header.
const bytes k_options = {0x94, 0x04, 0x00, 0x00, 0x1e, 0x04, 0xab, 0xcd};
const bytes k_copied_options = {0x94, 0x04, 0x00, 0x00};

// The IPv4 datagram in `frame` cut as RFC 791 (3.2, "An Example Fragmentation Procedure") cuts
// it: every piece carries `chunk` payload bytes but the last; the first keeps the whole header,
// later ones only the options whose copy flag is set (`copied`, padded to 4 bytes).
std::vector<bytes> cut_with_options(const bytes& frame, std::size_t chunk, const bytes& copied) {
  const std::size_t ihl = (frame[k_ip] & 0x0f) * 4u;
  const std::size_t payload = ((std::size_t(frame[k_ip + 2]) << 8) | frame[k_ip + 3]) - ihl;
  std::vector<bytes> out;
  for (std::size_t off = 0; off < payload; off += chunk) {
    const std::size_t len = std::min(chunk, payload - off);
    bytes f(frame.begin(), frame.begin() + std::ptrdiff_t(k_ip + 20));
    if (off == 0) f.insert(f.end(), frame.begin() + k_ip + 20, frame.begin() + std::ptrdiff_t(k_ip + ihl));
    else f.insert(f.end(), copied.begin(), copied.end());
    const std::size_t hl = f.size() - k_ip;
    f.insert(f.end(), frame.begin() + std::ptrdiff_t(k_ip + ihl + off),
             frame.begin() + std::ptrdiff_t(k_ip + ihl + off + len));
    f[k_ip] = uint8_t(0x40 | hl / 4);
    set_fragment_fields(f, hl, uint16_t(hl + len),
                        uint16_t((off + len < payload ? 0x2000 : 0) | off / 8));
    out.push_back(std::move(f));
  }
  return out;
}

TEST(FragmentGolden, AReassembledDatagramWithOptionsIsCutWithOnlyCopiedOptionsAfterTheFirstPiece) {
  dataplane_harness h(fragment_config_yaml());
  // The client's stack cut its 4008-byte UDP datagram for the 1500-byte link, the same way.
  constexpr std::size_t k_chunk = (1500 - 28) & ~std::size_t(7); // 1472
  const auto in = cut_with_options(
      bulk_request(50060, 501).ip_options(k_options).payload_counting(4000).build(), k_chunk,
      k_copied_options);
  ASSERT_EQ(in.size(), 3u);
  ASSERT_EQ(in[0].size(), 14u + 1500u);
  ASSERT_EQ(in[1].size(), 14u + 24u + 1472u);
  // Rewritten for be1 and cut again: the first piece with both options and 1472 bytes, the
  // others with Router Alert alone. DPDK sizes every piece's payload by the first one's header,
  // so later pieces are 4 bytes short of the link MTU: smaller than they could be, still valid.
  const auto out = cut_with_options(
      bulk_to_backend(k_be1, "10.0.1.11", 50060, 501).ip_options(k_options).payload_counting(4000)
          .build(),
      k_chunk, k_copied_options);
  run_fixtures(h, rows_of("options", in, sent_on(k_downlink, out)));
  for (const bytes& f : out) {
    EXPECT_LE(f.size() - 14, 1500u);
    EXPECT_EQ(ones_sum(&f[k_ip], (f[k_ip] & 0x0f) * 4u), 0xffff) << "header checksum";
  }
}

// Takes every mbuf of the pool but `leave`, gives them back on destruction.
class pool_drain {
public:
  pool_drain(rte_mempool* pool, unsigned leave) {
    while (rte_mempool_avail_count(pool) > leave) taken_.push_back(rte_pktmbuf_alloc(pool));
  }
  ~pool_drain() {
    for (rte_mbuf* m : taken_) rte_pktmbuf_free(m);
  }
  pool_drain(const pool_drain&) = delete;
  pool_drain& operator=(const pool_drain&) = delete;

private:
  std::vector<rte_mbuf*> taken_;
};

// The copy of a reassembled datagram that fits the link (the other fragment_no_mbuf case) cannot
// be starved here: the frame completing the datagram gives its mbuf back as soon as its payload
// is in the reassembly buffer, so the copy always finds that one (on a NIC, RX refills race it).
TEST(FragmentGolden, WithoutMbufsForItsPiecesADatagramIsDroppedAsFragmentNoMbufAndNothingLeaks) {
  dataplane_harness h(fragment_config_yaml());
  rte_mempool* pool = dataplane_harness::mbuf_pool();
  const unsigned free_before = rte_mempool_avail_count(pool);
  const auto big = fragments_of(bulk_request(50070, 601).payload_counting(4000).build(), k_mtu_chunk);
  for (const bytes& f : {big[0], big[1]}) ASSERT_TRUE(h.send(k_uplink, f).empty());
  {
    // Two mbufs: send() takes one for the frame and the worker gives it back once the payload
    // is copied, so the cut finds two for three pieces: it must fail on the third and give the
    // first two back.
    pool_drain drain(pool, 2);
    const uint64_t before = h.drops(drop_reason::fragment_no_mbuf);
    EXPECT_TRUE(h.send(k_uplink, big[2]).empty());
    EXPECT_EQ(h.drops(drop_reason::fragment_no_mbuf), before + 1);
    EXPECT_EQ(rte_mempool_avail_count(pool), 2u) << "the pieces cut before the failure are freed";
  }
  EXPECT_EQ(rte_mempool_avail_count(pool), free_before) << "no mbuf leaked";
  EXPECT_EQ(h.stats().worker.datagrams_fragmented.get(), 0u);
  // With mbufs back, the sender's retransmission goes through whole.
  const auto again = fragments_of(bulk_request(50070, 603).payload_counting(4000).build(), k_mtu_chunk);
  const auto again_out = fragments_of(
      bulk_to_backend(k_be1, "10.0.1.11", 50070, 603).payload_counting(4000).build(), k_mtu_chunk);
  run_fixtures(h, rows_of("retransmission", again, sent_on(k_downlink, again_out)));
}

} // namespace
} // namespace sluice::testing
