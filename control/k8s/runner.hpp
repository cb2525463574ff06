#pragma once
// sluiced's Kubernetes control thread: credentials from the config's `kubernetes:` key, the
// sync (k8s/sync.hpp) on its own thread, its services handed to the control plane as the
// "kubernetes" source and its counters to GET /metrics. Stopped and joined by the destructor.

#include <atomic>
#include <memory>
#include <thread>

#include "control/config/model.hpp"
#include "control/k8s/http.hpp"
#include "control/k8s/sync.hpp"

namespace sluice {

class control_plane;

namespace k8s {

class runner {
public:
  // Throws std::runtime_error when the credentials cannot be read (named kubeconfig key).
  runner(const config& cfg, control_plane& control);
  ~runner();
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;

private:
  control_plane& control_;
  std::unique_ptr<api_client> api_;
  std::unique_ptr<sync> sync_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace k8s
} // namespace sluice
