#pragma once
// Benchmark traffic: which client tuple flow i uses, a header template that writes any flow's
// frame with correct checksums in a few stores, and the generator that keeps the source ring
// full of ready mbufs while the measured lcore polls.

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace sluice::bench {

// Flow i's client: 2^port_bits ports per address (from 1024), addresses counting up from
// 100.64.0.0 (off-link behind the uplink's gateway). Network byte order. The default, 2^14
// ports, puts 1K flows on one client; two workers own flows by client address, so their
// scenarios spread flows over more clients with fewer ports each.
inline constexpr unsigned k_default_port_bits = 14;
uint32_t client_addr(uint64_t i, unsigned port_bits = k_default_port_bits) noexcept;
uint16_t client_port(uint64_t i, unsigned port_bits = k_default_port_bits) noexcept;

struct frame_spec {
  rte_ether_addr dst_mac; // the worker's uplink MAC
  uint32_t vip;           // network byte order
  uint16_t vip_port;      // host byte order
  uint8_t tcp_flags;
  unsigned wire_size;     // Ethernet frame size on the wire, FCS included (64, 1500, ...)
};

// Ethernet + IPv4 + TCP headers of a frame whose client address and port are zero, and the
// checksums to patch when they are filled in. The payload (0x5a bytes, as packet_builder makes
// it) is written once into every mbuf of the pool (prime_pool); nothing on the path ever
// writes past the headers, so a recycled mbuf still carries it.
class frame_template {
public:
  static constexpr unsigned k_header_len = 14 + 20 + 20;

  explicit frame_template(const frame_spec& spec);
  void write(uint8_t* frame, uint32_t client_addr, uint16_t client_port) const noexcept;
  uint16_t frame_len() const noexcept { return frame_len_; }

  // Builds `samples` frames both ways (packet_builder and write()) and compares them byte by
  // byte: returns false on the first difference.
  bool self_check(unsigned samples) const;

private:
  frame_spec spec_;
  uint16_t frame_len_;
  std::array<uint8_t, k_header_len> header_{};
  uint16_t ip_sum_;  // one's complement sum of the IP header without address and checksum
  uint16_t tcp_sum_; // same for TCP: pseudo header + header + payload, client fields zero
};

// Writes the 0x5a payload pattern over the whole data room of every mbuf in `pool`.
void prime_pool(rte_mempool* pool);

enum class flow_order { sequential, random };

struct stream {
  frame_template frame;
  flow_order order;
  uint64_t flows;     // flow indices drawn from [first, first + flows)
  uint64_t first = 0;
  uint64_t limit = 0; // packets to produce; 0: until stopped
  unsigned port_bits = k_default_port_bits; // client_addr() / client_port() of each index
  // When set, index i drawn from [0, flows) is port i mod 2^port_bits of client number
  // chosen[i >> port_bits] (one worker's clients), not flow first + i; flows must not exceed
  // chosen->size() << port_bits. Outlives the generator.
  const std::vector<uint32_t>* chosen = nullptr;
  uint64_t seed = 0x9e3779b97f4a7c15ull; // of the random order; never 0
  // With owner >= 0, indices whose client another of `workers` workers owns (flow_owner()) are
  // skipped: the stream carries only worker `owner`'s flows, as RSS by client address would.
  int owner = -1;
  unsigned workers = 1;
  // ol_flags every mbuf gets, as the receiving NIC would set them (its checksum verdicts);
  // net_ring ports set none.
  uint64_t rx_flags = 0;
};

// Fills the source ring from the calling lcore. Single producer: nothing else may enqueue.
class generator {
public:
  generator(rte_ring* ring, rte_mempool* pool, stream s);

  // Produces until `stop` is set or the stream's limit is reached; returns packets produced.
  uint64_t run(const std::atomic<bool>& stop) noexcept;
  // Tops the ring up (whole bursts) without waiting; returns packets produced.
  unsigned refill() noexcept;
  bool exhausted() const noexcept { return stream_.limit != 0 && produced_ >= stream_.limit; }

private:
  uint64_t next_index() noexcept; // draw_index(), skipping flows of other owners
  uint64_t draw_index() noexcept;

  rte_ring* ring_;
  rte_mempool* pool_;
  stream stream_;
  uint64_t produced_ = 0;
  uint64_t cursor_ = 0;
  uint64_t rng_; // stream_.seed
};

// Frees whatever the ring still holds; returns how many.
unsigned drain(rte_ring* ring) noexcept;

} // namespace sluice::bench
