#include "control/daemon/daemon.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <memory>
#include <vector>

#include "control/admin/mempools.hpp"
#include "control/admin/server.hpp"
#include "control/announce/bgp_announcer.hpp"
#include "control/daemon/control_plane.hpp"
#include "control/daemon/dataplane_setup.hpp"
#include "control/daemon/interfaces.hpp"
#include "control/daemon/service_manager.hpp"
#include "control/daemon/workers_polling.hpp"
#include "control/health/prober.hpp"
#include "control/exception/kernel_twins.hpp"
#include "control/k8s/runner.hpp"
#include "control/log/log.hpp"
#include "dataplane/assembly/assembly.hpp"
#include "dataplane/assembly/mbuf_budget.hpp"
#include "dataplane/trace/hub.hpp"

namespace sluice {
namespace {

// The DPDK ports the workers poll: every interface and its kernel twin, if it has one.
unsigned polled_ports(const config& c) {
  unsigned n = unsigned(c.interfaces.size());
  for (const interface_config& i : c.interfaces) n += i.exception_path ? 1 : 0;
  return n;
}

// The first `workers` worker lcores, in EAL's order.
std::vector<unsigned> worker_lcores(unsigned workers) {
  std::vector<unsigned> out;
  unsigned lcore = 0;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (out.size() == workers) break;
    out.push_back(lcore);
  }
  return out;
}

// Each worker's wake-ups, logged with the queues that have none: a sleeping worker sees those
// only when its sleep ends.
void log_idle_wakeups(const config& cfg, const dataplane_setup& dp,
                      const std::vector<port_info>& ports,
                      const std::vector<std::optional<exception_port>>& twins) {
  for (unsigned w = 0; w < dp.workers.size(); ++w) {
    const std::vector<rx_wakeup>& wakeups = dp.workers[w].idle.wakeups;
    std::string without;
    auto note = [&](uint16_t port, const std::string& name) {
      if (std::none_of(wakeups.begin(), wakeups.end(),
                       [port](const rx_wakeup& r) { return r.port == port; }))
        without += (without.empty() ? "" : ",") + name;
    };
    for (std::size_t i = 0; i < ports.size(); ++i) {
      note(ports[i].port_id, cfg.interfaces[i].name);
      if (i < twins.size() && twins[i]) note(twins[i]->port, cfg.interfaces[i].name + ".tap");
    }
    log::info("msg=\"idle: adaptive\" worker={} woken_by_packets={} sleep_bound_us={} "
              "seen_at_sleep_end=\"{}\"",
              w, wakeups.size(), cfg.dataplane.idle_max_sleep_us, without);
  }
}

// A worker that has not polled by then is stuck (an lcore that never took it): start-up fails
// rather than leave the unit "activating" until systemd's start timeout.
constexpr std::chrono::seconds k_worker_start_timeout{10};

std::string forwarding_status(unsigned workers, std::size_t interfaces) {
  return fmt::format("forwarding (workers: {}, interfaces: {})", workers, interfaces);
}

// Owns what rte_eal_init() started; cleans up in reverse order on every exit path.
struct eal_session {
  bool up = false;
  std::vector<uint16_t> ports;
  rte_mempool* pool = nullptr;
  ~eal_session() {
    for (uint16_t p : ports) close_port(p);
    rte_mempool_free(pool);
    if (up) rte_eal_cleanup();
  }
};

} // namespace

