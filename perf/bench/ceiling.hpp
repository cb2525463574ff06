#pragma once
// The ceiling: the same source and sink joined by an io forwarder that touches no packet
// (testpmd --forward-mode=io in miniature), polled exactly like the worker.

#include <cstdint>

namespace sluice::bench {

class io_forwarder {
public:
  io_forwarder(uint16_t rx_port, uint16_t tx_port, uint16_t queue = 0) noexcept
      : rx_(rx_port), tx_(tx_port), queue_(queue) {}
  // One rx_burst from the source, one tx_burst to the sink; returns packets received.
  unsigned poll_once() noexcept;

private:
  uint16_t rx_;
  uint16_t tx_;
  uint16_t queue_;
};

} // namespace sluice::bench
