#pragma once
// The Kubernetes control thread: watchers (k8s/watch.hpp) fill a cache of Services,
// EndpointSlices and Nodes; on every change the whole cache is mapped again (k8s/mapping.hpp)
// and, when the services differ from the last ones handed over, `publish` receives them.
// Status patches and Events go back to the API server from here.
//
// Nothing is published until the first LIST of Services and of EndpointSlices (and of Nodes
// with backends: nodes) has completed: a half-read cluster would delete live services. When
// the API server goes away nothing is published either, so the last state keeps forwarding.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/k8s/mapping.hpp"
#include "control/k8s/objects.hpp"
#include "control/k8s/watch.hpp"

namespace sluice::k8s {

class sync final : public watch_sink {
public:
  using publish_fn = std::function<void(std::vector<service_config>)>;

  sync(kubernetes_config cfg, std::vector<address_pool_config> pools, api_client& api,
       publish_fn publish, watch_options opt = {});

  // Runs the watchers and the mapping loop until `stop`.
  void run(const std::atomic<bool>& stop);

  void listed(resource r, std::vector<nlohmann::json> items) override;
  void changed(resource r, const std::string& type, const nlohmann::json& object) override;
  void trouble(resource r, const std::string& what) override;

private:
  bool ready() const; // requires mu_
  void reconcile(const cluster_state& st);
  void write_status(const std::vector<status_patch>& patches);
  void post_events(const std::vector<service_event>& events);

  kubernetes_config cfg_;
  std::vector<address_pool_config> pools_;
  api_client& api_;
  publish_fn publish_;
  watch_options opt_;

  std::mutex mu_;
  std::condition_variable cv_;
  cluster_state state_;
  bool dirty_ = false;
  std::set<resource> listed_;

  // Owned by the mapping loop.
  std::map<std::string, uint32_t> allocations_;
  std::vector<service_config> published_;
  bool published_once_ = false;
  std::set<std::string> problems_logged_;
  std::set<service_event> events_sent_;
  std::map<std::string, std::string> status_written_; // "ns/name" → last patch body
};

} // namespace sluice::k8s
