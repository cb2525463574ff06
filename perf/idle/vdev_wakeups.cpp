// sluice-vdev-wakeups: what each DPDK device offers an idle worker, tested rather than read from
// the PMDs' feature lists (docs/IDLE.md keeps the results). For every
// devargs given, on queue 0: whether an RX interrupt can be had (intr_conf.rxq, then
// rte_eth_dev_rx_intr_ctl_q_get_fd and rte_eth_dev_rx_intr_enable), what sluiced would sleep on
// (find_rx_wakeup), whether the PMD gives a monitor address (rte_power's MONITOR mode needs one),
// and what rte_power_ethdev_pmgmt_queue_enable answers for MONITOR, PAUSE and SCALE. With
// --pause-cpu it then polls the first device's empty queue for 2 s three ways and prints the CPU
// time the polling thread used each time: flat out, under rte_power's PAUSE mode, and with
// sluice's idle policy and waiter (dataplane.idle: adaptive, timer only): what each gives back.
//
// Usage: sluice-vdev-wakeups [--pause-cpu] DEVARGS...   (run as root; EAL: -l 0-1 --in-memory)

// rte_power's PMD management and rte_eth_dev_conf_get() are experimental in DPDK 22.11.
#define ALLOW_EXPERIMENTAL_API 1

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_power_pmd_mgmt.h>

#include <sys/resource.h>
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dataplane/port/port.hpp"
#include "dataplane/port/rx_wakeup.hpp"
#include "dataplane/worker/worker.hpp"

