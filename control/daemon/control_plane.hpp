#pragma once
// The control plane: the roles that keep the dataplane in line with what is wanted, behind one
// lock. Each role is a file of its own:
//   desired/desired_state  — the one merge of the file, runtime changes and service sources into
//                            the applied config, compiled and published as snapshots
//   desired/sources        — which services each source (Kubernetes) owns; the clash rule
//   health/controller      — health check verdicts, availability, failed backends' drains
//   announce/controller    — gratuitous ARPs on publication, the BGP announcer's report
//   admin/routes           — the admin API's (method, path) table; handlers below
// Every method is called from a control thread (admin server, Kubernetes sync, prober, main
// loop) and serialised by one mutex; workers never touch this object.

#include <chrono>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "control/admin/http_types.hpp"
#include "control/admin/mempools.hpp"
#include "control/admin/metrics.hpp"
#include "control/admin/routes.hpp"
#include "control/announce/controller.hpp"
#include "control/desired/desired_state.hpp"
#include "control/health/controller.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"
#include "dataplane/trace/hub.hpp"

namespace sluice {

namespace health {
class prober;
}
namespace k8s {
class sync;
}

class control_plane : private admin_handlers {
public:
  // Compiles and publishes `initial`. Throws compile_error when it does not fit the dataplane.
  control_plane(std::string config_path, config initial, std::vector<port_info> ports,
                snapshot_publisher& publisher, std::vector<const worker_stats*> stats);

  // SIGHUP: re-reads the config file and applies it whole, or changes nothing and returns the
  // problems (one "file:line: field: message" string each).
  std::vector<std::string> reload();

  // From now on, answer GET /v1/flows and DELETE ... "flush" through the workers' command rings
  // (which must outlive this object). Without it those requests are refused with 503.
  void take_flow_requests(const command_rings& rings);
  // From now on, answer POST and GET /v1/trace by arming sessions on `hub` (which must outlive
  // this object). Without it those requests are refused with 503.
  void take_trace(trace_hub& hub);

  // Replaces the services contributed by `source` (the Kubernetes sync) beside the file's and
  // runtime ones. A service whose name, or address + port + protocol, is already taken by a
  // service of another source is left out; the rest are applied (one service at a time when few
  // changed, else in one compile). Returns what was left out or refused; on a compile refusal the
  // services applied before it stay. The file's reload keeps these services.
  std::vector<std::string> replace_source_services(const std::string& source,
                                                   std::vector<service_config> services);
  // The same for a change of the source's services: `upserts` added or changed (by name),
  // `removed` gone. Costs one pass over the applied services plus a per-service recompile of
  // each change when few change (a watch event).
  std::vector<std::string> change_source_services(const std::string& source,
                                                  std::vector<service_config> upserts,
                                                  std::vector<std::string> removed);

  // Network programming latencies (k8s/sync.hpp: from an EndpointSlice's change trigger time to
  // every worker running it), for GET /metrics (sluice_network_programming_duration_seconds).
  void note_programming_latencies(std::span<const double> seconds);

  // The VIPs this appliance may announce now (announce/eligible_vips.hpp), Kubernetes
  // services included; backends their health check holds down do not count.
  std::vector<uint32_t> eligible_vips();
  // What the BGP announcer reports, for GET /metrics (sluice_bgp_*).
  void note_bgp(std::vector<uint32_t> announced, uint64_t apply_failures);

  // From now on, run the services' health checks on `p` (which must outlive this object, or
  // be detached with nullptr first). Without it no check runs and every backend counts as up.
  void take_prober(health::prober* p);
  // From now on, GET /metrics carries the sync's sluice_k8s_* families (`s` must outlive this
  // object, or be detached with nullptr first).
  void take_kubernetes(const k8s::sync* s);
  // From now on, GET /v1/stats and GET /metrics report these pools' use (admin/mempools.hpp;
  // they must outlive this object). Without it neither lists a pool.
  void take_mempools(std::vector<const rte_mempool*> pools);
  // Results of health checks (from the prober's thread): counts them and, when a backend
  // crosses its rise or fall threshold, logs the transition and recompiles its service with or
  // without it.
  void on_probe_results(const std::vector<health::probe_result>& results);
  // The announcers' contract: see control/health/health_state.hpp.
  bool service_available(const std::string& service_name);
  void watch_availability(health::availability_callback cb);

  // Periodic work (call every few hundred milliseconds): due gratuitous ARPs, and the flush of
  // removed (or health-failed) backends' flows whose drain_timeout has passed.
  void tick();

  // The admin API (Unix socket), routed by admin/routes.hpp.
  admin_response handle(const admin_request& req);
  // The metrics endpoint (TCP): GET /metrics only.
  admin_response handle_metrics(const admin_request& req);

private:
  // admin_handlers, each called by handle() without the lock held.
  api::service_list list_services() override;
  api::stats_report stats() override;
  api::acl_report acls() override;
  std::string metrics() override;
  admin_response reload_file() override;
  admin_response change(const runtime_change& c) override;
  admin_response refuse_change(change_kind kind, std::vector<std::string> errors) override;
  admin_response flows(const api::flows_query& q) override;
  admin_response lookup(const api::lookup_query& q) override; // daemon/lookup.cpp
  admin_response start_trace(const api::trace_request& r) override; // daemon/trace.cpp
  admin_response read_trace(const api::trace_query& q) override;
  // Disarms a session that is over, past its time or no longer read (tick()).
  void end_finished_trace(std::chrono::steady_clock::time_point now);
  admin_response change_locked(const runtime_change& c);

  std::mutex mu_;
  // Tracing (daemon/trace.cpp), under its own lock: a trace read never waits for a compile.
  struct trace_desk {
    trace_hub* hub = nullptr;
    uint64_t id = 0;        // the current (or last) session's
    uint64_t start_tsc = 0;
    uint64_t lost_at_start = 0;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::steady_clock::time_point last_read;
  };
  std::mutex trace_mu_;
  trace_desk trace_;
  std::vector<const worker_stats*> stats_;
  control_metrics metrics_;
  const k8s::sync* kubernetes_ = nullptr;
  std::vector<const rte_mempool*> mempools_;
  health::controller health_;
  announcement_controller announce_{metrics_};
  desired_state desired_; // last: publishing the initial config tells the two above
};

} // namespace sluice
