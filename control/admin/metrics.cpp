#include "control/admin/metrics.hpp"

#include "control/admin/idle_share.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>

#include <vector>

#include "control/acl/view.hpp"
#include "control/admin/exposition.hpp"
#include "control/admin/traffic_sum.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

struct traffic_row {
  std::string labels; // service="web",vip="10.0.0.100",port="80",protocol="tcp"[,backend=".."]
  traffic_sum t;
  uint16_t weight = 0;
  const health::backend_health* health = nullptr; // backends of checked services
};

void health_families(exposition& e, const std::vector<traffic_row>& backends) {
  e.family("sluice_backend_up", "gauge",
           "1 while the scheduler may pick the backend by its health (up, unknown or unchecked), "
           "0 while its health check holds it down.");
  for (const auto& r : backends)
    e.sample("sluice_backend_up", r.labels,
             r.health && r.health->counter.state() == health::backend_state::down ? 0 : 1);
  e.family("sluice_backend_health_checks_total", "counter",
           "Health checks of the backend by result (checked services only).");
  for (const auto& r : backends) {
    if (!r.health) continue;
    e.sample("sluice_backend_health_checks_total", r.labels + R"(,result="passed")",
             r.health->checks_passed);
    e.sample("sluice_backend_health_checks_total", r.labels + R"(,result="failed")",
             r.health->checks_failed);
  }
  e.family("sluice_backend_health_transitions_total", "counter",
           "Times the backend's health state changed (unknown to up counts too).");
  for (const auto& r : backends)
    if (r.health) e.sample("sluice_backend_health_transitions_total", r.labels, r.health->transitions);
}

// One family per traffic counter, each listing every row (services or backends).
void traffic_families(exposition& e, const std::string& prefix, std::string_view what,
                      const std::vector<traffic_row>& rows) {
  const std::string conns = prefix + "_connections_total";
  e.family(conns, "counter", fmt::format("New connections scheduled to the {}.", what));
  for (const auto& r : rows) e.sample(conns, r.labels, r.t.conns);

  const std::string packets = prefix + "_packets_total";
  e.family(packets, "counter",
           fmt::format("Packets through the {}; direction in is client to backend.", what));
  for (const auto& r : rows) {
    e.sample(packets, r.labels + ",direction=\"in\"", r.t.in_packets);
    e.sample(packets, r.labels + ",direction=\"out\"", r.t.out_packets);
  }
  const std::string bytes = prefix + "_bytes_total";
  e.family(bytes, "counter",
           fmt::format("Bytes through the {}; direction in is client to backend.", what));
  for (const auto& r : rows) {
    e.sample(bytes, r.labels + ",direction=\"in\"", r.t.in_bytes);
    e.sample(bytes, r.labels + ",direction=\"out\"", r.t.out_bytes);
  }
  const std::string active = prefix + "_active_connections";
  e.family(active, "gauge",
           fmt::format("Established TCP connections of the {} (ipvsadm ActiveConn).", what));
  for (const auto& r : rows) e.sample(active, r.labels, r.t.active);
  const std::string inactive = prefix + "_inactive_connections";
  e.family(inactive, "gauge",
           fmt::format("Other tracked connections of the {} (ipvsadm InActConn).", what));
  for (const auto& r : rows) e.sample(inactive, r.labels, r.t.inactive);
}

