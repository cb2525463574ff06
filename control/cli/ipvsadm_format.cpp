#include "control/cli/ipvsadm_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace sluice {
namespace {

std::string forward_name(const std::string& mode) {
  if (mode == "nat") return "Masq";
  if (mode == "dr") return "Route";
  if (mode == "tun") return "Tunnel";
  if (mode == "fnat") return "FullNat";
  return mode;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// ipvsadm's print_largenum(): nine columns, scaled with K/M/G/T beyond eight digits.
std::string largenum(uint64_t v) {
  if (v < 100000000ull) return fmt::format("{:9}", v);
  if (v < 1000000000ull) return fmt::format("{:8}K", v / 1000);
  if (v < 1000000000000ull) return fmt::format("{:8}M", v / 1000000);
  if (v < 1000000000000000ull) return fmt::format("{:8}G", v / 1000000000ull);
  return fmt::format("{:8}T", v / 1000000000000ull);
}

std::string numbers(const api::traffic& t) {
  return largenum(t.conns) + largenum(t.in_packets) + largenum(t.out_packets) +
         largenum(t.in_bytes) + largenum(t.out_bytes);
}

std::string numbers(const traffic_rate& r) {
  return largenum(r.cps) + largenum(r.in_pps) + largenum(r.out_pps) + largenum(r.in_bps) +
         largenum(r.out_bps);
}

template <class Row>
std::string endpoint(const Row& r) {
  return r.address + ":" + std::to_string(r.port);
}

traffic_rate rate_of(const api::traffic* before, const api::traffic& after, double seconds) {
  auto per_second = [&](uint64_t api::traffic::*field) -> uint64_t {
    const uint64_t a = after.*field;
    const uint64_t b = before ? before->*field : 0;
    return a < b || seconds <= 0 ? 0 : uint64_t(double(a - b) / seconds + 0.5);
  };
  return {.cps = per_second(&api::traffic::conns),
          .in_pps = per_second(&api::traffic::in_packets),
          .out_pps = per_second(&api::traffic::out_packets),
          .in_bps = per_second(&api::traffic::in_bytes),
          .out_bps = per_second(&api::traffic::out_bytes)};
}

const api::service_status* same(const api::service_list& list, const api::service_status& s) {
  for (const api::service_status& r : list.services)
    if (r.address == s.address && r.port == s.port && r.protocol == s.protocol) return &r;
  return nullptr;
}

const api::backend_status* same(const api::service_status* service, const api::backend_status& b) {
  if (service == nullptr) return nullptr;
  for (const api::backend_status& r : service->backends)
    if (r.address == b.address && r.port == b.port) return &r;
  return nullptr;
}

nlohmann::json rate_json(const traffic_rate& r) {
  return {{"cps", r.cps}, {"in_pps", r.in_pps}, {"out_pps", r.out_pps}, {"in_bps", r.in_bps},
          {"out_bps", r.out_bps}};
}

// One backend of the --health table; "-" for a backend whose service has no check.
std::string health_row(const api::backend_status& b, const std::string& fwd) {
  if (!b.health)
    return fmt::format("  -> {:<28} {:<7} {:<6} {:<7} {:<5} {:<6} {}\n", endpoint(b), fwd,
                       b.configured_weight, "-", "-", "-", "");
  const api::backend_health& h = *b.health;
  return fmt::format("  -> {:<28} {:<7} {:<6} {:<7} {:<5} {:<6} {}\n", endpoint(b), fwd,
                     b.configured_weight, h.state, h.check, h.streak,
                     h.state == "up" ? std::string() : h.last_detail);
}

} // namespace

std::vector<service_rates> rate_view(const api::service_list& before,
                                     const api::service_list& after, double seconds) {
  std::vector<service_rates> out;
  for (const api::service_status& s : after.services) {
    const api::service_status* was = same(before, s);
    service_rates& r = out.emplace_back(
        service_rates{.service = rate_of(was ? &was->stats : nullptr, s.stats, seconds)});
    for (const api::backend_status& b : s.backends) {
      const api::backend_status* bwas = same(was, b);
      r.backends.push_back(rate_of(bwas ? &bwas->stats : nullptr, b.stats, seconds));
    }
  }
  return out;
}

nlohmann::json with_rates(const api::service_list& services, const std::vector<service_rates>& rates) {
  nlohmann::json out = services;
  for (std::size_t i = 0; i < services.services.size() && i < rates.size(); ++i) {
    nlohmann::json& s = out["services"][i];
    s["rate"] = rate_json(rates[i].service);
    for (std::size_t k = 0; k < rates[i].backends.size(); ++k)
      s["backends"][k]["rate"] = rate_json(rates[i].backends[k]);
  }
  return out;
}

std::string format_ipvsadm(const api::service_list& body, list_format format,
                           const std::vector<service_rates>* rates) {
  std::string out;
  if (format == list_format::stats)
    out += "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
           "  -> RemoteAddress:Port\n";
  else if (format == list_format::rate)
    out += "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
           "  -> RemoteAddress:Port\n";
  else if (format == list_format::health)
    out += "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight Health  Check Streak LastFailure\n";
  else
    out += "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
  const bool rated = format == list_format::rate && rates != nullptr;
  for (std::size_t i = 0; i < body.services.size(); ++i) {
    const api::service_status& svc = body.services[i];
    const service_rates* r = rated && i < rates->size() ? &(*rates)[i] : nullptr;
    const std::string name = upper(svc.protocol) + "  " + endpoint(svc);
    if (format == list_format::stats) {
      out += fmt::format("{:<33}", name) + numbers(svc.stats) + "\n";
    } else if (format == list_format::rate) {
      out += fmt::format("{:<33}", name) + numbers(r ? r->service : traffic_rate{}) + "\n";
    } else {
      out += name + " " + svc.scheduler;
      if (svc.persistence_timeout > 0) out += " persistent " + std::to_string(svc.persistence_timeout);
      out += "\n";
    }
    const std::string fwd = forward_name(svc.forwarding);
    for (std::size_t k = 0; k < svc.backends.size(); ++k) {
      const api::backend_status& b = svc.backends[k];
      if (format == list_format::stats)
        out += fmt::format("  -> {:<28}", endpoint(b)) + numbers(b.stats) + "\n";
      else if (format == list_format::rate)
        out += fmt::format("  -> {:<28}", endpoint(b)) +
               numbers(r && k < r->backends.size() ? r->backends[k] : traffic_rate{}) + "\n";
      else if (format == list_format::health)
        out += health_row(b, fwd);
      else
        out += fmt::format("  -> {:<28} {:<7} {:<6} {:<10} {:<10}\n", endpoint(b), fwd, b.weight,
                           b.active_conns, b.inactive_conns);
    }
  }
  return out;
}

std::string format_ipvsadm_conns(const api::flow_sample_list& body) {
  std::string out = "IPVS connection entries\n"
                    "pro expire state       source             virtual            destination\n";
  for (const api::flow_entry& f : body.flows) {
    const uint64_t seconds = f.expires_in_ms / 1000;
    out += fmt::format("{:<3} {:02}:{:02}  {:<11} {:<18} {:<18} {}\n", upper(f.protocol),
                       seconds / 60, seconds % 60, f.state, f.client, f.virtual_, f.backend);
  }
  if (body.truncated)
    out += fmt::format("({} flows matched; raise --limit to see more)\n", body.matched);
  return out;
}

} // namespace sluice
