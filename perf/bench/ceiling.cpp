#include "perf/bench/ceiling.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

namespace sluice::bench {

unsigned io_forwarder::poll_once() noexcept {
  constexpr uint16_t k_burst = 32; // the worker's burst
  rte_mbuf* pkts[k_burst];
  const uint16_t n = rte_eth_rx_burst(rx_, queue_, pkts, k_burst);
  if (n == 0) return 0;
  const uint16_t sent = rte_eth_tx_burst(tx_, queue_, pkts, n);
  if (sent < n) rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  return n;
}

} // namespace sluice::bench
