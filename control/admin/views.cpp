#include "control/admin/views.hpp"

#include "control/admin/idle_share.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "control/admin/traffic_sum.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

api::traffic traffic_view(const traffic_sum& t) {
  return {.conns = t.conns,
          .in_packets = t.in_packets,
          .in_bytes = t.in_bytes,
          .out_packets = t.out_packets,
          .out_bytes = t.out_bytes};
}

// IPVS's names for the states a flow can be in (ipvsadm -Lc's "state" column).
const char* state_name(flow_state s) {
  switch (s) {
  case flow_state::udp: return "UDP";
  case flow_state::tcp_syn_recv: return "SYN_RECV";
  case flow_state::tcp_established: return "ESTABLISHED";
  case flow_state::tcp_fin_wait: return "FIN_WAIT";
  case flow_state::tcp_close: return "CLOSE";
  default: return "NONE";
  }
}

} // namespace

std::string endpoint_text(uint32_t addr, uint16_t port) {
  return format_ipv4(addr) + ":" + std::to_string(ntohs(port));
}

api::backend_health health_view(const health::backend_health& h) {
  return {.state = std::string(name_of(h.counter.state())),
          .check = h.target.check.kind == health_check_kind::http ? "http" : "tcp",
          .port = h.target.port,
          .streak = h.counter.streak(),
          .checks_passed = h.checks_passed,
          .checks_failed = h.checks_failed,
          .transitions = h.transitions,
          .last_detail = h.last_detail};
}

api::service_list services_view(const config& applied, const snapshot& snap,
                                std::span<const worker_stats* const> workers,
                                const health::health_table* health) {
  api::service_list list;
  for (std::size_t i = 0; i < snap.services.size() && i < applied.services.size(); ++i) {
    const service_config& sc = applied.services[i];
    const snapshot_service& ss = snap.services[i];
    api::service_status& s = list.services.emplace_back(api::service_status{
        .name = sc.name,
        .protocol = sc.proto == IPPROTO_TCP ? "tcp" : "udp",
        .address = format_ipv4(sc.vip),
        .port = ntohs(sc.port),
        .forwarding = std::string(name_of(sc.mode)),
        .scheduler = std::string(name_of(sc.scheduler)),
        .persistence_timeout = sc.persistence_timeout,
        .stats = traffic_view(service_traffic(workers, ss.slot))});
    for (uint32_t k = 0; k < ss.backend_count; ++k) {
      const snapshot_backend& b = ss.block->backends[k];
      const traffic_sum t = backend_traffic(workers, b.slot);
      const backend_config& bc = sc.backends[k];
      api::backend_status& row = s.backends.emplace_back(api::backend_status{
          .address = format_ipv4(b.addr),
          .port = ntohs(b.port),
          .weight = b.weight,
          .configured_weight = bc.weight,
          .active_conns = t.active,
          .inactive_conns = t.inactive,
          .stats = traffic_view(t)});
      if (health != nullptr && sc.health_check)
        if (const health::backend_health* h = health->find(backend_identity(sc, bc)))
          row.health = health_view(*h);
    }
  }
  return list;
}

api::stats_report stats_view(std::span<const worker_stats* const> workers) {
  api::stats_report report;
  const uint64_t now = monotonic_ns();
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const worker_counters& c = workers[i]->worker;
    api::worker_report& w = report.workers.emplace_back(api::worker_report{.worker = i});
    for (std::size_t f = 0; f < k_worker_counter_count; ++f)
      w.*api::k_worker_report_counters[f] = (c.*k_worker_counter_members[f]).get();
    w.running_us = running_ns(c, now) / 1000;
    w.asleep_us = c.asleep_ns.get() / 1000;
    for (std::size_t r = 0; r < k_drop_reason_count; ++r) {
      const std::string reason(k_drop_reason_names[r]);
      w.drops[reason] = c.drops[r].get();
      report.drops[reason] += c.drops[r].get();
    }
  }
  for (std::size_t r = 0; r < k_drop_reason_count; ++r) {
    report.drops.try_emplace(std::string(k_drop_reason_names[r]), 0);
    report.drop_descriptions[std::string(k_drop_reason_names[r])] =
        std::string(k_drop_reason_descriptions[r]);
  }
  return report;
}

api::flow_sample_list flows_view(const flow_request_result& r,
                                 const std::map<uint32_t, std::string>& service_names,
                                 uint32_t limit) {
  api::flow_sample_list list{.matched = r.matched};
  for (const worker_flow& wf : r.flows) {
    if (list.flows.size() == limit) break;
    const flow& f = wf.sample.record;
    const auto name = service_names.find(f.service_slot);
    list.flows.push_back({.worker = wf.worker,
                          .protocol = f.proto == IPPROTO_TCP ? "tcp" : "udp",
                          .state = state_name(f.state),
                          .client = endpoint_text(f.client_addr, f.client_port),
                          .virtual_ = endpoint_text(f.vip, f.vip_port),
                          .backend = endpoint_text(f.backend_addr, f.backend_port),
                          .forwarding = std::string(name_of(f.mode)),
                          .service = name == service_names.end() ? "" : name->second,
                          .expires_in_ms = wf.sample.expires_in_ms});
  }
  list.truncated = r.matched > list.flows.size();
  return list;
}

} // namespace sluice