namespace {

const char* answer(int rc) {
  static thread_local char buf[32];
  if (rc == 0) return "ok";
  std::snprintf(buf, sizeof buf, "%s", std::strerror(rc < 0 ? -rc : rc));
  return buf;
}

const char* wakeup_kind(const std::optional<sluice::rx_wakeup>& w) {
  if (!w) return "none (timer only)";
  return w->how == sluice::rx_wakeup::kind::interrupt ? "rx interrupt" : "socket readiness";
}

struct pause_run {
  uint16_t port;
  double seconds;
  bool adaptive = false; // rest with sluice's idle policy after each empty poll
  double cpu_seconds = 0;
  uint64_t polls = 0;
};

int poll_for_a_while(void* arg) {
  auto* r = static_cast<pause_run*>(arg);
  rte_mbuf* pkts[32];
  timespec start{}, now{};
  rusage before{};
  getrusage(RUSAGE_THREAD, &before);
  const uint64_t hz = rte_get_tsc_hz();
  const sluice::idle_setup defaults{};
  sluice::idle_policy policy(
      sluice::idle_timing::from_us(hz, defaults.spin_us, defaults.max_sleep_us));
  sluice::idle_waiter waiter({});
  clock_gettime(CLOCK_MONOTONIC, &start);
  do {
    const uint16_t n = rte_eth_rx_burst(r->port, 0, pkts, 32);
    rte_pktmbuf_free_bulk(pkts, n);
    ++r->polls;
    if (r->adaptive) {
      const sluice::idle_step step = policy.after_poll(n != 0, rte_rdtsc());
      if (step.action == sluice::idle_action::pause) rte_pause();
      if (step.action == sluice::idle_action::sleep) waiter.wait(step.ticks * 1000 / (hz / 1'000'000));
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while (double(now.tv_sec - start.tv_sec) + double(now.tv_nsec - start.tv_nsec) * 1e-9 <
           r->seconds);
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  auto seconds = [](const rusage& x) {
    return double(x.ru_utime.tv_sec + x.ru_stime.tv_sec) +
           double(x.ru_utime.tv_usec + x.ru_stime.tv_usec) * 1e-6;
  };
  r->cpu_seconds = seconds(u) - seconds(before);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> devices;
  bool pause_cpu = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--pause-cpu")
      pause_cpu = true;
    else
      devices.emplace_back(argv[i]);
  }
  if (devices.empty()) {
    std::fprintf(stderr, "usage: sluice-vdev-wakeups [--pause-cpu] DEVARGS...\n");
    return 2;
  }
  const char* eal[] = {"sluice-vdev-wakeups", "-l", "0-1", "--in-memory", "--no-pci",
                       "--log-level", "*:error"};
  if (rte_eal_init(int(std::size(eal)), const_cast<char**>(eal)) < 0) return 1;
  rte_mempool* pool =
      rte_pktmbuf_pool_create("wake_mbufs", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  if (pool == nullptr) return 1;
  const unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  std::vector<uint16_t> opened;
  for (const std::string& d : devices) {
    try {
      const sluice::port_info p =
          sluice::open_port(d, 1, pool, sluice::rx_use::parsed, sluice::rx_interrupts::requested);
      opened.push_back(p.port_id);
      rte_eth_conf conf{};
      rte_eth_dev_conf_get(p.port_id, &conf);
      const auto w = sluice::find_rx_wakeup(p.port_id, 0, d);
      const int enable = rte_eth_dev_rx_intr_enable(p.port_id, 0);
      if (enable == 0) rte_eth_dev_rx_intr_disable(p.port_id, 0);
      rte_power_monitor_cond cond{};
      const int monitor_addr = rte_eth_get_monitor_addr(p.port_id, 0, &cond);
      // rte_power wants the queue stopped while its callbacks are installed.
      rte_eth_dev_stop(p.port_id);
      std::string pmgmt;
      for (auto [name, mode] : {std::pair{"monitor", RTE_POWER_MGMT_TYPE_MONITOR},
                                std::pair{"pause", RTE_POWER_MGMT_TYPE_PAUSE},
                                std::pair{"scale", RTE_POWER_MGMT_TYPE_SCALE}}) {
        const int rc = rte_power_ethdev_pmgmt_queue_enable(lcore, p.port_id, 0, mode);
        if (rc == 0) rte_power_ethdev_pmgmt_queue_disable(lcore, p.port_id, 0);
        pmgmt += std::string(" ") + name + "=" + answer(rc);
      }
      rte_eth_dev_start(p.port_id);
      std::printf("%-44s intr_conf.rxq=%d rx_intr_enable=%s wakeup=%s monitor_addr=%s pmgmt:%s\n",
                  d.c_str(), conf.intr_conf.rxq, answer(enable), wakeup_kind(w),
                  answer(monitor_addr), pmgmt.c_str());
    } catch (const std::exception& e) {
      std::printf("%-44s cannot open: %s\n", d.c_str(), e.what());
    }
  }
  if (pause_cpu && !opened.empty()) {
    const uint16_t port = opened.front();
    auto report = [&](const char* how, const pause_run& run) {
      std::printf("%-34s on %s: the polling thread used %.2f s of CPU in %.1f s (%.0f %%), "
                  "%lu polls\n",
                  how, devices.front().c_str(), run.cpu_seconds, run.seconds,
                  100.0 * run.cpu_seconds / run.seconds, static_cast<unsigned long>(run.polls));
    };
    auto poll = [&](pause_run run) {
      rte_eal_remote_launch(poll_for_a_while, &run, lcore);
      rte_eal_mp_wait_lcore();
      return run;
    };
    report("flat out (dataplane.idle: poll)", poll({.port = port, .seconds = 2.0}));
    rte_eth_dev_stop(port);
    const int rc = rte_power_ethdev_pmgmt_queue_enable(lcore, port, 0, RTE_POWER_MGMT_TYPE_PAUSE);
    rte_eth_dev_start(port);
    report(rc == 0 ? "rte_power PAUSE" : "rte_power PAUSE (refused)",
           poll({.port = port, .seconds = 2.0}));
    rte_eth_dev_stop(port);
    rte_power_ethdev_pmgmt_queue_disable(lcore, port, 0);
    rte_eth_dev_start(port);
    report("sluice adaptive (timer, 1 ms bound)",
           poll({.port = port, .seconds = 2.0, .adaptive = true}));
  }
  for (uint16_t p : opened) sluice::close_port(p);
  rte_eal_cleanup();
  return 0;
}
