#include "control/daemon/daemon.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <vector>

#include "control/admin/server.hpp"
#include "control/announce/bgp_announcer.hpp"
#include "control/daemon/control_plane.hpp"
#include "control/daemon/worker_setup.hpp"
#include "control/health/prober.hpp"
#include "control/exception/kernel_twins.hpp"
#include "control/k8s/runner.hpp"
#include "control/log/log.hpp"
#include "dataplane/worker/worker.hpp"

namespace sluice {
namespace {

// Per port and queue: RX ring + TX ring + one burst in flight; plus what neighbour queues
// and ARP requests may hold per worker, and full hand-off rings between workers.
unsigned mbufs_needed(const config& c) {
  const unsigned per_queue = 1024 + 1024 + worker::k_burst;
  const unsigned per_worker = 1024 * neighbour::k_queue_len / 8 + 512;
  const unsigned w = c.dataplane.workers;
  const unsigned handoff = w > 1 ? w * (w - 1) * handoff_mesh::k_ring_size : 0;
  unsigned ports = unsigned(c.interfaces.size());
  for (const interface_config& i : c.interfaces) ports += i.exception_path ? 1 : 0; // the taps
  const unsigned n = ports * w * per_queue + w * per_worker + handoff + 4096;
  return n | 1023; // a power of two minus one suits the mempool ring best
}

// Stops the launched workers on every way out of the start-up scope, exceptions included,
// before the objects they use are destroyed.
struct worker_stopper {
  std::atomic<bool>& stop;
  ~worker_stopper() {
    stop.store(true, std::memory_order_relaxed);
    rte_eal_mp_wait_lcore();
  }
};

struct launch_arg {
  worker* w;
  const std::atomic<bool>* stop;
};

int worker_main(void* arg) {
  auto* a = static_cast<launch_arg*>(arg);
  a->w->run(*a->stop);
  return 0;
}

// The wake-ups of worker `index`'s RX queues (its queue on every port and kernel twin), logged
// with the queues that have none: a sleeping worker sees those only when its sleep ends.
std::vector<rx_wakeup> idle_wakeups(const config& cfg, const std::vector<port_info>& ports,
                                    const std::vector<std::optional<exception_port>>& twins,
                                    unsigned index) {
  std::vector<rx_wakeup> out;
  std::vector<std::string> without;
  auto add = [&](uint16_t port, const std::string& device, const std::string& name) {
    if (auto w = find_rx_wakeup(port, uint16_t(index), device))
      out.push_back(*w);
    else
      without.push_back(name);
  };
  for (std::size_t i = 0; i < ports.size(); ++i) {
    add(ports[i].port_id, cfg.interfaces[i].device, cfg.interfaces[i].name);
    if (i < twins.size() && twins[i]) add(twins[i]->port, "", cfg.interfaces[i].name + ".tap");
  }
  std::string list;
  for (const std::string& n : without) list += (list.empty() ? "" : ",") + n;
  log::info("msg=\"idle: adaptive\" worker={} woken_by_packets={} sleep_bound_us={} "
            "seen_at_sleep_end=\"{}\"",
            index, out.size(), cfg.dataplane.idle_max_sleep_us, list);
  return out;
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
    return 1;
  }
  eal.up = true;
  const unsigned workers = cfg.dataplane.workers;
  if (rte_lcore_count() < workers + 1) {
    log::error("msg=\"not enough lcores\" field=dataplane.workers workers={} lcores={} "
               "hint=\"give eal_args -l one core more than workers\"",
               workers, rte_lcore_count());
    return 1;
  }

  try {
    eal.pool = rte_pktmbuf_pool_create("sluice_mbufs", mbufs_needed(cfg), 256, 0,
                                       RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
    if (eal.pool == nullptr)
      throw std::runtime_error(std::string("mbuf pool: ") + rte_strerror(rte_errno));

    const bool adaptive = cfg.dataplane.idle == idle_mode::adaptive;
    std::vector<port_info> ports;
    for (const interface_config& i : cfg.interfaces) {
      ports.push_back(open_port(i.device, workers, eal.pool, rx_use::parsed,
                                adaptive ? rx_interrupts::requested : rx_interrupts::off));
      eal.ports.push_back(ports.back().port_id);
      log::info("msg=\"interface up\" name={} device=\"{}\" port={}", i.name, i.device,
                ports.back().port_id);
    }
    const auto twins = open_kernel_twins(cfg, ports, workers, eal.pool, eal.ports);

    snapshot_publisher publisher(workers);
    std::vector<std::unique_ptr<worker_stats>> stats;
    std::vector<const worker_stats*> stats_view;
    for (unsigned i = 0; i < workers; ++i) {
      stats.push_back(std::make_unique<worker_stats>(
          cfg.dataplane.max_services, cfg.dataplane.max_backends, cfg.dataplane.max_acl_rules));
      stats_view.push_back(stats.back().get());
    }
    control_plane control(config_path, cfg, ports, publisher, stats_view);

    std::unique_ptr<handoff_mesh> mesh;
    if (workers > 1) mesh = std::make_unique<handoff_mesh>(workers, int(rte_socket_id()));
    const command_rings commands(workers, int(rte_socket_id()));
    std::vector<uint16_t> port_ids;
    for (const port_info& p : ports) port_ids.push_back(p.port_id);
    std::vector<std::unique_ptr<worker>> pool;
    std::atomic<bool> stop{false};
    std::vector<launch_arg> launch(workers);
    worker_stopper stopper{stop};
    unsigned index = 0;
    unsigned lcore = 0;
    RTE_LCORE_FOREACH_WORKER(lcore) {
      if (index == workers) break;
      worker_setup setup =
          make_worker_setup(cfg, index, port_ids, eal.pool, int(rte_lcore_to_socket_id(lcore)));
      setup.mesh = mesh.get();
      setup.commands = &commands;
      setup.exception_ports = twins;
      if (adaptive) setup.idle.wakeups = idle_wakeups(cfg, ports, twins, index);
      pool.push_back(std::make_unique<worker>(setup, publisher, *stats[index]));
      launch[index] = {pool.back().get(), &stop};
      if (rte_eal_remote_launch(worker_main, &launch[index], lcore) != 0)
        throw std::runtime_error("cannot launch worker on lcore " + std::to_string(lcore));
      ++index;
    }
    control.take_flow_requests(commands);
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
      // The main thread waits for signals and, between them, runs the control plane's timers.
      const timespec tick{.tv_sec = 0, .tv_nsec = 200'000'000};
      for (;;) {
        const int sig = sigtimedwait(&signals, nullptr, &tick);
        if (sig < 0) {
          control.tick();
          if (bgp) announce();
        } else if (sig == SIGHUP) {
          log::info("msg=\"SIGHUP: reloading\" file={}", config_path);
          control.reload();
        } else if (sig == SIGINT || sig == SIGTERM) {
          log::info("msg=\"stopping\" signal={}", sig);
          // Graceful: routers stop sending before the workers stop forwarding.
          if (bgp) bgp->withdraw_and_wait();
          break;
        }
      }
    }
  } catch (const std::exception& e) {
    log::error("msg=\"start-up failed\" reason=\"{}\"", e.what());
    return 1;
  }
  log::info("msg=\"stopped\"");
  return 0;
}

} // namespace sluice
