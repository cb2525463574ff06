#include "perf/bench/traffic.hpp"

#include <rte_pause.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "dataplane/net/ipv4.hpp"
#include "dataplane/worker/handoff.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice::bench {
namespace {

constexpr unsigned k_burst = 32;
constexpr std::size_t k_ip = 14, k_ip_csum = k_ip + 10, k_ip_src = k_ip + 12;
constexpr std::size_t k_tcp = 34, k_tcp_sport = k_tcp, k_tcp_csum = k_tcp + 16;
constexpr uint64_t k_first_client = 0x64400000; // 100.64.0.0

uint16_t load_be16(const uint8_t* p) noexcept { return uint16_t(p[0] << 8 | p[1]); }
void store_be16(uint8_t* p, uint16_t v) noexcept {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
uint16_t fold(uint32_t s) noexcept {
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return uint16_t(s);
}

testing::bytes build(const frame_spec& spec, uint32_t caddr, uint16_t cport, unsigned payload) {
  char mac[18];
  const uint8_t* b = spec.dst_mac.addr_bytes;
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  const std::string src = format_ipv4(caddr), dst = format_ipv4(spec.vip);
  return testing::packet_builder{}
      .eth("02:00:00:00:00:01", mac)
      .ipv4(src.c_str(), dst.c_str())
      .tcp(ntohs(cport), spec.vip_port, spec.tcp_flags, 1000, spec.tcp_flags & 0x10 ? 1 : 0)
      .payload_size(payload)
      .build();
}

} // namespace

uint32_t client_addr(uint64_t i, unsigned port_bits) noexcept {
  return htonl(uint32_t(k_first_client + (i >> port_bits)));
}
uint16_t client_port(uint64_t i, unsigned port_bits) noexcept {
  return htons(uint16_t(1024 + (i & ((uint64_t(1) << port_bits) - 1))));
}

frame_template::frame_template(const frame_spec& spec) : spec_(spec) {
  const unsigned len = std::max(spec.wire_size, 64u) - 4; // no FCS in the mbuf
  frame_len_ = uint16_t(std::max(len, k_header_len));
  const testing::bytes f = build(spec, 0, 0, frame_len_ - k_header_len);
  std::copy_n(f.begin(), k_header_len, header_.begin());
  // With the client fields zero, each stored checksum is the complement of the sum of the rest.
  ip_sum_ = uint16_t(~load_be16(&header_[k_ip_csum]));
  tcp_sum_ = uint16_t(~load_be16(&header_[k_tcp_csum]));
}

void frame_template::write(uint8_t* frame, uint32_t caddr, uint16_t cport) const noexcept {
  std::memcpy(frame, header_.data(), k_header_len);
  std::memcpy(frame + k_ip_src, &caddr, 4);
  std::memcpy(frame + k_tcp_sport, &cport, 2);
  const uint32_t a = ntohl(caddr);
  const uint32_t addr_sum = (a >> 16) + (a & 0xffff);
  store_be16(frame + k_ip_csum, uint16_t(~fold(ip_sum_ + addr_sum)));
  store_be16(frame + k_tcp_csum, uint16_t(~fold(tcp_sum_ + addr_sum + ntohs(cport))));
}

bool frame_template::self_check(unsigned samples) const {
  std::vector<uint8_t> mine(frame_len_, 0x5a);
  for (unsigned s = 0; s < samples; ++s) {
    const uint64_t i = uint64_t(s) * 2654435761u % (1u << 26);
    const testing::bytes want = build(spec_, client_addr(i), client_port(i), frame_len_ - k_header_len);
    write(mine.data(), client_addr(i), client_port(i));
    if (!std::equal(want.begin(), want.end(), mine.begin(), mine.end())) return false;
  }
  return true;
}

void prime_pool(rte_mempool* pool) {
  std::vector<rte_mbuf*> all;
  rte_mbuf* m[k_burst];
  while (rte_pktmbuf_alloc_bulk(pool, m, k_burst) == 0) all.insert(all.end(), m, m + k_burst);
  while ((m[0] = rte_pktmbuf_alloc(pool)) != nullptr) all.push_back(m[0]);
  for (rte_mbuf* b : all) std::memset(rte_pktmbuf_mtod(b, uint8_t*), 0x5a, rte_pktmbuf_tailroom(b));
  rte_pktmbuf_free_bulk(all.data(), unsigned(all.size()));
}

generator::generator(rte_ring* ring, rte_mempool* pool, stream s)
    : ring_(ring), pool_(pool), stream_(std::move(s)), rng_(stream_.seed) {}

uint64_t generator::next_index() noexcept {
  for (;;) {
    const uint64_t f = draw_index();
    if (stream_.owner < 0 ||
        flow_owner(client_addr(f, stream_.port_bits), stream_.workers) == unsigned(stream_.owner))
      return f;
  }
}

uint64_t generator::draw_index() noexcept {
  uint64_t i;
  if (stream_.order == flow_order::sequential) {
    i = cursor_;
    cursor_ = cursor_ + 1 == stream_.flows ? 0 : cursor_ + 1;
  } else {
    // xorshift64, then a multiply-shift to land uniformly in [0, flows).
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    i = uint64_t((unsigned __int128)rng_ * stream_.flows >> 64);
  }
  if (stream_.chosen == nullptr) return stream_.first + i;
  // The (i >> port_bits)-th chosen client, its (i mod ports)-th port.
  const uint64_t port_mask = (uint64_t(1) << stream_.port_bits) - 1;
  return uint64_t((*stream_.chosen)[i >> stream_.port_bits]) << stream_.port_bits | (i & port_mask);
}

unsigned generator::refill() noexcept {
  unsigned total = 0;
  rte_mbuf* m[k_burst];
  const uint16_t len = stream_.frame.frame_len();
  while (!exhausted()) {
    unsigned n = k_burst;
    if (stream_.limit) n = unsigned(std::min<uint64_t>(n, stream_.limit - produced_));
    if (rte_ring_free_count(ring_) < n || rte_pktmbuf_alloc_bulk(pool_, m, n) != 0) break;
    for (unsigned i = 0; i < n; ++i) {
      const uint64_t f = next_index();
      m[i]->data_len = len;
      m[i]->pkt_len = len;
      m[i]->ol_flags |= stream_.rx_flags;
      stream_.frame.write(rte_pktmbuf_mtod(m[i], uint8_t*), client_addr(f, stream_.port_bits),
                          client_port(f, stream_.port_bits));
    }
    rte_ring_enqueue_bulk(ring_, reinterpret_cast<void**>(m), n, nullptr);
    produced_ += n;
    total += n;
  }
  return total;
}

uint64_t generator::run(const std::atomic<bool>& stop) noexcept {
  const uint64_t start = produced_;
  while (!stop.load(std::memory_order_relaxed) && !exhausted())
    if (refill() == 0) rte_pause();
  return produced_ - start;
}

unsigned drain(rte_ring* ring) noexcept {
  unsigned total = 0;
  void* m[k_burst];
  while (unsigned n = rte_ring_dequeue_burst(ring, m, k_burst, nullptr)) {
    rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(m), n);
    total += n;
  }
  return total;
}

} // namespace sluice::bench
