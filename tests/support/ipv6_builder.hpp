#pragma once
// A fluent builder of Ethernet/IPv6 frames — extension headers, then TCP, UDP, ICMPv6 echo or a
// Neighbor Solicitation/Advertisement — with correct lengths and checksums, for unit tests,
// golden-packet fixtures and fuzz seeds. Deliberate corruption is done on the built bytes.

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/packet_builder.hpp"

namespace sluice::testing {

inline std::vector<uint8_t> ip6(const char* text) {
  std::vector<uint8_t> a(16);
  inet_pton(AF_INET6, text, a.data());
  return a;
}

// Where the IPv6 header starts in a built frame.
inline constexpr std::size_t k_ip6 = 14;

class ipv6_builder {
public:
  ipv6_builder& eth(const std::string& src, const std::string& dst) {
    eth_src_ = packet_builder::mac(src);
    eth_dst_ = packet_builder::mac(dst);
    return *this;
  }
  ipv6_builder& ipv6(const char* src, const char* dst, uint8_t hop_limit = 64) {
    src_ = ip6(src);
    dst_ = ip6(dst);
    hop_limit_ = hop_limit;
    return *this;
  }
  // An extension header of `type` (0 hop-by-hop, 43 routing, 44 fragment, 60 destination
  // options) with `body` after its next-header and length bytes (a fragment header's body is
  // its 6 remaining bytes; the others' are padded with zeros to a multiple of 8).
  ipv6_builder& ext(uint8_t type, bytes body = {0, 0, 0, 0, 0, 0}) {
    exts_.push_back({type, std::move(body)});
    return *this;
  }
  // A routing header of `routing_type` with `segments_left`.
  ipv6_builder& routing(uint8_t routing_type, uint8_t segments_left) {
    return ext(43, {routing_type, segments_left, 0, 0, 0, 0});
  }
  // A fragment header at byte `offset` of the datagram.
  ipv6_builder& fragment(uint16_t offset, bool more, uint32_t id = 1) {
    const uint16_t field = uint16_t(offset | (more ? 1 : 0));
    return ext(44, {uint8_t(field >> 8), uint8_t(field), uint8_t(id >> 24), uint8_t(id >> 16),
                    uint8_t(id >> 8), uint8_t(id)});
  }
  ipv6_builder& tcp(uint16_t sport, uint16_t dport, uint8_t flags) {
    proto_ = 6;
    l4_ = bytes(20);
    put16(l4_, 0, sport);
    put16(l4_, 2, dport);
    l4_[12] = 5 << 4;
    l4_[13] = flags;
    put16(l4_, 14, 65535);
    return *this;
  }
  ipv6_builder& udp(uint16_t sport, uint16_t dport) {
    proto_ = 17;
    l4_ = bytes(8);
    put16(l4_, 0, sport);
    put16(l4_, 2, dport);
    return *this;
  }
  ipv6_builder& echo_request(uint16_t id, uint16_t seq) {
    proto_ = 58;
    l4_ = bytes(8);
    l4_[0] = 128;
    put16(l4_, 4, id);
    put16(l4_, 6, seq);
    return *this;
  }
  ipv6_builder& echo_reply(uint16_t id, uint16_t seq) {
    echo_request(id, seq);
    l4_[0] = 129;
    return *this;
  }
  // Any other ICMPv6 message: `type`, code 0, 4 zero bytes of body.
  ipv6_builder& icmpv6(uint8_t type) {
    proto_ = 58;
    l4_ = bytes(8);
    l4_[0] = type;
    return *this;
  }
  // A Neighbor Solicitation for `target`, with the source link-layer option carrying `sll`
  // unless it is empty.
  ipv6_builder& neighbor_solicitation(const char* target, const std::string& sll = "") {
    return ndp(135, 0, target, 1, sll);
  }
  // A Neighbor Advertisement for `target` with `flags` (0x40 solicited, 0x20 override) and the
  // target link-layer option carrying `tll` unless it is empty.
  ipv6_builder& neighbor_advertisement(const char* target, uint8_t flags, const std::string& tll) {
    return ndp(136, flags, target, 2, tll);
  }
  ipv6_builder& icmp_code(uint8_t code) {
    l4_[1] = code;
    return *this;
  }
  ipv6_builder& payload(const std::string& p) {
    payload_.assign(p.begin(), p.end());
    return *this;
  }

