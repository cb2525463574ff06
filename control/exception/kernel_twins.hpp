#pragma once
// Brings up each interface's kernel twin (interfaces[].exception_path): a net_tap port named
// after the config, with the DPDK port's MAC, one queue pair per worker (each worker reads and
// writes its own), and the interface's address on the kernel side. Init-time code: errors are
// exceptions naming the interface.

#include <rte_mempool.h>

#include <optional>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/port/port.hpp"
#include "dataplane/worker/setup.hpp"

namespace sluice {

// Returns, by interface index, what workers need (worker_setup::exception_ports). `ports` are
// the interfaces' DPDK ports, already started (the taps take their MACs); each tap's port id is
// appended to `opened` as soon as it exists, for the caller to close on every way out. Every
// kernel netdev a DPDK device of the config drives (af_packet/af_xdp `iface=`) is quieted
// (control/exception/kernel_netdev.hpp) when any twin exists.
std::vector<std::optional<exception_port>> open_kernel_twins(const config& c,
                                                             const std::vector<port_info>& ports,
                                                             unsigned queues, rte_mempool* pool,
                                                             std::vector<uint16_t>& opened);

// The net_tap devargs of interface `index`'s twin.
std::string tap_devargs(std::size_t index, const exception_path_config& e,
                        const rte_ether_addr& mac);

} // namespace sluice
