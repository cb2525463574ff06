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

} // namespace

std::string format_ipvsadm(const nlohmann::json& body, list_format format) {
  std::string out;
  if (format == list_format::stats)
    out += "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
           "  -> RemoteAddress:Port\n";
  else
    out += "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
  for (const auto& svc : body.at("services")) {
    const std::string name = upper(svc.at("protocol").get<std::string>()) + "  " + endpoint(svc);
    if (format == list_format::stats) {
      out += fmt::format("{:<33}", name) + traffic(svc.at("stats")) + "\n";
    } else {
      out += name + " " + svc.at("scheduler").get<std::string>();
      if (const auto t = svc.value("persistence_timeout", 0); t > 0)
        out += " persistent " + std::to_string(t);
      out += "\n";
    }
    const std::string fwd = forward_name(svc.at("forwarding").get<std::string>());
    for (const auto& b : svc.at("backends")) {
      if (format == list_format::stats)
        out += fmt::format("  -> {:<28}", endpoint(b)) + traffic(b.at("stats")) + "\n";
      else
        out += fmt::format("  -> {:<28} {:<7} {:<6} {:<10} {:<10}\n", endpoint(b), fwd,
                           b.at("weight").get<int>(), b.at("active_conns").get<uint64_t>(),
                           b.at("inactive_conns").get<uint64_t>());
    }
  }
  return out;
}

} // namespace sluice
