#pragma once
// The ceiling: the same source and sink joined by an io forwarder that touches no packet
// (testpmd --forward-mode=io in miniature), polled exactly like the worker.

#include <cstdint>

namespace sluice::bench {

class io_forwarder {
public:
  io_forwarder(uint16_t rx_port, uint16_t tx_port) noexcept : rx_(rx_port), tx_(tx_port) {}
  // One rx_burst from the source, one tx_burst to the sink; returns packets received.
  unsigned poll_once() noexcept;

private:
  uint16_t rx_;
  uint16_t tx_;
};

} // namespace sluice::bench
