#pragma once
// IPv4 fragmentation on the way out: a datagram bigger than the egress link's MTU (a reassembled
// datagram after its rewrite, or a TUN packet once its outer header made it too big) leaves as
// fragments, as a router forwarding it would send it (RFC 791; Linux ip_do_fragment).

#include <rte_mbuf.h>

#include <cstdint>

namespace sluice {

// Fragments of a 64 KiB datagram at a 1500-byte MTU (45), or of a DF datagram cut as its sender
// cut it (at most the reassembly table's 64 fragments, one more when the first carried options
// that later ones do not repeat), with room to spare.
inline constexpr uint16_t k_max_out_fragments = 72;

// Cuts the frame in `m` (Ethernet + an IPv4 datagram longer than `mtu`, one segment) into frames
// from `pool` carrying at most `mtu` bytes of IP each: the header (options that must be copied
// go into every fragment), ID and DF kept, offsets and MF set, header checksums computed. A DF
// datagram is the caller's to cut only into pieces its sender allowed (send_reassembled).
// Each frame's Ethernet type is set, its addresses are left to the neighbour layer. On success
// `m` is freed and the number of frames written to `out` (at most `max_out`) is returned;
// otherwise -errno (-ENOMEM: pool exhausted, -EINVAL: more than `max_out` fragments needed) and
// `m` is left unchanged to the caller.
int fragment_frame(rte_mbuf* m, uint16_t mtu, rte_mempool* pool, rte_mbuf** out,
                   uint16_t max_out) noexcept;

} // namespace sluice
