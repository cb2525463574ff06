#include "control/admin/views.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

struct traffic_sum {
  uint64_t conns = 0, in_packets = 0, in_bytes = 0, out_packets = 0, out_bytes = 0;
  uint64_t active = 0, inactive = 0;

  void add(const traffic_counters& t) {
    conns += t.conns.get();
    in_packets += t.in_packets.get();
    in_bytes += t.in_bytes.get();
    out_packets += t.out_packets.get();
    out_bytes += t.out_bytes.get();
    active += t.active.get();
    inactive += t.inactive.get();
  }

  nlohmann::json json() const {
    return {{"conns", conns},           {"in_packets", in_packets}, {"in_bytes", in_bytes},
            {"out_packets", out_packets}, {"out_bytes", out_bytes}};
  }
};

template <typename Pick>
traffic_sum sum(std::span<const worker_stats* const> workers, Pick pick) {
  traffic_sum s;
  for (const worker_stats* w : workers) s.add(pick(*w));
  return s;
}

} // namespace

nlohmann::json services_view(const config& applied, const snapshot& snap,
                             std::span<const worker_stats* const> workers) {
  nlohmann::json services = nlohmann::json::array();
  for (std::size_t i = 0; i < snap.services.size() && i < applied.services.size(); ++i) {
    const service_config& sc = applied.services[i];
    const snapshot_service& ss = snap.services[i];
    nlohmann::json backends = nlohmann::json::array();
    for (uint32_t k = 0; k < ss.backend_count; ++k) {
      const snapshot_backend& b = snap.backends[ss.first_backend + k];
      const traffic_sum t = sum(workers, [&](const worker_stats& w) -> const traffic_counters& {
        return w.backends[b.slot];
      });
      backends.push_back({{"address", format_ipv4(b.addr)},
                          {"port", ntohs(b.port)},
                          {"weight", b.weight},
                          {"active_conns", t.active},
                          {"inactive_conns", t.inactive},
                          {"stats", t.json()}});
    }
    const traffic_sum t = sum(workers, [&](const worker_stats& w) -> const traffic_counters& {
      return w.services[ss.slot];
    });
    services.push_back({{"name", sc.name},
                        {"protocol", sc.proto == IPPROTO_TCP ? "tcp" : "udp"},
                        {"address", format_ipv4(sc.vip)},
                        {"port", ntohs(sc.port)},
                        {"forwarding", name_of(sc.mode)},
                        {"scheduler", name_of(sc.scheduler)},
                        {"persistence_timeout", sc.persistence_timeout},
                        {"stats", t.json()},
                        {"backends", std::move(backends)}});
  }
  return {{"services", std::move(services)}};
}

nlohmann::json stats_view(std::span<const worker_stats* const> workers) {
  nlohmann::json list = nlohmann::json::array();
  uint64_t totals[k_drop_reason_count] = {};
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const worker_counters& c = workers[i]->worker;
    nlohmann::json drops = nlohmann::json::object();
    for (std::size_t r = 0; r < k_drop_reason_count; ++r) {
      const uint64_t v = c.drops[r].get();
      drops[std::string(k_drop_reason_names[r])] = v;
      totals[r] += v;
    }
    list.push_back({{"worker", i},
                    {"rx_packets", c.rx_packets.get()},
                    {"tx_packets", c.tx_packets.get()},
                    {"polls", c.polls.get()},
                    {"busy_polls", c.busy_polls.get()},
                    {"flows_active", c.flows_active.get()},
                    {"flows_created", c.flows_created.get()},
                    {"flows_expired", c.flows_expired.get()},
                    {"arp_requests_sent", c.arp_requests_sent.get()},
                    {"arp_replies_sent", c.arp_replies_sent.get()},
                    {"arp_replies_received", c.arp_replies_received.get()},
                    {"icmp_echo_replies", c.icmp_echo_replies.get()},
                    {"drops", std::move(drops)}});
  }
  nlohmann::json drops = nlohmann::json::object();
  nlohmann::json descriptions = nlohmann::json::object();
  for (std::size_t r = 0; r < k_drop_reason_count; ++r) {
    drops[std::string(k_drop_reason_names[r])] = totals[r];
    descriptions[std::string(k_drop_reason_names[r])] = std::string(k_drop_reason_descriptions[r]);
  }
  return {{"workers", std::move(list)},
          {"drops", std::move(drops)},
          {"drop_descriptions", std::move(descriptions)}};
}

} // namespace sluice
