#pragma once
// The `announce.bgp:` key (config/README.md): how sluiced asks its BIRD 2 daemon to announce the
// VIPs it can serve. Addresses are in network byte order, like the rest of the model.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

struct bgp_peer_config {
  uint32_t addr = 0;
  uint32_t asn = 0;
  uint16_t hold_time = 9; // seconds; 0 disables keepalives (RFC 4271 allows 0 or >= 3)
  // BFD-protected session: peers[].bfd if given, else whether announce.bgp.bfd is present.
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

// announce.bgp.bfd: the BFD (RFC 5880) timers of the sessions it protects. Both ends send a
// control packet every interval_ms; a router that hears none for interval_ms x multiplier drops
// the session, and with it this appliance's routes, instead of waiting out the hold time.
struct bgp_bfd_timers {
  uint32_t interval_ms = 100;
  uint32_t multiplier = 3; // RFC 5880's Detect Mult: 1..255

  bool operator==(const bgp_bfd_timers&) const = default;
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
  // Absent: a peer with bfd: true gets BIRD's own timers (100 ms, multiplier 5).
  std::optional<bgp_bfd_timers> bfd;
  // On SIGTERM: routes are withdrawn, then forwarding goes on this long before the workers stop,
  // so that routers move traffic away before it is dropped.
  uint32_t withdraw_delay_ms = 2000;

  bool operator==(const bgp_announce_config&) const = default;
};

} // namespace sluice
