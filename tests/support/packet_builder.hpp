#pragma once
// A fluent builder of Ethernet/IPv4/TCP|UDP|ICMP frames with correct lengths and checksums, for
// unit tests, golden-packet fixtures, fuzz seeds and benchmarks. Deliberate corruption is done
// on the built bytes (see the `corrupt_*` helpers), so each bad packet trips exactly one check.

#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace sluice::testing {

using bytes = std::vector<uint8_t>;

inline uint32_t ip(const char* dotted) {
  in_addr a{};
  inet_pton(AF_INET, dotted, &a);
  return a.s_addr; // network byte order
}

// One's complement sum of `len` bytes, folded, not inverted.
inline uint16_t ones_sum(const uint8_t* p, std::size_t len, uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += uint32_t(p[i]) << 8 | p[i + 1];
  if (len & 1) sum += uint32_t(p[len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

class packet_builder {
public:
  packet_builder& eth(const std::string& src, const std::string& dst) {
    eth_src_ = mac(src);
    eth_dst_ = mac(dst);
    return *this;
  }
  packet_builder& ipv4(const char* src, const char* dst, uint8_t ttl = 64) {
    src_ = ip(src);
    dst_ = ip(dst);
    ttl_ = ttl;
    return *this;
  }
  packet_builder& ip_options(bytes opts) { // padded to a multiple of 4 by the caller
    options_ = std::move(opts);
    return *this;
  }
  packet_builder& tcp_options(bytes opts) { // padded to a multiple of 4 by the caller
    tcp_options_ = std::move(opts);
    return *this;
  }
  packet_builder& df() {
    frag_ = 0x4000;
    return *this;
  }
  packet_builder& fragment(uint16_t offset_bytes, bool more) {
    frag_ = uint16_t((offset_bytes / 8) | (more ? 0x2000 : 0));
    return *this;
  }
  packet_builder& ip_id(uint16_t id) {
    id_ = id;
    return *this;
  }
  packet_builder& tcp(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq = 1000,
                      uint32_t ack = 0) {
    proto_ = 6;
    sport_ = sport;
    dport_ = dport;
    tcp_flags_ = flags;
    seq_ = seq;
    ack_ = ack;
    return *this;
  }
  packet_builder& window(uint16_t w) {
    window_ = w;
    return *this;
  }
  packet_builder& udp(uint16_t sport, uint16_t dport) {
    proto_ = 17;
    sport_ = sport;
    dport_ = dport;
    return *this;
  }
  packet_builder& icmp_echo(uint16_t id, uint16_t seq) {
    proto_ = 1;
    icmp_type_ = 8;
    sport_ = id;
    dport_ = seq;
    return *this;
  }
  packet_builder& icmp_echo_reply(uint16_t id, uint16_t seq) {
    icmp_echo(id, seq);
    icmp_type_ = 0;
    return *this;
  }
  packet_builder& udp_no_checksum() {
    udp_zero_csum_ = true;
    return *this;
  }
  packet_builder& payload(const std::string& p) {
    payload_.assign(p.begin(), p.end());
    return *this;
  }
  packet_builder& payload_size(std::size_t n) {
    payload_.assign(n, 0x5a);
    return *this;
  }
  // n bytes that differ from their neighbours (i mod 251), so bytes out of place show.
  packet_builder& payload_counting(std::size_t n) {
    payload_.resize(n);
    for (std::size_t i = 0; i < n; ++i) payload_[i] = uint8_t(i % 251);
    return *this;
  }

  bytes build() const {
    bytes l4;
    if (proto_ == 6) {
      l4.resize(20);
      put16(l4, 0, sport_);
      put16(l4, 2, dport_);
      put32(l4, 4, seq_);
      put32(l4, 8, ack_);
      l4[12] = uint8_t((5 + tcp_options_.size() / 4) << 4);
      l4.insert(l4.end(), tcp_options_.begin(), tcp_options_.end());
      l4[13] = tcp_flags_;
      put16(l4, 14, window_);
    } else if (proto_ == 17) {
      l4.resize(8);
      put16(l4, 0, sport_);
      put16(l4, 2, dport_);
      put16(l4, 4, uint16_t(8 + payload_.size()));
    } else {
      l4.resize(8);
      l4[0] = icmp_type_;
      put16(l4, 4, sport_);
      put16(l4, 6, dport_);
    }
    l4.insert(l4.end(), payload_.begin(), payload_.end());

    const std::size_t ihl = 20 + options_.size();
    bytes iph(ihl);
    iph[0] = uint8_t(0x40 | (ihl / 4));
    put16(iph, 2, uint16_t(ihl + l4.size()));
    put16(iph, 4, id_);
    put16(iph, 6, frag_);
    iph[8] = ttl_;
    iph[9] = proto_;
    std::memcpy(&iph[12], &src_, 4);
    std::memcpy(&iph[16], &dst_, 4);
    std::copy(options_.begin(), options_.end(), iph.begin() + 20);
    put16(iph, 10, uint16_t(~ones_sum(iph.data(), ihl)));

    if (proto_ == 1) {
      put16(l4, 2, uint16_t(~ones_sum(l4.data(), l4.size())));
    } else if (!(proto_ == 17 && udp_zero_csum_)) {
      uint8_t pseudo[12];
      std::memcpy(pseudo, &src_, 4);
      std::memcpy(pseudo + 4, &dst_, 4);
      pseudo[8] = 0;
      pseudo[9] = proto_;
      pseudo[10] = uint8_t(l4.size() >> 8);
      pseudo[11] = uint8_t(l4.size());
      uint16_t c = uint16_t(~ones_sum(l4.data(), l4.size(), ones_sum(pseudo, 12)));
      if (proto_ == 17 && c == 0) c = 0xffff;
      put16(l4, proto_ == 6 ? 16 : 6, c);
    }

    bytes frame;
    frame.reserve(14 + iph.size() + l4.size());
    frame.insert(frame.end(), eth_dst_.begin(), eth_dst_.end());
    frame.insert(frame.end(), eth_src_.begin(), eth_src_.end());
    frame.push_back(0x08);
    frame.push_back(0x00);
    frame.insert(frame.end(), iph.begin(), iph.end());
    frame.insert(frame.end(), l4.begin(), l4.end());
    return frame;
  }

  static std::vector<uint8_t> mac(const std::string& text) {
    std::vector<uint8_t> m(6);
    unsigned b[6];
    std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
    for (int i = 0; i < 6; ++i) m[i] = uint8_t(b[i]);
    return m;
  }

private:
  static void put16(bytes& b, std::size_t at, uint16_t v) {
    b[at] = uint8_t(v >> 8);
    b[at + 1] = uint8_t(v);
  }
  static void put32(bytes& b, std::size_t at, uint32_t v) {
    put16(b, at, uint16_t(v >> 16));
    put16(b, at + 2, uint16_t(v));
  }

  std::vector<uint8_t> eth_src_ = mac("02:00:00:00:00:01");
  std::vector<uint8_t> eth_dst_ = mac("02:00:00:00:00:02");
  uint32_t src_ = 0, dst_ = 0;
  uint8_t ttl_ = 64;
  uint8_t proto_ = 6;
  uint16_t frag_ = 0, id_ = 1, window_ = 65535;
  bytes options_;
  bytes tcp_options_;
  uint16_t sport_ = 0, dport_ = 0;
  uint8_t tcp_flags_ = 0;
  uint8_t icmp_type_ = 8;
  uint32_t seq_ = 0, ack_ = 0;
  bool udp_zero_csum_ = false;
  bytes payload_;
};

// An Ethernet ARP frame (op 1 request, 2 reply); `tha` is ignored in requests (zero).
inline bytes arp_frame(uint16_t op, const std::string& eth_src, const std::string& eth_dst,
                       const std::string& sha, const char* sip, const std::string& tha,
                       const char* tip) {
  bytes f;
  auto append = [&](const std::vector<uint8_t>& v) { f.insert(f.end(), v.begin(), v.end()); };
  append(packet_builder::mac(eth_dst));
  append(packet_builder::mac(eth_src));
  append({0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0, uint8_t(op)});
  append(packet_builder::mac(sha));
  const uint32_t s = ip(sip), t = ip(tip);
  append({uint8_t(s), uint8_t(s >> 8), uint8_t(s >> 16), uint8_t(s >> 24)});
  append(op == 1 ? std::vector<uint8_t>(6, 0) : packet_builder::mac(tha));
  append({uint8_t(t), uint8_t(t >> 8), uint8_t(t >> 16), uint8_t(t >> 24)});
  return f;
}

// Sets the IPv4 total length and the flags/offset field of `frame` (Ethernet + IPv4 with an
// `ihl`-byte header) and recomputes the header checksum.
inline void set_fragment_fields(bytes& f, std::size_t ihl, uint16_t total_len, uint16_t frag) {
  f[16] = uint8_t(total_len >> 8);
  f[17] = uint8_t(total_len);
  f[20] = uint8_t(frag >> 8);
  f[21] = uint8_t(frag);
  f[24] = f[25] = 0;
  const uint16_t c = uint16_t(~ones_sum(&f[14], ihl));
  f[24] = uint8_t(c >> 8);
  f[25] = uint8_t(c);
}

// The IPv4 datagram in `frame` (Ethernet + IPv4, not a fragment) cut as a router does: each
// fragment carries `chunk` payload bytes (a multiple of 8) but the last, the header (options
// included) is copied into every fragment with its length, offset, MF and checksum set; the IP
// ID and DF are kept.
inline std::vector<bytes> fragments_of(const bytes& frame, std::size_t chunk) {
  const std::size_t ihl = (frame[14] & 0x0f) * 4u;
  const std::size_t total = (std::size_t(frame[16]) << 8) | frame[17];
  const std::size_t payload = total - ihl;
  const uint16_t df = uint16_t(frame[20] & 0x40) << 8;
  std::vector<bytes> out;
  for (std::size_t off = 0; off < payload; off += chunk) {
    const std::size_t len = std::min(chunk, payload - off);
    const bool more = off + len < payload;
    bytes f(frame.begin(), frame.begin() + 14 + std::ptrdiff_t(ihl));
    f.insert(f.end(), frame.begin() + std::ptrdiff_t(14 + ihl + off),
             frame.begin() + std::ptrdiff_t(14 + ihl + off + len));
    set_fragment_fields(f, ihl, uint16_t(ihl + len),
                        uint16_t(df | (more ? 0x2000 : 0) | (off / 8)));
    out.push_back(std::move(f));
  }
  return out;
}

// Offsets into a frame built without IP options.
inline constexpr std::size_t k_ip = 14;
inline constexpr std::size_t k_l4 = 34;

// True when the IPv4 header checksum and the L4 checksum of `frame` both verify.
inline bool checksums_valid(const bytes& f) {
  const std::size_t ihl = (f[k_ip] & 0x0f) * 4u;
  if (ones_sum(&f[k_ip], ihl) != 0xffff) return false;
  const std::size_t total = (std::size_t(f[k_ip + 2]) << 8) | f[k_ip + 3];
  const std::size_t l4 = k_ip + ihl, l4_len = total - ihl;
  const uint8_t proto = f[k_ip + 9];
  if (proto == 1) return ones_sum(&f[l4], l4_len) == 0xffff;
  if (proto == 17 && f[l4 + 6] == 0 && f[l4 + 7] == 0) return true;
  uint8_t pseudo[12];
  std::memcpy(pseudo, &f[k_ip + 12], 8);
  pseudo[8] = 0;
  pseudo[9] = proto;
  pseudo[10] = uint8_t(l4_len >> 8);
  pseudo[11] = uint8_t(l4_len);
  return ones_sum(&f[l4], l4_len, ones_sum(pseudo, 12)) == 0xffff;
}

} // namespace sluice::testing
