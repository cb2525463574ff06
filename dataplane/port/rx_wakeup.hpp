#pragma once
// What an idle worker can sleep on to wake when a packet reaches one of its RX queues
// (dataplane.idle: adaptive). Which vdev offers what, as tested here, is in docs/IDLE.md:
// - the PMD's RX interrupt (rte_eth_dev_rx_intr_ctl_q: net_tap, net_memif, NICs with an
//   interrupt vector per queue), enabled before each sleep and disabled after it, so that a busy
//   port raises none;
// - net_af_packet's own socket, which has no interrupt in DPDK but is readable while a frame
//   waits in its receive ring (the kernel's packet_poll()).
// A queue with neither is seen by a sleeping worker when its sleep ends (the bound).
// Init-time code.

#include <cstdint>
#include <optional>
#include <string>

namespace sluice {

struct rx_wakeup {
  enum class kind : uint8_t {
    interrupt, // registered with rte_eth_dev_rx_intr_ctl_q(); armed per sleep
    socket,    // `fd`: readable while packets wait
  };
  kind how;
  uint16_t port;
  uint16_t queue;
  int fd; // socket: the descriptor to watch; interrupt: the PMD's (for information)
};

// The wake-up of `port`'s RX queue `queue`, opened from `device` (its devargs), or nullopt.
std::optional<rx_wakeup> find_rx_wakeup(uint16_t port, uint16_t queue, const std::string& device);

} // namespace sluice
