#pragma once
// A tracked connection and the TCP state machine that decides its timeout (IPVS's states,
// reduced to the ones that change the timeout or the ActiveConn/InActConn split).

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "dataplane/net/address.hpp"
#include "dataplane/xmit/forwarding.hpp"

namespace sluice {

enum class flow_state : uint8_t {
  free = 0,
  udp,
  tcp_syn_recv,
  tcp_established,
  tcp_fin_wait,
  tcp_close,
  count_
};

enum class flow_dir : uint8_t { forward = 0, reply = 1 };

// flow::next_hop before a packet of that direction has found its neighbour entry.
inline constexpr uint16_t k_unresolved_hop = 0xffff;

// An address as a flow key holds it: 16 bytes, network byte order. IPv4 addresses are stored
// IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), so one key type serves both families and an
// IPv4 key never equals an IPv6 one.
struct flow_addr {
  uint32_t w[4];

  static constexpr flow_addr v4(uint32_t addr) noexcept {
    return {{0, 0, k_v4_mapped_prefix, addr}};
  }
  // Bytes 8..11 of an IPv4-mapped address (00 00 ff ff) read as one word of this machine.
  static constexpr uint32_t k_v4_mapped_prefix =
      std::endian::native == std::endian::little ? 0xffff0000u : 0x0000ffffu;
  bool operator==(const flow_addr&) const = default;
};

// A packet's 5-tuple exactly as it appears in the headers (network byte order). The forward key
// of a NAT flow is client -> VIP, its reply key backend -> client; a full-NAT flow's reply key is
// backend -> local address:port; both keys map to one flow. DR and TUN flows have only the
// forward key (has_reply_path()). 40 bytes: room for IPv6 addresses before IPv6 forwarding
// exists, so the table's hash and comparisons already cover the key's final size.
struct flow_key {
  flow_addr src_addr;
  flow_addr dst_addr;
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t proto;
  uint8_t pad[3] = {};

  // Built as five 64-bit words in registers: a key assembled from 32- and 16-bit stores and
  // read back as words (hash, compare) stalls on store forwarding every time.
  using words = std::array<uint64_t, 5>;

  static constexpr flow_key ipv4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                                 uint8_t proto) noexcept {
    return std::bit_cast<flow_key>(ipv4_words(src, dst, sport, dport, proto));
  }
  // The same key as five words, for hashing it in registers (flow_table::prepare()): a key
  // written to memory and read back at once waits for the stores when the compiler copies it
  // with 16-byte moves.
  static constexpr words ipv4_words(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                                    uint8_t proto) noexcept {
    constexpr bool le = std::endian::native == std::endian::little;
    auto mapped = [](uint32_t a) {
      return le ? uint64_t{a} << 32 | flow_addr::k_v4_mapped_prefix
                : uint64_t{flow_addr::k_v4_mapped_prefix} << 32 | a;
    };
    const uint64_t tail = le ? uint64_t{sport} | uint64_t{dport} << 16 | uint64_t{proto} << 32
                             : uint64_t{sport} << 48 | uint64_t{dport} << 32 | uint64_t{proto} << 24;
    return {0, mapped(src), 0, mapped(dst), tail};
  }
  // An IPv6 key from the headers' 16-byte addresses.
  static words ipv6_words(const uint8_t* src, const uint8_t* dst, uint16_t sport, uint16_t dport,
                          uint8_t proto) noexcept {
    words w;
    std::memcpy(&w[0], src, 16);
    std::memcpy(&w[2], dst, 16);
    w[4] = ipv4_words(0, 0, sport, dport, proto)[4];
    return w;
  }
  bool operator==(const flow_key&) const = default;
};
static_assert(sizeof(flow_key) == 40);

