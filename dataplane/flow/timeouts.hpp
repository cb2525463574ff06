#pragma once
// How long an idle flow lives in each state, in seconds (config: dataplane.timeouts).

#include <cstdint>

namespace sluice {

struct flow_timeouts {
  uint32_t tcp_established = 900;
  uint32_t tcp_syn_recv = 60;
  uint32_t tcp_fin_wait = 120;
  uint32_t tcp_close = 10;
  uint32_t udp = 300;

  bool operator==(const flow_timeouts&) const = default;
};

} // namespace sluice
