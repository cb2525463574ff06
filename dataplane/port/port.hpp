#pragma once
// DPDK port bring-up for one interface: probe the device from its devargs (a PCI address or a
// vdev string such as "net_af_packet0,iface=veth0"), give it one RX/TX queue pair per worker,
// and start it. Init-time code: errors are exceptions naming the device.

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <span>
#include <string>

#include "dataplane/port/rx_offloads.hpp"

namespace sluice {

// Descriptors asked for each RX and TX queue (the PMD may adjust them): each can hold an mbuf,
// which the mbuf pool must have room for (dataplane/assembly/mbuf_budget.hpp).
inline constexpr uint16_t k_rx_desc = 1024;
inline constexpr uint16_t k_tx_desc = 1024;

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

// Makes the started `port` receive frames sent to the multicast MACs `groups` (IPv6: the
// solicited-node groups of its addresses, RFC 4861 §7.2.1): as a filter list where the PMD has
// one, else by accepting all multicast. Returns how: "filter", "allmulticast", or "none" when
// the PMD offers neither (a PMD without filters, like af_packet on a veth, passes every frame).
const char* accept_multicast(uint16_t port, std::span<const rte_ether_addr> groups) noexcept;

// The value of `key=` in comma-separated devargs ("net_af_packet0,iface=gw-up": "gw-up" for
// "iface"), or "".
std::string devarg(const std::string& device, const std::string& key);

} // namespace sluice
