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

std::string traffic(const nlohmann::json& s) {
  return largenum(s.at("conns").get<uint64_t>()) + largenum(s.at("in_packets").get<uint64_t>()) +
         largenum(s.at("out_packets").get<uint64_t>()) +
         largenum(s.at("in_bytes").get<uint64_t>()) + largenum(s.at("out_bytes").get<uint64_t>());
}

std::string endpoint(const nlohmann::json& j) {
  return j.at("address").get<std::string>() + ":" + std::to_string(j.at("port").get<int>());
}

std::string rates(const nlohmann::json& r) {
  return largenum(r.at("cps").get<uint64_t>()) + largenum(r.at("in_pps").get<uint64_t>()) +
         largenum(r.at("out_pps").get<uint64_t>()) + largenum(r.at("in_bps").get<uint64_t>()) +
         largenum(r.at("out_bps").get<uint64_t>());
}

// The numbers of one row: counters, or rates when the table is --rate.
std::string numbers(const nlohmann::json& row, list_format format) {
  return format == list_format::rate ? rates(row.at("rate")) : traffic(row.at("stats"));
}

nlohmann::json rate_of(const nlohmann::json* before, const nlohmann::json& after,
                       double seconds) {
  auto per_second = [&](const char* key) -> uint64_t {
    const uint64_t a = after.at(key).get<uint64_t>();
    const uint64_t b = before ? before->at(key).get<uint64_t>() : 0;
    return a < b || seconds <= 0 ? 0 : uint64_t(double(a - b) / seconds + 0.5);
  };
  return {{"cps", per_second("conns")},
          {"in_pps", per_second("in_packets")},
          {"out_pps", per_second("out_packets")},
          {"in_bps", per_second("in_bytes")},
          {"out_bps", per_second("out_bytes")}};
}

// The entry of `list` with the same identity as `row` (protocol, address, port), if any.
const nlohmann::json* same(const nlohmann::json* list, const nlohmann::json& row) {
  if (list == nullptr) return nullptr;
  for (const auto& r : *list)
    if (r.at("address") == row.at("address") && r.at("port") == row.at("port") &&
        r.value("protocol", "") == row.value("protocol", ""))
      return &r;
  return nullptr;
}

// One backend of the --health table; "-" for a backend whose service has no check.
std::string health_row(const nlohmann::json& b, const std::string& fwd) {
  const int weight = b.value("configured_weight", b.at("weight").get<int>());
  if (!b.contains("health"))
    return fmt::format("  -> {:<28} {:<7} {:<6} {:<7} {:<5} {:<6} {}\n", endpoint(b), fwd, weight,
                       "-", "-", "-", "");
  const nlohmann::json& h = b.at("health");
  return fmt::format("  -> {:<28} {:<7} {:<6} {:<7} {:<5} {:<6} {}\n", endpoint(b), fwd, weight,
                     h.at("state").get<std::string>(), h.at("check").get<std::string>(),
                     h.at("streak").get<uint64_t>(),
                     h.at("state") == "up" ? std::string() : h.value("last_detail", std::string()));
}

} // namespace

std::string format_ipvsadm(const nlohmann::json& body, list_format format) {
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
  for (const auto& svc : body.at("services")) {
    const std::string name = upper(svc.at("protocol").get<std::string>()) + "  " + endpoint(svc);
    if (format == list_format::stats || format == list_format::rate) {
      out += fmt::format("{:<33}", name) + numbers(svc, format) + "\n";
    } else {
      out += name + " " + svc.at("scheduler").get<std::string>();
      if (const auto t = svc.value("persistence_timeout", 0); t > 0)
        out += " persistent " + std::to_string(t);
      out += "\n";
    }
    const std::string fwd = forward_name(svc.at("forwarding").get<std::string>());
    for (const auto& b : svc.at("backends")) {
      if (format == list_format::stats || format == list_format::rate)
        out += fmt::format("  -> {:<28}", endpoint(b)) + numbers(b, format) + "\n";
      else if (format == list_format::health)
        out += health_row(b, fwd);
      else
        out += fmt::format("  -> {:<28} {:<7} {:<6} {:<10} {:<10}\n", endpoint(b), fwd,
                           b.at("weight").get<int>(), b.at("active_conns").get<uint64_t>(),
                           b.at("inactive_conns").get<uint64_t>());
    }
  }
  return out;
}

nlohmann::json rate_view(const nlohmann::json& before, const nlohmann::json& after,
                         double seconds) {
  nlohmann::json out = after;
  for (auto& svc : out.at("services")) {
    const nlohmann::json* was = same(&before.at("services"), svc);
    svc["rate"] = rate_of(was ? &was->at("stats") : nullptr, svc.at("stats"), seconds);
    for (auto& b : svc.at("backends")) {
      const nlohmann::json* bwas = same(was ? &was->at("backends") : nullptr, b);
      b["rate"] = rate_of(bwas ? &bwas->at("stats") : nullptr, b.at("stats"), seconds);
    }
  }
  return out;
}

std::string format_ipvsadm_conns(const nlohmann::json& body) {
  std::string out = "IPVS connection entries\n"
                    "pro expire state       source             virtual            destination\n";
  for (const auto& f : body.at("flows")) {
    std::string proto = f.at("protocol").get<std::string>();
    std::transform(proto.begin(), proto.end(), proto.begin(), [](char c) { return char(c - 32 * (c >= 'a' && c <= 'z')); });
    const uint64_t seconds = f.at("expires_in_ms").get<uint64_t>() / 1000;
    out += fmt::format("{:<3} {:02}:{:02}  {:<11} {:<18} {:<18} {}\n", proto, seconds / 60, seconds % 60,
                       f.at("state").get<std::string>(), f.at("client").get<std::string>(),
                       f.at("virtual").get<std::string>(), f.at("backend").get<std::string>());
  }
  if (body.value("truncated", false))
    out += fmt::format("({} flows matched; raise --limit to see more)\n", body.at("matched").get<uint64_t>());
  return out;
}

} // namespace sluice
