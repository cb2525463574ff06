#pragma once
// The Kubernetes control thread: watchers (k8s/watch.hpp) decode objects and queue them; the
// mapping loop applies each batch to an incremental mapper (k8s/incremental.hpp), which re-maps
// only what the batch can change, and hands `publish` what changed. Status patches go to a
// writer of their own (k8s/status_writer.hpp), so a slow or failing API server never holds the
// mapping back; Events are posted from here.
//
// Nothing is published until the first LIST of Services and of EndpointSlices (and of Nodes
// with backends: nodes) has completed: a half-read cluster would delete live services. When
// the API server goes away nothing is published either, so the last state keeps forwarding.

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "control/config/model.hpp"
#include "control/k8s/incremental.hpp"
#include "control/k8s/objects.hpp"
#include "control/k8s/status_writer.hpp"
#include "control/k8s/trigger_times.hpp"
#include "control/k8s/watch.hpp"

namespace sluice::k8s {

// What `publish` is handed: the virtual services that changed, or (whole) all of them.
struct service_changes {
  bool whole = false; // upserts is the whole set: anything else published before is gone
  std::vector<service_config> upserts;
  std::vector<std::string> removed; // names
};

class sync final : public watch_sink {
public:
  // Returns false when the control plane did not take every change (a clash with a configured
  // service, no slots left): the next publication is whole, so what was left out is offered again.
  using publish_fn = std::function<bool(service_changes)>;
  // Network programming latencies in seconds (k8s/trigger_times.hpp), each time a publication
  // that every worker now runs held EndpointSlice changes with a trigger time.
  using programmed_fn = std::function<void(const std::vector<double>&)>;

  sync(kubernetes_config cfg, std::vector<address_pool_config> pools, api_client& api,
       publish_fn publish, watch_options opt = {}, status_writer_options writer = {},
       programmed_fn programmed = {});

  // Runs the watchers and the mapping loop until `stop`.
  void run(const std::atomic<bool>& stop);

  void listed(resource r, std::vector<nlohmann::json> items) override;
  void changed(resource r, const std::string& type, const nlohmann::json& object) override;
  void trouble(resource r, const std::string& what) override;

  const status_writer_counters& status_counters() const noexcept { return writer_.counters(); }
  // The collections watched (nodes only with backends: nodes) and each one's counters.
  std::vector<resource> watched() const;
  const watch_counters& counters(resource r) const noexcept { return counters_[std::size_t(r)]; }

private:
  // One decoded change from a watcher, applied by the mapping loop.
  struct cache_change {
    enum class op : uint8_t { put, erase, relist } kind;
    std::vector<std::variant<service, endpoint_slice, node>> objects; // put: one; relist: all
    resource r;
    std::string key; // erase: "ns/name" (nodes: name)
  };

  bool ready() const; // requires mu_
  void queue(cache_change c);
  void apply(cache_change& c);
  void reconcile();
  void post_events(const std::vector<service_event>& events);

  kubernetes_config cfg_;
  std::vector<address_pool_config> pools_;
  api_client& api_;
  publish_fn publish_;
  programmed_fn programmed_;
  watch_options opt_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<cache_change> queue_;
  std::set<resource> listed_;
  std::array<watch_counters, k_resource_count> counters_;

  // Owned by the mapping loop.
  incremental_mapper mapper_;
  bool publish_whole_ = false; // the last publication was not all taken
  trigger_times triggers_{wall_clock::now()};
  status_writer writer_;
};

} // namespace sluice::k8s
