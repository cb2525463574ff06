#pragma once
// The worker's reassembly buffers: one-segment mbufs big enough for any datagram the reassembly
// table accepts, from a pool of their own created at start, so a reassembled datagram flows
// through the same single-segment rewrite path as every other packet.

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <cstdint>

namespace sluice {

class frag_buffer_pool {
public:
  // Room in front of the payload for the longest Ethernet + IPv4 header (14 + 60): payload
  // fragments arriving before the first one land at a fixed place, the header is written in
  // front of them when the first fragment shows its length.
  static constexpr uint32_t k_payload_at = RTE_PKTMBUF_HEADROOM + 14 + 60;
  // mbuf data rooms are 16-bit: the largest buffer, less the room in front.
  static constexpr uint32_t k_data_room = UINT16_MAX;
  static constexpr uint32_t k_max_payload = k_data_room - k_payload_at;

  // Throws std::runtime_error when the pool cannot be created (init time only).
  frag_buffer_pool(unsigned worker_id, uint32_t buffers, int socket_id);
  ~frag_buffer_pool();
  frag_buffer_pool(const frag_buffer_pool&) = delete;
  frag_buffer_pool& operator=(const frag_buffer_pool&) = delete;

  rte_mbuf* alloc() noexcept { return rte_pktmbuf_alloc(pool_); }
  bool owns(const rte_mbuf* m) const noexcept { return m->pool == pool_; }

  // True for a reassembly buffer of any worker's pool (only these have 64 KiB data rooms; a
  // datagram handed to its flow's owner arrives in another worker's buffer).
  static bool holds_datagram(const rte_mbuf* m) noexcept { return m->buf_len == k_data_room; }

  // The IPv4 total length of the biggest fragment the datagram in `m` was made of, kept beside
  // it in an mbuf dynamic field as Linux keeps IPCB(skb)->frag_max_size: a datagram whose
  // fragments carried DF must not leave in bigger pieces than its sender sent.
  void set_largest_fragment(rte_mbuf* m, uint16_t len) const noexcept {
    *RTE_MBUF_DYNFIELD(m, largest_at_, uint16_t*) = len;
  }
  uint16_t largest_fragment(const rte_mbuf* m) const noexcept {
    return *RTE_MBUF_DYNFIELD(m, largest_at_, const uint16_t*);
  }

private:
  rte_mempool* pool_;
  int largest_at_; // offset of the dynamic field, the same in every worker's pool
};

} // namespace sluice
