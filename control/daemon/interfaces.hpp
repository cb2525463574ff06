#pragma once
// The config's interfaces brought up as DPDK ports, as sluiced's workers poll them. Init-time
// code: errors are exceptions naming the device.

#include <rte_mempool.h>

#include <cstdint>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/port/port.hpp"

namespace sluice {

// Whether the workers' ports ask for RX interrupts: with dataplane.idle: adaptive an idle worker
// sleeps on them.
rx_interrupts idle_rx_interrupts(const config& c) noexcept;

// Opens every interface's device with one RX/TX queue pair per worker and returns the ports by
// interface index; each port id is appended to `opened` as soon as the port is up, for the caller
// to close on every way out.
std::vector<port_info> open_interfaces(const config& c, rte_mempool* pool,
                                       std::vector<uint16_t>& opened);

} // namespace sluice
