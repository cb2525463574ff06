// libFuzzer target for the TCP option walk of PROXY protocol v2 replies (proxy_reply in
// dataplane/xmit/proxy_v2.hpp) and the full-NAT reply rewrite after it.
//
// Input: 4 bytes of `start` (the client's ISN + 1), then an IPv4 packet. A packet that passes
// validation as TCP goes through proxy_reply and fnat_rewrite_reply exactly as a worker would run
// them; beyond "no crash, no out-of-bounds access" the target checks that a packet whose TCP
// checksum verified still verifies, and that nothing outside the TCP header changed.

#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/net/parse.hpp"
#include "dataplane/xmit/fnat.hpp"
#include "dataplane/xmit/proxy_v2.hpp"
#include "tests/fuzz/fuzz_require.hpp"

using sluice::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t start;
  std::memcpy(&start, data, 4);
  std::vector<uint8_t> buf(data + 4, data + size);
  sluice::ipv4_packet p;
  if (sluice::parse_ipv4(buf.data(), uint32_t(buf.size()), p)) return 0;
  if (p.proto != IPPROTO_TCP || sluice::check_l4_header(p) || p.ip->time_to_live <= 1) return 0;
  const bool valid = sluice::l4_checksum_ok(p);
  const std::size_t doff = (p.l4[12] >> 4) * 4u;
  const std::vector<uint8_t> payload(p.l4 + doff, p.l4 + p.l4_len);
  sluice::proxy_reply(p, start, sluice::k_proxy_v2_ipv4_len);
  sluice::fnat_rewrite_reply(p, {0x0100000a, 0x5000}, {0x0200000a, 0x3412});
  require(!valid || sluice::l4_checksum_ok(p), "a valid TCP checksum stays valid");
  require(payload.empty() || std::memcmp(payload.data(), p.l4 + doff, payload.size()) == 0,
          "the payload is unchanged");
  return 0;
}
