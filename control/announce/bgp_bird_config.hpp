#pragma once
// BIRD 2 configuration generated from announce.bgp. Pure text generation (golden-tested): the
// main file holds the router id, one BGP session per peer and a static protocol whose routes
// come from a separate include file, so that changing the announced VIPs rewrites only that
// small file and never touches the sessions.

#include <span>
#include <string>

#include "control/announce/bgp_config.hpp"

namespace sluice {

// The files sluiced keeps for its BIRD, all beside the control socket: for
// "/run/sluice/bird.ctl" they are bird.conf, bird-routes.conf and bird.pid in /run/sluice.
struct bird_files {
  std::string socket;
  std::string config;
  std::string routes; // included by `config`; one `route VIP/32 blackhole;` per announced VIP
  std::string pid;
};

bird_files bird_files_for(const std::string& socket);

// BIRD's main configuration. Static routes go to the BGP peers only (there is no kernel
// protocol, so the appliance's own routing table never sees the blackholes), tagged with the
// configured communities, with this appliance as next hop.
std::string bird_main_config(const bgp_announce_config& c, const bird_files& files);

// The routes include file: `vips` (network byte order) in ascending address order, duplicates
// once, so that the same set always gives the same text.
std::string bird_routes_config(std::span<const uint32_t> vips);

} // namespace sluice
