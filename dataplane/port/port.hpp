#pragma once
// DPDK port bring-up for one interface: probe the device from its devargs (a PCI address or a
// vdev string such as "net_af_packet0,iface=veth0"), give it one RX/TX queue pair per worker,
// and start it. Init-time code: errors are exceptions naming the device.

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <string>

#include "dataplane/port/rx_offloads.hpp"

namespace sluice {

// The IP MTU of every link: interfaces are Ethernet with the standard MTU (they have no MTU
// setting yet). The egress fragments, and TUN and PROXY v2 size their additions, by it.
inline constexpr uint16_t k_link_mtu = 1500;

struct port_info {
  uint16_t port_id;
  rte_ether_addr mac;
};

// Whether the port is asked for an RX interrupt per queue (intr_conf.rxq), which an idle worker
// may sleep on (dataplane.idle: adaptive). A PMD that refuses them is brought up without.
enum class rx_interrupts : bool { off, requested };

// Throws std::runtime_error with the device and DPDK's reason on failure. `use` decides the RX
// checksum offloads requested (rx_checksum_offloads()).
port_info open_port(const std::string& device, unsigned queues, rte_mempool* pool, rx_use use,
                    rx_interrupts irq = rx_interrupts::off);

// Configures and starts an already created port (`label` names it in errors): what
// open_port() does after probing, for ports made in code (rte_eth_from_rings).
port_info start_port(uint16_t port, const std::string& label, unsigned queues, rte_mempool* pool,
                     rx_use use, rx_interrupts irq = rx_interrupts::off);

void close_port(uint16_t port_id) noexcept;

// The value of `key=` in comma-separated devargs ("net_af_packet0,iface=gw-up": "gw-up" for
// "iface"), or "".
std::string devarg(const std::string& device, const std::string& key);

} // namespace sluice
