#include "control/k8s/sync_metrics.hpp"

#include "control/k8s/sync.hpp"

namespace sluice::k8s {
namespace {

std::string resource_label(resource r) { return fmt::format(R"(resource="{}")", name_of(r)); }

// One counter per watched collection.
template <typename Member>
void per_resource(exposition& e, const sync& s, std::string_view name, std::string_view help,
                  Member member) {
  e.family(name, "counter", help);
  for (resource r : s.watched()) e.sample(name, resource_label(r), (s.counters(r).*member).load());
}

// One counter per watched collection and cause, every cause listed.
template <std::size_t N>
void per_cause(exposition& e, const sync& s, std::string_view name, std::string_view help,
               const std::array<std::string_view, N>& causes,
               std::array<std::atomic<uint64_t>, N> watch_counters::*member) {
  e.family(name, "counter", help);
  for (resource r : s.watched())
    for (std::size_t c = 0; c < N; ++c)
      e.sample(name, fmt::format(R"({},cause="{}")", resource_label(r), causes[c]),
               (s.counters(r).*member)[c].load());
}

} // namespace

void sync_metric_families(exposition& e, const sync& s) {
  per_resource(e, s, "sluice_k8s_lists_total",
               "Complete LISTs of the collection: the first and every relist.",
               &watch_counters::lists);
  per_resource(e, s, "sluice_k8s_watches_total", "WATCH requests opened on the collection.",
               &watch_counters::watches);
  per_resource(e, s, "sluice_k8s_watch_events_total",
               "ADDED, MODIFIED and DELETED events received.", &watch_counters::events);
  per_resource(e, s, "sluice_k8s_watch_bookmarks_total", "BOOKMARK events received.",
               &watch_counters::bookmarks);
  per_cause(e, s, "sluice_k8s_sync_errors_total",
            "Failed LISTs and WATCHes by cause; each is retried with backoff (410: relisted).",
            k_api_error_names, &watch_counters::errors);
  per_cause(e, s, "sluice_k8s_relists_total",
            "Times the collection was listed again from the start, by cause.",
            k_relist_cause_names, &watch_counters::relists);
  const status_writer_counters& w = s.status_counters();
  e.family("sluice_k8s_status_writes_total", "counter",
           "LoadBalancer status writes by result: written, failed (retried with backoff), "
           "coalesced (replaced or already written), dropped (the Service was deleted).");
  e.sample("sluice_k8s_status_writes_total", R"(result="written")", w.written.load());
  e.sample("sluice_k8s_status_writes_total", R"(result="failed")", w.failed.load());
  e.sample("sluice_k8s_status_writes_total", R"(result="coalesced")", w.coalesced.load());
  e.sample("sluice_k8s_status_writes_total", R"(result="dropped")", w.dropped.load());
}

} // namespace sluice::k8s
