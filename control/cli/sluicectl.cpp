// sluicectl: the admin CLI. `sluicectl [--socket PATH] COMMAND [--json]`; see --help.

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "control/admin/api.hpp"
#include "control/admin/client.hpp"
#include "control/cli/ipvsadm_format.hpp"

namespace {

constexpr const char* k_usage = R"(Usage: sluicectl [--socket PATH] COMMAND [options]

Commands:
  list [--stats] [--json]   virtual services and backends, as ipvsadm -Ln prints them
  stats [--json]            per-worker packet counters and drops by reason
  reload                    re-read the config file (refused whole if invalid)
)";

// Exits non-zero with the daemon's error messages when the call failed.
nlohmann::json call(const std::string& socket, const char* method, const char* path) {
  const sluice::admin_response r = sluice::admin_call(socket, {method, path, ""});
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status / 100 != 2) {
    if (body.is_object() && body.contains("errors"))
      for (const auto& e : body["errors"]) std::cerr << "sluicectl: " << e.get<std::string>() << "\n";
    else
      std::cerr << "sluicectl: HTTP " << r.status << ": " << r.body << "\n";
    std::exit(1);
  }
  if (body.is_discarded()) throw std::runtime_error("the daemon sent malformed JSON");
  return body;
}

void print_stats(const nlohmann::json& s) {
  fmt::print("{:<7} {:>14} {:>14} {:>12} {:>8}\n", "Worker", "RxPackets", "TxPackets",
             "FlowsActive", "Busy%");
  for (const auto& w : s.at("workers")) {
    const double polls = w.at("polls").get<double>();
    const double busy = polls > 0 ? 100.0 * w.at("busy_polls").get<double>() / polls : 0.0;
    fmt::print("{:<7} {:>14} {:>14} {:>12} {:>8.1f}\n", w.at("worker").get<int>(),
               w.at("rx_packets").get<uint64_t>(), w.at("tx_packets").get<uint64_t>(),
               w.at("flows_active").get<uint64_t>(), busy);
  }
  fmt::print("\n{:<28} {:>14}  {}\n", "Drop reason", "Packets", "Meaning");
  for (const auto& [reason, count] : s.at("drops").items()) {
    if (count.get<uint64_t>() == 0) continue;
    fmt::print("{:<28} {:>14}  {}\n", reason, count.get<uint64_t>(),
               s.at("drop_descriptions").value(reason, ""));
  }
}

} // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "socket,s", po::value<std::string>()->default_value("/run/sluice/sluice.sock"),
      "admin socket of sluiced")("stats", "list: traffic counters instead of connections")(
      "json", "print the API's JSON instead of a table")(
      "command", po::value<std::vector<std::string>>(), "command and its arguments");
  po::positional_options_description pos;
  pos.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sluicectl: " << e.what() << "\n" << k_usage;
    return 2;
  }
  if (vm.count("help") || !vm.count("command")) {
    std::cout << k_usage << opts;
    return vm.count("help") ? 0 : 2;
  }
  const auto command = vm["command"].as<std::vector<std::string>>();
  const std::string socket = vm["socket"].as<std::string>();
  const bool json = vm.count("json") > 0;
  try {
    if (command[0] == "list") {
      const auto body = call(socket, "GET", sluice::api::k_services_path);
      if (json)
        std::cout << body.dump(2) << "\n";
      else
        std::cout << sluice::format_ipvsadm(body, vm.count("stats") ? sluice::list_format::stats
                                                                    : sluice::list_format::plain);
    } else if (command[0] == "stats") {
      const auto body = call(socket, "GET", sluice::api::k_stats_path);
      if (json)
        std::cout << body.dump(2) << "\n";
      else
        print_stats(body);
    } else if (command[0] == "reload") {
      call(socket, "POST", sluice::api::k_reload_path);
      std::cout << "configuration reloaded\n";
    } else {
      std::cerr << "sluicectl: unknown command \"" << command[0] << "\"\n" << k_usage;
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "sluicectl: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