  bytes build() const {
    bytes l4 = l4_;
    l4.insert(l4.end(), payload_.begin(), payload_.end());
    if (proto_ == 17) put16(l4, 4, uint16_t(l4.size()));
    const std::size_t csum_at = proto_ == 6 ? 16 : proto_ == 17 ? 6 : 2;
    put16(l4, csum_at, checksum(l4));

    bytes chain;
    for (std::size_t i = 0; i < exts_.size(); ++i) {
      const uint8_t next = i + 1 < exts_.size() ? exts_[i + 1].type : proto_;
      bytes h{next, 0};
      h.insert(h.end(), exts_[i].body.begin(), exts_[i].body.end());
      if (exts_[i].type != 44) {
        while (h.size() % 8) h.push_back(0);
        h[1] = uint8_t(h.size() / 8 - 1);
      }
      chain.insert(chain.end(), h.begin(), h.end());
    }
    bytes frame = eth_dst_;
    frame.insert(frame.end(), eth_src_.begin(), eth_src_.end());
    frame.push_back(0x86);
    frame.push_back(0xdd);
    bytes ip(40);
    ip[0] = 0x60;
    put16(ip, 4, uint16_t(chain.size() + l4.size()));
    ip[6] = exts_.empty() ? proto_ : exts_[0].type;
    ip[7] = hop_limit_;
    std::copy(src_.begin(), src_.end(), ip.begin() + 8);
    std::copy(dst_.begin(), dst_.end(), ip.begin() + 24);
    frame.insert(frame.end(), ip.begin(), ip.end());
    frame.insert(frame.end(), chain.begin(), chain.end());
    frame.insert(frame.end(), l4.begin(), l4.end());
    return frame;
  }

  // The upper-layer checksum of `l4` (its checksum field zero) between the builder's addresses.
  uint16_t checksum(const bytes& l4) const {
    bytes pseudo(src_);
    pseudo.insert(pseudo.end(), dst_.begin(), dst_.end());
    const uint32_t len = uint32_t(l4.size());
    pseudo.insert(pseudo.end(), {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8),
                                 uint8_t(len), 0, 0, 0, proto_});
    return uint16_t(~ones_sum(l4.data(), l4.size(), ones_sum(pseudo.data(), pseudo.size())));
  }

private:
  struct ext_header {
    uint8_t type;
    bytes body;
  };
  ipv6_builder& ndp(uint8_t type, uint8_t flags, const char* target, uint8_t option,
                    const std::string& ll) {
    proto_ = 58;
    l4_ = bytes(24);
    l4_[0] = type;
    l4_[4] = flags;
    const auto t = ip6(target);
    std::copy(t.begin(), t.end(), l4_.begin() + 8);
    if (!ll.empty()) {
      l4_.push_back(option);
      l4_.push_back(1);
      const auto m = packet_builder::mac(ll);
      l4_.insert(l4_.end(), m.begin(), m.end());
    }
    return *this;
  }
  static void put16(bytes& b, std::size_t at, uint16_t v) {
    b[at] = uint8_t(v >> 8);
    b[at + 1] = uint8_t(v);
  }

  bytes eth_src_ = packet_builder::mac("02:00:00:00:00:01");
  bytes eth_dst_ = packet_builder::mac("02:00:00:00:00:02");
  bytes src_ = ip6("fd00::1"), dst_ = ip6("fd00::2");
  uint8_t hop_limit_ = 64;
  uint8_t proto_ = 6;
  std::vector<ext_header> exts_;
  bytes l4_ = bytes(20);
  bytes payload_;
};

// Recomputes the upper-layer checksum of a built frame whose IPv6 header is followed directly by
// the transport header of `proto` (after a deliberate change to it).
inline void fix_ipv6_l4_checksum(bytes& f, uint8_t proto) {
  const std::size_t l4 = k_ip6 + 40;
  const std::size_t at = l4 + (proto == 6 ? 16 : proto == 17 ? 6 : 2);
  f[at] = f[at + 1] = 0;
  bytes pseudo(f.begin() + k_ip6 + 8, f.begin() + k_ip6 + 40);
  const uint32_t len = uint32_t(f.size() - l4);
  pseudo.insert(pseudo.end(), {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8),
                               uint8_t(len), 0, 0, 0, proto});
  const uint16_t c = uint16_t(~ones_sum(&f[l4], len, ones_sum(pseudo.data(), pseudo.size())));
  f[at] = uint8_t(c >> 8);
  f[at + 1] = uint8_t(c);
}

} // namespace sluice::testing
