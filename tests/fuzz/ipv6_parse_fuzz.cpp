// libFuzzer target for IPv6 validation (dataplane/net/parse_ipv6.hpp), the Neighbor Discovery
// validation (dataplane/ndp/ndp.hpp) and the ICMPv6 echo reply (dataplane/icmp/echo.hpp).
//
// Input: the frame after the Ethernet header. Beyond "no crash, no out-of-bounds access" it
// checks what the workers rely on: an accepted packet's transport header lies inside the frame
// and within the payload length, after exactly the extension headers the walk counted (at most
// the bound, hop-by-hop only first, no type-0 routing header, no real fragment); a validated
// Neighbor Discovery message has hop limit 255 and a unicast target inside the message; an echo
// reply made of a valid request still has a valid checksum.

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/icmp/echo.hpp"
#include "dataplane/ndp/ndp.hpp"
#include "dataplane/net/ipv6.hpp"
#include "dataplane/net/parse_ipv6.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

using sluice::fuzz::require;
using sluice::ipv6_packet;

constexpr std::size_t k_eth = sizeof(rte_ether_hdr);

// Walks the chain again, independently, and checks the parser's account of it.
void check_chain(const uint8_t* l3, const ipv6_packet& p) {
  uint8_t next = l3[6];
  uint32_t at = 40;
  unsigned n = 0;
  while (at < p.l4_offset) {
    require(next == 0 || next == 43 || next == 44 || next == 60, "walked a non-extension header");
    require(next != 0 || n == 0, "hop-by-hop accepted after another header");
    if (next == 43) require(l3[at + 2] != 0 && l3[at + 3] == 0, "routing header accepted");
    if (next == 44) require(((l3[at + 2] << 8 | l3[at + 3]) & 0xfff9) == 0, "real fragment accepted");
    const uint32_t len = next == 44 ? 8u : (l3[at + 1] + 1u) * 8u;
    next = l3[at];
    at += len;
    ++n;
  }
  require(at == p.l4_offset, "extension headers do not end at the transport header");
  require(next == p.proto, "protocol is not the chain's last next header");
  require(n == p.ext_headers && n <= sluice::k_max_ipv6_ext_headers, "wrong header count");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  // Laid out as a worker sees it: behind an Ethernet header (2-byte aligned) and ending at the
  // end of the allocation, so ASan reports any read past the frame.
  std::vector<uint8_t> frame(k_eth + size);
  if (size != 0) std::memcpy(frame.data() + k_eth, data, size);
  uint8_t* l3 = frame.data() + k_eth;
  ipv6_packet p{};
  if (sluice::parse_ipv6(l3, uint32_t(size), p)) return 0;
  const uint32_t payload = uint32_t(l3[4] << 8 | l3[5]);
  require(reinterpret_cast<uint8_t*>(p.ip) == l3, "header not at the frame");
  require(p.l4 == l3 + p.l4_offset, "l4 pointer and offset disagree");
  require(p.l4_offset + p.l4_len == 40 + payload && 40 + payload <= size,
          "transport header beyond the payload");
  check_chain(l3, p);
  if (sluice::check_l4_header(p)) return 0;

  sluice::ndp_message msg;
  if (sluice::is_ndp(p) && !sluice::validate_ndp(p, msg)) {
    require(p.ip->hop_limits == 255, "ND message from off-link accepted");
    require(msg.target == p.l4 + 8 && p.l4_len >= 24, "target outside the message");
    require(!sluice::is_multicast6(msg.target), "multicast target accepted");
    if (msg.link_addr != nullptr)
      require(msg.link_addr + 6 <= p.l4 + p.l4_len, "link-layer option beyond the message");
  }
  if (sluice::is_echo_request(p) && sluice::l4_checksum_ok(p)) {
    const uint16_t l4_len = p.l4_len;
    const uint32_t moved = sluice::make_echo_reply(frame.data(), p);
    ipv6_packet reply{};
    require(!sluice::parse_ipv6(l3 + moved, uint32_t(size - moved), reply), "reply unparsable");
    require(reply.ext_headers == 0 && reply.l4_len == l4_len, "reply kept extension headers");
    require(reply.l4[0] == sluice::k_icmp6_echo_reply, "reply type");
    require(sluice::l4_checksum_ok(reply), "reply checksum");
  }
  return 0;
}
