#pragma once
// Runs health checks: one thread, one epoll set, non-blocking sockets, so ten thousand backends
// cost one thread and never block the control plane or the admin API. Each target is checked
// every interval_ms (start to start), one check in flight per target; a check that has not
// ended after timeout_ms fails. Results go to `report` in batches, on the prober's thread, with
// no lock of the prober held (so `report` may take the control plane's lock while the control
// plane calls update()).
//
// Probes use the kernel's sockets: in production they leave through the kernel exception path
// (or a management interface) towards the backends.

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "control/health/health_state.hpp"

namespace sluice::health {

class prober {
public:
  using report_fn = std::function<void(const std::vector<probe_result>&)>;

  // Starts the thread. Throws std::system_error when epoll or eventfd cannot be created.
  explicit prober(report_fn report);
  // Stops the thread (an in-flight check is abandoned unreported) and joins it.
  ~prober();
  prober(const prober&) = delete;
  prober& operator=(const prober&) = delete;

  // Any thread. Starts (or, for a key already running, restarts with the new settings) the
  // added targets and stops the removed ones; a stopped target's in-flight check is never
  // reported.
  void update(health_table::changes c);

private:
  void run();

  report_fn report_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_; // guards mailbox_ only
  std::vector<health_table::changes> mailbox_;
  std::thread thread_;
};

} // namespace sluice::health