int run_daemon(const std::string& config_path, const config& cfg) {
  // Block the signals before EAL starts its threads, so that they inherit the mask and only
  // the main thread's sigtimedwait() receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::string> args{"sluiced"};
  args.insert(args.end(), cfg.dataplane.eal_args.begin(), cfg.dataplane.eal_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());

  eal_session eal;
  if (rte_eal_init(int(argv.size()), argv.data()) < 0) {
    log::error("msg=\"EAL init failed\" field=dataplane.eal_args reason=\"{}\"",
               rte_strerror(rte_errno));
    service_manager::status(std::string("EAL init failed: ") + rte_strerror(rte_errno));
    return 1;
  }
  eal.up = true;
  const unsigned workers = cfg.dataplane.workers;
  if (rte_lcore_count() < workers + 1) {
    log::error("msg=\"not enough lcores\" field=dataplane.workers workers={} lcores={} "
               "hint=\"give eal_args -l one core more than workers\"",
               workers, rte_lcore_count());
    service_manager::status("not enough lcores for dataplane.workers");
    return 1;
  }

  try {
    eal.pool = rte_pktmbuf_pool_create("sluice_mbufs", mbufs_needed(polled_ports(cfg), workers),
                                       256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
    if (eal.pool == nullptr)
      throw std::runtime_error(std::string("mbuf pool: ") + rte_strerror(rte_errno));

    const std::vector<port_info> ports = open_interfaces(cfg, eal.pool, eal.ports);
    for (std::size_t i = 0; i < ports.size(); ++i)
      log::info("msg=\"interface up\" name={} device=\"{}\" port={}", cfg.interfaces[i].name,
                cfg.interfaces[i].device, ports[i].port_id);
    const auto twins = open_kernel_twins(cfg, ports, workers, eal.pool, eal.ports);

    dataplane_setup setup = make_dataplane_setup(cfg, ports, twins, eal.pool, worker_lcores(workers));
    if (cfg.dataplane.idle == idle_mode::adaptive) log_idle_wakeups(cfg, setup, ports, twins);
    dataplane_assembly dataplane(std::move(setup));
    control_plane control(config_path, cfg, ports, dataplane.publisher(), dataplane.stats_view());
    // Every pool exists by now: the packet mbufs and each worker's reassembly buffers.
    control.take_mempools(process_mempools());
    dataplane.launch(); // on a way out by exception, the assembly stops them as it goes
    if (const auto stuck = wait_workers_polling(dataplane.stats_view(), k_worker_start_timeout))
      throw std::runtime_error(fmt::format("worker {} did not start polling within {} s", *stuck,
                                           k_worker_start_timeout.count()));

    control.take_flow_requests(dataplane.commands());
    control.take_trace(dataplane.trace());
    log::info("msg=\"forwarding\" workers={} interfaces={} services={}", workers,
              cfg.interfaces.size(), cfg.services.size());

    {
      // Health checks run on their own thread and report into the control plane; it is joined
      // last in this scope (after the admin API and the Kubernetes thread, which may still hand
      // it targets), and detached from the control plane first.
      health::prober probes(
          [&control](const std::vector<health::probe_result>& r) { control.on_probe_results(r); });
      control.take_prober(&probes);
      struct prober_detach {
        control_plane& c;
        ~prober_detach() { c.take_prober(nullptr); }
      } detach_probes{control};
      // The Kubernetes control thread (if configured) feeds the control plane beside the file;
      // it is stopped and joined on the way out, before the control plane and workers go.
      std::unique_ptr<k8s::runner> kubernetes;
      if (cfg.kubernetes.enabled) kubernetes = std::make_unique<k8s::runner>(cfg, control);
      admin_server admin(cfg.admin.socket,
                         [&control](const admin_request& r) { return control.handle(r); });
      log::info("msg=\"admin API listening\" socket={}", cfg.admin.socket);
      admin_server metrics(tcp_address{cfg.admin.metrics}, [&control](const admin_request& r) {
        return control.handle_metrics(r);
      });
      log::info("msg=\"metrics listening\" address={}", cfg.admin.metrics);
      // Started once the workers run: a VIP is announced only while it can be forwarded.
      std::unique_ptr<bgp_announcer> bgp;
      auto announce = [&] {
        bgp->announce(control.eligible_vips());
        control.note_bgp(bgp->announced(), bgp->failures());
      };
      if (cfg.announce.bgp.enabled) {
        bgp = std::make_unique<bgp_announcer>(cfg.announce.bgp);
        announce();
      }
      // Ready for systemd only now: ports started, every worker polling, the admin API and the
      // metrics answering, announcements under way.
      service_manager::ready(forwarding_status(workers, cfg.interfaces.size()));
      // The main thread waits for signals and, between them, runs the control plane's timers.
      const timespec tick{.tv_sec = 0, .tv_nsec = 200'000'000};
      for (;;) {
        const int sig = sigtimedwait(&signals, nullptr, &tick);
        if (sig < 0) {
          control.tick();
          if (bgp) announce();
        } else if (sig == SIGHUP) {
          log::info("msg=\"SIGHUP: reloading\" file={}", config_path);
          service_manager::reloading();
          const std::size_t problems = control.reload().size();
          // Ready again either way: a refused file leaves the running configuration serving.
          service_manager::ready(
              problems == 0 ? forwarding_status(workers, cfg.interfaces.size())
                            : fmt::format("{}; last reload refused (problems: {}, see the log)",
                                          forwarding_status(workers, cfg.interfaces.size()),
                                          problems));
        } else if (sig == SIGINT || sig == SIGTERM) {
          log::info("msg=\"stopping\" signal={}", sig);
          service_manager::stopping();
          // Graceful: routers stop sending before the workers stop forwarding.
          if (bgp) bgp->withdraw_and_wait();
          break;
        }
      }
    }
    dataplane.stop(); // started after the control plane, stopped before it
  } catch (const std::exception& e) {
    log::error("msg=\"start-up failed\" reason=\"{}\"", e.what());
    service_manager::status(std::string("start-up failed: ") + e.what());
    return 1;
  }
  log::info("msg=\"stopped\"");
  return 0;
}

} // namespace sluice
