#pragma once
// The desired state and its publication: holds the applied config, compiles it into snapshots,
// publishes them, and answers the admin API. All methods are called from control threads and
// serialised by one mutex; workers never touch this object.
//
// Runtime changes (admin API, like ipvsadm's) change the applied config only: the file is never
// written, and the next reload from it replaces them, as `ipvsadm-restore` would.

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "control/admin/http_types.hpp"
#include "control/admin/metrics.hpp"
#include "control/announce/l2_schedule.hpp"
#include "control/config/change.hpp"
#include "control/config/load.hpp"
#include "control/daemon/drains.hpp"
#include "control/daemon/flow_requests.hpp"
#include "control/health/health_state.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

namespace health {
class prober;
}

class control_plane {
public:
  // Compiles and publishes `initial`. Throws compile_error when it does not fit the dataplane.
  control_plane(std::string config_path, config initial, std::vector<port_info> ports,
                snapshot_publisher& publisher, std::vector<const worker_stats*> stats);

  // Re-reads the config file and applies it whole, or changes nothing and returns the problems
  // (one "file:line: field: message" string each).
  std::vector<std::string> reload();

  // Applies one runtime change (body: admin/api.hpp), or changes nothing and says why.
  admin_response change(change_kind kind, const std::string& body);

  // From now on, answer GET /v1/flows and DELETE ... "flush" through the workers' command rings
  // (which must outlive this object). Without it those requests are refused with 503.
  void take_flow_requests(const command_rings& rings);

  // Replaces the services contributed by `source` (the Kubernetes sync) beside the file's and
  // runtime ones. A service whose name, or address + port + protocol, is already taken by a
  // service of another source is left out; the rest are applied (one service at a time when few
  // changed, else in one compile). Returns what was left out or refused; on a compile refusal the
  // source's previous services stay. The file's reload keeps these services.
  std::vector<std::string> replace_source_services(const std::string& source,
                                                   std::vector<service_config> services);
  // The same for a change of the source's services: `upserts` added or changed (by name),
  // `removed` gone. Costs one pass over the applied services plus a per-service recompile of
  // each change when few change (a watch event); many are applied as replace_source_services.
  std::vector<std::string> change_source_services(const std::string& source,
                                                  std::vector<service_config> upserts,
                                                  std::vector<std::string> removed);

  // The VIPs this appliance may announce now (announce/eligible_vips.hpp), Kubernetes
  // services included; backends their health check holds down do not count.
  std::vector<uint32_t> eligible_vips();
  // What the BGP announcer reports, for GET /metrics (sluice_bgp_*).
  void note_bgp(std::vector<uint32_t> announced, uint64_t apply_failures);

  // From now on, run the services' health checks on `p` (which must outlive this object, or
  // be detached with nullptr first). Without it no check runs and every backend counts as up.
  void take_prober(health::prober* p);

  // Results of health checks (from the prober's thread): counts them and, when a backend
  // crosses its rise or fall threshold, logs the transition and recompiles its service with or
  // without it.
  void on_probe_results(const std::vector<health::probe_result>& results);

  // The announcers' contract: see control/health/health_state.hpp.
  bool service_available(const std::string& service_name);
  void watch_availability(health::availability_callback cb);

  // Periodic work (call every few hundred milliseconds): flushes the flows of removed (or
  // health-failed) backends whose drain_timeout has passed.
  void tick();

  // The admin API (Unix socket).
  admin_response handle(const admin_request& req);
  // The metrics endpoint (TCP): GET /metrics only.
  admin_response handle_metrics(const admin_request& req);

private:
  // Compiles and publishes `next`, then makes it the applied config; returns the time taken in
  // microseconds. Throws compile_error (nothing changed). Requires mu_.
  int64_t apply(config next);
  // Applies one service's change to the applied config, recompiling that service only; returns
  // the time taken in microseconds. Throws compile_error (nothing changed). Requires mu_.
  int64_t apply(service_delta change);
  // Up to this many changed services are recompiled one at a time; more, in one compile.
  static constexpr std::size_t k_few_source_changes = 16;
  std::vector<std::string> replace_source_locked(const std::string& source,
                                                 std::vector<service_config> services);
  // Applies per-service changes (indices into the applied services as they are now) in an
  // order that keeps each index valid; returns the time taken. Throws compile_error (the
  // changes before the refused one stay applied). Requires mu_.
  int64_t apply_deltas(std::vector<service_delta> deltas);
  void publish(std::unique_ptr<snapshot> next, std::chrono::steady_clock::time_point start);
  // After every applied change: hands the prober its new targets and tells the availability
  // watchers what changed. Requires mu_.
  void after_change(std::vector<std::pair<std::string, bool>> changed);
  // Recompiles applied_.services[index] with the health table's current verdicts. Requires mu_.
  void recompile_for_health(std::size_t index);
  // Queues the gratuitous ARPs due now for worker 0 (announce.l2). Requires mu_.
  void send_due_garps();
  admin_response flows(const std::string& target);
  // The workers' flows of what `d` removes (a service, or backends of one). Requires mu_,
  // before `d` is applied.
  std::vector<flow_filter> removed_by(const service_delta& d) const;

  std::mutex mu_;
  std::string path_;
  config applied_;
  std::vector<port_info> ports_;
  snapshot_publisher& publisher_;
  std::vector<const worker_stats*> stats_;
  slot_registries slots_;
  uint64_t generation_ = 0;
  unsigned runtime_changes_ = 0; // applied since the file was last loaded
  std::map<std::string, std::set<std::string>> sourced_; // source → names of its services
  control_metrics metrics_;
  const command_rings* commands_ = nullptr;
  drain_schedule drains_;
  health::health_table health_;
  health::availability_tracker availability_;
  std::vector<health::availability_callback> availability_watchers_;
  drain_schedule health_drains_; // backends taken out by their check, flushed after drain_timeout
  health::prober* prober_ = nullptr;
  l2_schedule garps_;
};

} // namespace sluice
