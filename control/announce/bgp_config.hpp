#pragma once
// The `announce.bgp:` key (config/README.md): how sluiced asks its BIRD 2 daemon to announce the
// VIPs it can serve. Addresses are in network byte order, like the rest of the model.

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

struct bgp_peer_config {
  uint32_t addr = 0;
  uint32_t asn = 0;
  uint16_t hold_time = 9; // seconds; 0 disables keepalives (RFC 4271 allows 0 or >= 3)
  bool bfd = false;
  std::string password; // TCP MD5 (RFC 2385); empty: none

  bool operator==(const bgp_peer_config&) const = default;
};

// A standard community (RFC 1997) "high:low".
struct bgp_community {
  uint16_t high = 0;
  uint16_t low = 0;

  bool operator==(const bgp_community&) const = default;
};

struct bgp_announce_config {
  bool enabled = false; // false: the key is absent, no BIRD is started
  uint32_t router_id = 0;
  uint32_t local_asn = 0;
  // BIRD's control socket; BIRD's config, route include and pid files sit beside it
  // (bird_files_for in bgp_bird_config.hpp).
  std::string bird_socket = "/run/sluice/bird.ctl";
  std::vector<bgp_peer_config> peers;
  std::vector<bgp_community> communities;
  // On SIGTERM: routes are withdrawn, then forwarding goes on this long before the workers stop,
  // so that routers move traffic away before it is dropped.
  uint32_t withdraw_delay_ms = 2000;

  bool operator==(const bgp_announce_config&) const = default;
};

} // namespace sluice