// One cache line per flow: a lookup that found the flow has loaded everything forwarding needs.
// An IPv6 flow would not fit: its four addresses alone take 64 bytes. It would need either a
// second line (a 128-byte record for both families, or v6 records in a parallel array indexed
// by the same slot) or the addresses in a side table keyed by slot; the table itself is ready
// (flow_key holds 16-byte addresses and the hash covers them).
struct alignas(64) flow {
  uint32_t client_addr;
  uint32_t vip;
  uint32_t backend_addr;
  uint16_t client_port;
  uint16_t vip_port;
  uint16_t backend_port;
  uint8_t proto;
  flow_state state;
  uint32_t service_slot;
  uint32_t backend_slot;
  forwarding mode;
  uint8_t acl_hold = 0; // ACL verdict state (dataplane/acl/hold.hpp), in padding
  uint64_t last_seen; // TSC
  // Full-NAT only (xmit/fnat.hpp): the source the backend sees. Zero in other modes.
  uint32_t local_addr = 0;
  uint16_t local_port = 0;
  // PROXY protocol v2 (xmit/proxy_v2.hpp): header length (0: none) and where it goes in the
  // client's sequence space (ISN + 1, host byte order).
  uint8_t proxy_len = 0;
  uint8_t spare = 0;
  uint32_t proxy_start = 0;
  // The worker's: the neighbour-table entry each direction's packets leave through, by flow_dir
  // (k_unresolved_hop until found). Routes are the interfaces' own, fixed at start
  // (snapshot::ifaces), and neighbour entries never move, so one found holds for the flow's life;
  // routes that change at run time would have to invalidate these.
  uint16_t next_hop[2] = {k_unresolved_hop, k_unresolved_hop};

  flow_key forward_key() const noexcept {
    return flow_key::ipv4(client_addr, vip, client_port, vip_port, proto);
  }
  flow_key reply_key() const noexcept {
    if (mode == forwarding::fnat)
      return flow_key::ipv4(backend_addr, local_addr, backend_port, local_port, proto);
    return flow_key::ipv4(backend_addr, client_addr, backend_port, client_port, proto);
  }
  flow_key key(flow_dir dir) const noexcept {
    return dir == flow_dir::forward ? forward_key() : reply_key();
  }
  // Where a packet travelling in `dir` goes once rewritten, in every mode: the backend
  // (forward), the client (reply).
  ip_addr destination(flow_dir dir) const noexcept {
    return ip_addr::ipv4(dir == flow_dir::forward ? backend_addr : client_addr);
  }
};
// 56 bytes of fields (full-NAT's local endpoint and PROXY protocol's sequence offset grew it from
// 40), padded to a line: a packed 56-byte record straddled two lines in 7 slots out of 8.
static_assert(sizeof(flow) == 64 && alignof(flow) == 64, "a flow is one cache line");

// TCP flags as they appear in rte_tcp_hdr::tcp_flags.
inline constexpr uint8_t k_tcp_fin = 0x01;
inline constexpr uint8_t k_tcp_syn = 0x02;
inline constexpr uint8_t k_tcp_rst = 0x04;
inline constexpr uint8_t k_tcp_ack = 0x10;

// Next TCP state after a segment with `tcp_flags` travelling in `dir`.
constexpr flow_state next_tcp_state(flow_state s, flow_dir dir, uint8_t tcp_flags) noexcept {
  if (tcp_flags & k_tcp_rst) return flow_state::tcp_close;
  if (tcp_flags & k_tcp_fin) return s == flow_state::tcp_close ? s : flow_state::tcp_fin_wait;
  if (s == flow_state::tcp_syn_recv && dir == flow_dir::forward && (tcp_flags & k_tcp_ack) &&
      !(tcp_flags & k_tcp_syn))
    return flow_state::tcp_established;
  return s;
}

// A TCP flow that has seen a FIN or an RST: its connection is over, or about to be.
constexpr bool is_closing(flow_state s) noexcept {
  return s == flow_state::tcp_fin_wait || s == flow_state::tcp_close;
}

// A client SYN on a closing flow is a new connection reusing the tuple (TIME_WAIT reuse).
constexpr bool is_tuple_reuse(flow_state s, uint8_t tcp_flags) noexcept {
  return (tcp_flags & (k_tcp_syn | k_tcp_ack)) == k_tcp_syn && is_closing(s);
}

} // namespace sluice
