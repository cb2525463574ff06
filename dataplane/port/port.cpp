#include "dataplane/port/port.hpp"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace sluice {
namespace {

constexpr uint16_t k_mtu = 1500;

// A memif server that died leaves its socket file behind, and the next probe fails with
// "Address already in use". Remove the file when nothing listens on it any more.
void remove_stale_memif_socket(const std::string& device) {
  if (device.rfind("net_memif", 0) != 0 || devarg(device, "role") == "client" ||
      devarg(device, "socket-abstract") != "no")
    return;
  const std::string path = devarg(device, "socket");
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) return;
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return;
  const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  const bool refused = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
                       errno == ECONNREFUSED;
  ::close(fd);
  if (refused) ::unlink(path.c_str());
}

[[noreturn]] void fail(const std::string& device, const std::string& what, int err) {
  throw std::runtime_error("interface device \"" + device + "\": " + what + ": " +
                           rte_strerror(err < 0 ? -err : err));
}

} // namespace

std::string devarg(const std::string& device, const std::string& key) {
  const std::string needle = "," + key + "=";
  const auto at = ("," + device).find(needle);
  if (at == std::string::npos) return "";
  const auto begin = at + needle.size() - 1;
  return device.substr(begin, device.find(',', begin) - begin);
}

namespace {

port_info configure_and_start(uint16_t port, const std::string& device, unsigned queues,
                              rte_mempool* pool, rx_use use, const rte_eth_dev_info& info,
                              bool rx_irq) {
  rte_eth_conf conf{};
  conf.intr_conf.rxq = rx_irq ? 1 : 0;
  const uint64_t rss = info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
  if (queues > 1 && rss != 0) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rss;
  }
  conf.rxmode.offloads |= rx_checksum_offloads(info.rx_offload_capa, use);
  if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
    conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
  if (int rc = rte_eth_dev_configure(port, static_cast<uint16_t>(queues),
                                     static_cast<uint16_t>(queues), &conf);
      rc != 0)
    fail(device, "configure", rc);

  uint16_t rx_desc = k_rx_desc;
  uint16_t tx_desc = k_tx_desc;
  if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx_desc, &tx_desc); rc != 0)
    fail(device, "descriptor counts", rc);
  const int socket = rte_eth_dev_socket_id(port);
  for (uint16_t q = 0; q < queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(port, q, rx_desc, socket, nullptr, pool); rc != 0)
      fail(device, "RX queue " + std::to_string(q), rc);
    rte_eth_txconf txconf = info.default_txconf;
    txconf.offloads = conf.txmode.offloads;
    if (int rc = rte_eth_tx_queue_setup(port, q, tx_desc, socket, &txconf); rc != 0)
      fail(device, "TX queue " + std::to_string(q), rc);
  }
  // Some PMDs (memif) cannot set an MTU; their fixed one is fine for us.
  if (int rc = rte_eth_dev_set_mtu(port, k_mtu); rc != 0 && rc != -ENOTSUP)
    fail(device, "MTU " + std::to_string(k_mtu), rc);
  if (int rc = rte_eth_dev_start(port); rc != 0) fail(device, "start", rc);

  port_info out{.port_id = port, .mac = {}};
  rte_eth_macaddr_get(port, &out.mac);
  return out;
}

} // namespace

port_info open_port(const std::string& device, unsigned queues, rte_mempool* pool, rx_use use,
                    rx_interrupts irq) {
  // The port's name is the devargs up to the first comma ("net_af_packet0", "0000:01:00.0").
  const std::string name = device.substr(0, device.find(','));
  uint16_t port = 0;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &port) != 0) {
    remove_stale_memif_socket(device);
    const int rc = rte_dev_probe(device.c_str());
    if (rc != 0 && rc != -EEXIST) fail(device, "probe failed", rc);
    if (rte_eth_dev_get_port_by_name(name.c_str(), &port) != 0)
      fail(device, "probed, but no ethdev port is named \"" + name + "\"", ENODEV);
  }
  return start_port(port, device, queues, pool, use, irq);
}

port_info start_port(uint16_t port, const std::string& device, unsigned queues,
                     rte_mempool* pool, rx_use use, rx_interrupts irq) {
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(port, &info); rc != 0) fail(device, "device info", rc);
  if (queues > info.max_rx_queues || queues > info.max_tx_queues)
    fail(device,
         "needs " + std::to_string(queues) + " queue pairs (one per worker), device offers " +
             std::to_string(std::min(info.max_rx_queues, info.max_tx_queues)) +
             " (af_packet: add qpairs=N to the devargs)",
         EINVAL);
  if (irq == rx_interrupts::requested) {
    // Interrupts are an optimisation of idle workers: a device that cannot start with them
    // (no interrupt vectors) starts without, and its workers sleep on a timer instead.
    try {
      return configure_and_start(port, device, queues, pool, use, info, true);
    } catch (const std::runtime_error&) {
      rte_eth_dev_stop(port);
    }
  }
  return configure_and_start(port, device, queues, pool, use, info, false);
}

const char* accept_multicast(uint16_t port, std::span<const rte_ether_addr> groups) noexcept {
  std::vector<rte_ether_addr> list(groups.begin(), groups.end());
  if (rte_eth_dev_set_mc_addr_list(port, list.data(), uint32_t(list.size())) == 0) return "filter";
  if (rte_eth_allmulticast_enable(port) == 0) return "allmulticast";
  return "none";
}

void close_port(uint16_t port_id) noexcept {
  rte_eth_dev_stop(port_id);
  rte_eth_dev_close(port_id);
}

} // namespace sluice
