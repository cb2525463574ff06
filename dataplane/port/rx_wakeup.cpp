// rte_eth_dev_conf_get() is still experimental in DPDK 22.11 (stable from 23.x).
#define ALLOW_EXPERIMENTAL_API 1

#include "dataplane/port/rx_wakeup.hpp"

#include <rte_ethdev.h>
#include <rte_log.h>

#include <dirent.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "dataplane/port/port.hpp"

namespace sluice {
namespace {

// Inodes of the packet sockets bound to interface `ifindex` in this network namespace.
std::set<unsigned long> packet_socket_inodes(unsigned ifindex) {
  // Columns: sk RefCnt Type Proto Iface R Rmem User Inode
  std::ifstream in("/proc/net/packet");
  std::set<unsigned long> out;
  std::string line;
  std::getline(in, line); // the header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string sk, refs, type, proto;
    unsigned iface = 0, running = 0, rmem = 0, user = 0;
    unsigned long inode = 0;
    if (row >> sk >> refs >> type >> proto >> iface >> running >> rmem >> user >> inode &&
        iface == ifindex)
      out.insert(inode);
  }
  return out;
}

// This process's descriptors of those sockets, lowest first.
std::vector<int> descriptors_of(const std::set<unsigned long>& inodes) {
  std::vector<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (const dirent* e = ::readdir(dir)) {
    const std::string path = std::string("/proc/self/fd/") + e->d_name;
    char target[64] = {};
    const ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
    unsigned long inode = 0;
    if (n > 0 && std::sscanf(target, "socket:[%lu]", &inode) == 1 && inodes.contains(inode))
      fds.push_back(std::atoi(e->d_name));
  }
  ::closedir(dir);
  std::sort(fds.begin(), fds.end());
  return fds;
}

// net_af_packet opens one socket per queue pair (the devargs' qpairs, default 1), in queue order
// and one after another, so with descriptors allocated lowest-free the n-th lowest of the
// interface's packet sockets is queue n's. Any other count means another owner: not used.
std::optional<int> af_packet_socket(const std::string& device, uint16_t queue) {
  const unsigned ifindex = ::if_nametoindex(devarg(device, "iface").c_str());
  if (ifindex == 0) return std::nullopt;
  const std::string qpairs = devarg(device, "qpairs");
  const std::size_t expected = qpairs.empty() ? 1 : std::strtoul(qpairs.c_str(), nullptr, 10);
  const std::vector<int> fds = descriptors_of(packet_socket_inodes(ifindex));
  if (fds.size() != expected || queue >= fds.size()) return std::nullopt;
  return fds[queue];
}

// The queue's interrupt descriptor, if the port was started with RX interrupts and has one.
// ethdev logs an error for a port without: asking is not one here, so its log is muted meanwhile.
std::optional<int> interrupt_fd(uint16_t port, uint16_t queue) {
  rte_eth_conf conf{};
  if (rte_eth_dev_conf_get(port, &conf) != 0 || conf.intr_conf.rxq == 0) return std::nullopt;
  const int ethdev_log = rte_log_register("lib.ethdev");
  const int level = ethdev_log >= 0 ? rte_log_get_level(ethdev_log) : -1;
  if (level >= 0) rte_log_set_level(uint32_t(ethdev_log), RTE_LOG_EMERG);
  const int fd = rte_eth_dev_rx_intr_ctl_q_get_fd(port, queue);
  if (level >= 0) rte_log_set_level(uint32_t(ethdev_log), uint32_t(level));
  if (fd < 0) return std::nullopt;
  return fd;
}

} // namespace

std::optional<rx_wakeup> find_rx_wakeup(uint16_t port, uint16_t queue, const std::string& device) {
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(port, &info) != 0 || info.driver_name == nullptr) return std::nullopt;
  if (std::string(info.driver_name) == "net_af_packet") {
    if (const auto fd = af_packet_socket(device, queue))
      return rx_wakeup{.how = rx_wakeup::kind::socket, .port = port, .queue = queue, .fd = *fd};
    return std::nullopt;
  }
  if (const auto fd = interrupt_fd(port, queue))
    return rx_wakeup{.how = rx_wakeup::kind::interrupt, .port = port, .queue = queue, .fd = *fd};
  return std::nullopt;
}

} // namespace sluice