void worker_families(exposition& e, std::span<const worker_stats* const> workers,
                     const dataplane_config& dataplane) {
  const uint32_t flow_capacity = dataplane.flows_per_worker;
  auto label = [](std::size_t i) { return fmt::format("worker=\"{}\"", i); };
  for (std::size_t f = 0; f < k_worker_counter_count; ++f) {
    const worker_counter_info& info = k_worker_counter_infos[f];
    e.family(info.metric, info.type, info.help);
    for (std::size_t i = 0; i < workers.size(); ++i)
      e.sample(info.metric, label(i), (workers[i]->worker.*k_worker_counter_members[f]).get());
  }
  // Two drop reasons also as families of their own, beside the exception path's packet counts.
  struct drop_family {
    const char* name;
    const char* help;
    drop_reason reason;
  };
  static constexpr drop_family k_drop_families[] = {
      {"sluice_exception_to_kernel_rate_limited_total",
       "Packets for the kernel dropped by the exception path's rate limit.",
       drop_reason::exception_to_kernel_limited},
      {"sluice_exception_from_kernel_rate_limited_total",
       "Packets from the kernel dropped by the exception path's rate limit.",
       drop_reason::exception_from_kernel_limited},
  };
  for (const drop_family& d : k_drop_families) {
    e.family(d.name, "counter", d.help);
    for (std::size_t i = 0; i < workers.size(); ++i)
      e.sample(d.name, label(i), workers[i]->worker.drops[std::size_t(d.reason)].get());
  }
  e.family("sluice_worker_flow_table_capacity", "gauge", "Flows the worker's table can hold.");
  for (std::size_t i = 0; i < workers.size(); ++i)
    e.sample("sluice_worker_flow_table_capacity", label(i), uint64_t{flow_capacity});
  e.family("sluice_worker_half_open_limit", "gauge",
           "Half-open flows the worker may hold (dataplane.max_half_open).");
  for (std::size_t i = 0; i < workers.size(); ++i)
    e.sample("sluice_worker_half_open_limit", label(i), uint64_t{dataplane.half_open_limit()});
  e.family("sluice_worker_busy_ratio", "gauge",
           "Share of poll loop iterations since start that received packets (0..1); "
           "rate(sluice_worker_busy_polls_total) / rate(sluice_worker_polls_total) for a window.");
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const uint64_t polls = workers[i]->worker.polls.get();
    const uint64_t busy = workers[i]->worker.busy_polls.get();
    e.sample("sluice_worker_busy_ratio", label(i), polls ? double(busy) / double(polls) : 0.0);
  }
  e.family("sluice_worker_asleep_seconds_total", "counter",
           "Time the idle worker spent asleep (dataplane.idle: adaptive); its rate() is the "
           "share of the core given back.");
  for (std::size_t i = 0; i < workers.size(); ++i)
    e.sample("sluice_worker_asleep_seconds_total", label(i),
             double(workers[i]->worker.asleep_ns.get()) / 1e9);
  e.family("sluice_worker_asleep_ratio", "gauge",
           "Share of the worker's time since start spent asleep (0..1).");
  const uint64_t now = monotonic_ns();
  for (std::size_t i = 0; i < workers.size(); ++i)
    e.sample("sluice_worker_asleep_ratio", label(i), asleep_ratio(workers[i]->worker, now));
  // Every reason, zero or not: a series that appears only on the first drop breaks rate().
  e.family("sluice_drops_total", "counter",
           "Packets dropped by the worker, by reason (dataplane/stats/drop_reason.hpp).");
  for (std::size_t i = 0; i < workers.size(); ++i)
    for (std::size_t r = 0; r < k_drop_reason_count; ++r)
      e.sample("sluice_drops_total",
               fmt::format("worker=\"{}\",reason=\"{}\"", i, k_drop_reason_names[r]),
               workers[i]->worker.drops[r].get());
}

void acl_families(exposition& e, const config& applied, const snapshot& snap,
                  std::span<const worker_stats* const> workers) {
  e.family("sluice_acl_hits_total", "counter",
           "Flows decided by each ACL rule; rule=\"(default)\" is the set's default verdict.");
  for (const acl_hit_row& r : acl_hit_rows(applied, snap, workers))
    e.sample("sluice_acl_hits_total",
             fmt::format("set=\"{}\",rule=\"{}\",action=\"{}\"", escape_label(r.set),
                         escape_label(r.rule), name_of(r.action)),
             r.hits);
}

// The buckets cumulative, as the format wants them, then the sum and the count.
void histogram_family(exposition& e, const std::string& name, std::string_view help,
                      const histogram& h) {
  e.family(name, "histogram", help);
  const std::string bucket = name + "_bucket";
  const std::span<const double> bounds = h.upper_bounds();
  for (std::size_t i = 0; i < bounds.size(); ++i)
    e.sample(bucket, fmt::format("le=\"{}\"", bounds[i]), h.cumulative(i));
  e.sample(bucket, R"(le="+Inf")", h.count());
  e.sample(name + "_sum", "", h.sum());
  e.sample(name + "_count", "", h.count());
}

void control_families(exposition& e, const control_metrics& c) {
  e.family("sluice_control_config_generation", "gauge", "Generation of the published snapshot.");
  e.sample("sluice_control_config_generation", "", c.generation);
  e.family("sluice_control_publishes_total", "counter", "Snapshots compiled and published.");
  e.sample("sluice_control_publishes_total", "", c.publishes);
  e.family("sluice_control_publish_duration_seconds", "summary",
           "Time to compile and publish a snapshot, until the old one may be freed.");
  e.sample("sluice_control_publish_duration_seconds_sum", "", c.publish_seconds_sum);
  e.sample("sluice_control_publish_duration_seconds_count", "", c.publishes);
  e.family("sluice_control_changes_total", "counter",
           "Configuration changes by source (api: admin API, reload: the config file) and result.");
  e.sample("sluice_control_changes_total", R"(source="api",result="applied")",
           c.api_changes_applied);
  e.sample("sluice_control_changes_total", R"(source="api",result="refused")",
           c.api_changes_refused);
  e.sample("sluice_control_changes_total", R"(source="reload",result="applied")",
           c.reloads_applied);
  e.sample("sluice_control_changes_total", R"(source="reload",result="refused")",
           c.reloads_refused);
  histogram_family(e, "sluice_snapshot_publish_duration_seconds",
                   "Time to compile and publish a snapshot, until every worker runs it and the "
                   "old one may be freed.",
                   c.publish_seconds);
  // Named as Prometheus names its own (prometheus_config_last_reload_*).
  e.family("sluice_config_reloads_total", "counter",
           "Reloads of the config file (SIGHUP, POST /v1/reload) by result; a failure changed "
           "nothing.");
  e.sample("sluice_config_reloads_total", R"(result="success")", c.reloads_applied);
  e.sample("sluice_config_reloads_total", R"(result="failure")", c.reloads_refused);
  e.family("sluice_config_last_reload_successful", "gauge",
           "1 if the last load of the config file (at start or a reload) was applied, 0 if it "
           "was refused.");
  e.sample("sluice_config_last_reload_successful", "", c.last_reload_successful ? 1 : 0);
  e.family("sluice_config_last_reload_success_timestamp_seconds", "gauge",
           "Unix time the config file was last applied (at start or a reload).");
  e.sample("sluice_config_last_reload_success_timestamp_seconds", "",
           c.last_reload_success_unix);
}

