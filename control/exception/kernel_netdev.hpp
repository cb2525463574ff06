#pragma once
// The kernel side of the exception path, configured from the control thread: the tap's address
// and the quieting of kernel netdevs that DPDK drives through af_packet/af_xdp. Uses `ip`
// (iproute2) and /proc/sys; errors are exceptions naming the interface and the command.

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

// Runs `ip ARGS...` and waits for it. Throws std::runtime_error with the command line when it
// cannot run or exits non-zero (its own message goes to our stderr, the log).
void run_ip(const std::vector<std::string>& args);

// Gives the tap `ifname` the interface's address (addr network byte order, prefix length), turns
// its IPv6 off (the dataplane forwards IPv4 and ARP only) and sets the link up.
void configure_tap(const std::string& ifname, uint32_t addr, unsigned prefix_len);

// Keeps the kernel from answering on `ifname`, a netdev whose frames DPDK reads through a
// socket (af_packet, af_xdp) and the kernel stack therefore sees too: once a tap holds the
// interface's address, the kernel would otherwise accept traffic for it on both and answer
// ARP on this one. NOARP stops the ARP; strict reverse-path filtering drops IPv4 whose source
// the kernel routes through the tap. The socket still receives every frame.
void quiet_kernel_netdev(const std::string& ifname);

} // namespace sluice