void kubernetes_families(exposition& e, const control_metrics& c) {
  if (!c.kubernetes_enabled) return;
  histogram_family(e, "sluice_network_programming_duration_seconds",
                   "From an EndpointSlice's endpoints.kubernetes.io/last-change-trigger-time to "
                   "every worker running a snapshot with that change (kube-proxy's measure).",
                   c.programming_seconds);
}

void bgp_families(exposition& e, const control_metrics& c) {
  if (!c.bgp_enabled) return;
  e.family("sluice_bgp_announced", "gauge",
           "1 for every VIP that BIRD announces to the BGP peers now (announce.bgp).");
  for (uint32_t vip : c.bgp_announced)
    e.sample("sluice_bgp_announced", fmt::format(R"(vip="{}")", format_ipv4(vip)), uint64_t{1});
  e.family("sluice_bgp_apply_failures_total", "counter",
           "Announcement changes BIRD could not be given (BIRD down or refusing); retried.");
  e.sample("sluice_bgp_apply_failures_total", "", c.bgp_apply_failures);
}

} // namespace

std::string render_metrics(const config& applied, const snapshot& snap,
                           std::span<const worker_stats* const> workers,
                           const control_metrics& control,
                           const health::health_table* health) {
  std::vector<traffic_row> services, backends;
  for (std::size_t i = 0; i < snap.services.size() && i < applied.services.size(); ++i) {
    const service_config& sc = applied.services[i];
    const snapshot_service& ss = snap.services[i];
    const std::string labels =
        fmt::format(R"(service="{}",vip="{}",port="{}",protocol="{}")", escape_label(sc.name),
                    format_ipv4(sc.vip), ntohs(sc.port), sc.proto == IPPROTO_UDP ? "udp" : "tcp");
    services.push_back({labels, service_traffic(workers, ss.slot)});
    for (uint32_t k = 0; k < ss.backend_count; ++k) {
      const snapshot_backend& b = ss.block->backends[k];
      const health::backend_health* h =
          health != nullptr && sc.health_check ? health->find(backend_identity(sc, sc.backends[k]))
                                               : nullptr;
      backends.push_back({fmt::format(R"({},backend="{}:{}")", labels, format_ipv4(b.addr),
                                      ntohs(b.port)),
                          backend_traffic(workers, b.slot), b.weight, h});
    }
  }
  exposition e;
  traffic_families(e, "sluice_service", "service", services);
  traffic_families(e, "sluice_backend", "backend", backends);
  e.family("sluice_backend_weight", "gauge",
           "Scheduling weight of the backend (0: draining, or held down by its health check).");
  for (const auto& r : backends) e.sample("sluice_backend_weight", r.labels, uint64_t{r.weight});
  health_families(e, backends);
  worker_families(e, workers, applied.dataplane);
  acl_families(e, applied, snap, workers);
  control_families(e, control);
  kubernetes_families(e, control);
  bgp_families(e, control);
  return e.take();
}

std::string render_mempool_metrics(std::span<const api::mempool_report> pools) {
  exposition e;
  if (pools.empty()) return e.take();
  auto label = [](const api::mempool_report& p) {
    return fmt::format("pool=\"{}\"", escape_label(p.name));
  };
  e.family("sluice_mbuf_pool_size", "gauge", "Mbufs the pool was created with.");
  for (const api::mempool_report& p : pools) e.sample("sluice_mbuf_pool_size", label(p), p.size);
  e.family("sluice_mbuf_pool_in_use", "gauge",
           "Mbufs taken from the pool (in flight, in RX rings, TX queues or held by a worker); "
           "those in per-lcore caches count as free. Read while workers run: approximate.");
  for (const api::mempool_report& p : pools) e.sample("sluice_mbuf_pool_in_use", label(p), p.in_use);
  return e.take();
}

} // namespace sluice
