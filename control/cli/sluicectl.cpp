// sluicectl: the admin CLI. `sluicectl [--socket PATH] COMMAND [--json]`, or ipvsadm's flags for
// changes (-A -E -D -a -e -d); see --help.

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cctype>
#include <charconv>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "control/admin/api.hpp"
#include "control/admin/client.hpp"
#include "control/cli/acl_format.hpp"
#include "control/cli/ipvsadm_format.hpp"
#include "control/cli/stats_format.hpp"

namespace {

namespace po = boost::program_options;
using json = nlohmann::json;

constexpr const char* k_usage = R"(Usage: sluicectl [--socket PATH] COMMAND [options]
       sluicectl [--socket PATH] -A|-E|-D -t|-u VIP:PORT [-s SCHED] [-p [TIMEOUT]] [--name N]
       sluicectl [--socket PATH] -a|-e|-d -t|-u VIP:PORT -r RIP:PORT [-w WEIGHT] [-m]

Commands:
  list [--stats|--rate|--health] [--json]
                                  virtual services and backends, as ipvsadm -Ln prints them
                                  (-L and -l too); --rate: per-second rates over --interval;
                                  --health: health check state (a backend held down shows
                                  weight 0 in the plain table, as with keepalived)
  stats [--json]                  per-worker packet counters and drops by reason
  conns [-t|-u VIP:PORT | --name N] [-r RIP:PORT] [--client ADDR] [--limit N] [--json]
                                  tracked flows, as ipvsadm -Lnc prints them (-c too)
  acl list [--json]               ACL sets, their rules in order and the flows each decided
  reload                          re-read the config file (refused whole if invalid);
                                  replaces every change made with the flags below

Changes, as ipvsadm makes them (they last until the next reload):
  -A  add a virtual service       -a  add a real server (backend)
  -E  edit a virtual service      -e  edit a real server
  -D  delete a virtual service    -d  delete a real server
A service is named by -t (TCP) or -u (UDP) VIP:PORT, or by --name alone.
-D and -d take --flush: erase the removed service's or backend's flows now instead of letting
them drain until they end.
)";

// Exits non-zero with the daemon's error messages when the call failed.
json call(const std::string& socket, const char* method, const char* path,
          const json& body = nullptr) {
  const sluice::admin_response r =
      sluice::admin_call(socket, {method, path, body.is_null() ? "" : body.dump()});
  json reply = json::parse(r.body, nullptr, false);
  if (r.status / 100 != 2) {
    if (reply.is_object() && reply.contains("errors"))
      for (const auto& e : reply["errors"]) std::cerr << "sluicectl: " << e.get<std::string>() << "\n";
    else
      std::cerr << "sluicectl: HTTP " << r.status << ": " << r.body << "\n";
    std::exit(1);
  }
  if (reply.is_discarded()) throw std::runtime_error("the daemon sent malformed JSON");
  return reply;
}

// A number as a JSON number; anything else as the string typed, for the daemon to refuse with
// the field's name (it validates every request with the config file's rules).
json number_or_text(const std::string& s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc{} && end == s.data() + s.size()) return v;
  return s;
}

// "ADDRESS:PORT" (or "ADDRESS": every port) as {"address", "port"}.
json endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return {{"address", text}};
  return {{"address", text.substr(0, colon)}, {"port", number_or_text(text.substr(colon + 1))}};
}

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "sluicectl: " << message << "\n" << k_usage;
  std::exit(2);
}

json service_selector(const po::variables_map& vm) {
  if (vm.count("tcp-service")) {
    json s = endpoint(vm["tcp-service"].as<std::string>());
    s["protocol"] = "tcp";
    return s;
  }
  if (vm.count("udp-service")) {
    json s = endpoint(vm["udp-service"].as<std::string>());
    s["protocol"] = "udp";
    return s;
  }
  if (vm.count("name")) return {{"name", vm["name"].as<std::string>()}};
  usage_error("name the service with -t VIP:PORT, -u VIP:PORT or --name");
}

// Service fields given on the command line (-s, -p, --name, --forwarding).
json service_fields(const po::variables_map& vm, bool name_is_a_field) {
  json f = json::object();
  if (vm.count("scheduler")) f["scheduler"] = vm["scheduler"].as<std::string>();
  if (vm.count("persistent")) f["persistence_timeout"] = number_or_text(vm["persistent"].as<std::string>());
  if (vm.count("drain-timeout")) f["drain_timeout"] = number_or_text(vm["drain-timeout"].as<std::string>());
  if (vm.count("forwarding")) f["forwarding"] = vm["forwarding"].as<std::string>();
  if (name_is_a_field && vm.count("name")) f["name"] = vm["name"].as<std::string>();
  return f;
}

json backend_fields(const po::variables_map& vm, bool with_weight) {
  if (!vm.count("real-server")) usage_error("name the backend with -r RIP:PORT");
  json b = endpoint(vm["real-server"].as<std::string>());
  if (with_weight && vm.count("weight")) b["weight"] = number_or_text(vm["weight"].as<std::string>());
  if (vm.count("masquerading")) b["forwarding"] = "nat";
  if (vm.count("gatewaying")) b["forwarding"] = "dr";
  if (vm.count("ipip")) b["forwarding"] = "tun";
  return b;
}

// -A -E -D -a -e -d. Returns false when none was given.
bool run_change(const po::variables_map& vm, const std::string& socket, bool print_json) {
  const bool by_tuple = vm.count("tcp-service") || vm.count("udp-service");
  json reply;
  if (vm.count("add-service")) {
    if (!by_tuple) usage_error("-A needs -t VIP:PORT or -u VIP:PORT");
    json s = service_selector(vm);
    s.update(service_fields(vm, true));
    reply = call(socket, "POST", sluice::api::k_services_path, s);
  } else if (vm.count("edit-service")) {
    const json set = service_fields(vm, by_tuple);
    if (set.empty()) usage_error("-E: nothing to change (-s, -p, --name, --forwarding, --drain-timeout)");
    reply = call(socket, "PATCH", sluice::api::k_services_path,
                 {{"service", service_selector(vm)}, {"set", set}});
  } else if (vm.count("delete-service")) {
    json body{{"service", service_selector(vm)}};
    if (vm.count("flush")) body["flush"] = true;
    reply = call(socket, "DELETE", sluice::api::k_services_path, body);
  } else if (vm.count("add-server")) {
    reply = call(socket, "POST", sluice::api::k_backends_path,
                 {{"service", service_selector(vm)}, {"backend", backend_fields(vm, true)}});
  } else if (vm.count("edit-server")) {
    reply = call(socket, "PATCH", sluice::api::k_backends_path,
                 {{"service", service_selector(vm)}, {"backend", backend_fields(vm, true)}});
  } else if (vm.count("delete-server")) {
    json body{{"service", service_selector(vm)}, {"backend", backend_fields(vm, false)}};
    if (vm.count("flush")) body["flush"] = true;
    reply = call(socket, "DELETE", sluice::api::k_backends_path, body);
  } else {
    return false;
  }
  if (print_json) std::cout << reply.dump(2) << "\n"; // people get ipvsadm's silence
  else if (reply.contains("flows_flushed"))
    std::cout << "flows flushed: " << reply["flows_flushed"].get<uint64_t>() << "\n";
  if (reply.contains("errors"))
    for (const auto& e : reply["errors"]) std::cerr << "sluicectl: " << e.get<std::string>() << "\n";
  return true;
}

// Percent-encodes a query parameter value.
std::string query_value(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '~')
      out += char(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

void run_conns(const po::variables_map& vm, const std::string& socket, bool print_json) {
  std::string target = sluice::api::k_flows_path;
  auto add = [&](const std::string& key, const std::string& value) {
    target += (target.find('?') == std::string::npos ? "?" : "&") + key + "=" + query_value(value);
  };
  if (vm.count("tcp-service") || vm.count("udp-service") || vm.count("name")) {
    const json sel = service_selector(vm);
    if (sel.contains("name")) {
      add("name", sel["name"].get<std::string>());
    } else {
      add("address", sel["address"].get<std::string>());
      if (sel.contains("port")) add("port", sel["port"].is_string() ? sel["port"].get<std::string>() : sel["port"].dump());
      add("protocol", sel["protocol"].get<std::string>());
    }
  }
  if (vm.count("real-server")) add("backend", vm["real-server"].as<std::string>());
  if (vm.count("client")) add("client", vm["client"].as<std::string>());
  if (vm.count("limit")) add("limit", vm["limit"].as<std::string>());
  const json body = call(socket, "GET", target.c_str());
  if (print_json)
    std::cout << body.dump(2) << "\n";
  else
    std::cout << sluice::format_ipvsadm_conns(body);
}

void run_list(const po::variables_map& vm, const std::string& socket, bool print_json) {
  json body = call(socket, "GET", sluice::api::k_services_path);
  auto format = vm.count("stats")    ? sluice::list_format::stats
                : vm.count("health") ? sluice::list_format::health
                                     : sluice::list_format::plain;
  if (vm.count("rate")) {
    const double seconds = vm["interval"].as<double>();
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const json after = call(socket, "GET", sluice::api::k_services_path);
    const double taken =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    body = sluice::rate_view(body, after, taken);
    format = sluice::list_format::rate;
  }
  if (print_json)
    std::cout << body.dump(2) << "\n";
  else
    std::cout << sluice::format_ipvsadm(body, format);
}

po::options_description options() {
  po::options_description o("Options");
  o.add_options()
      ("help,h", "show this help")
      ("socket", po::value<std::string>()->default_value("/run/sluice/sluice.sock"),
       "admin socket of sluiced")
      ("json", "print the API's JSON instead of a table")
      ("list,L", "list (ipvsadm -L)")
      ("list-l,l", "list (ipvsadm -l)")
      ("numeric,n", "addresses as numbers (always; accepted for ipvsadm habits)")
      ("stats", "list: traffic counters instead of connections")
      ("rate", "list: per-second rates (CPS, packets, bytes)")
      ("health", "list: each backend's health check state instead of connections")
      ("interval", po::value<double>()->default_value(1.0), "--rate: seconds between samples")
      ("add-service,A", "add a virtual service")
      ("edit-service,E", "edit a virtual service")
      ("delete-service,D", "delete a virtual service")
      ("add-server,a", "add a real server")
      ("edit-server,e", "edit a real server")
      ("delete-server,d", "delete a real server")
      ("flush", "-D/-d: erase the removed flows now instead of draining them")
      ("connection,c", "list tracked flows (ipvsadm -Lc), same as the conns command")
      ("client", po::value<std::string>()->value_name("ADDR"), "conns: only this client's flows")
      ("limit", po::value<std::string>()->value_name("N"), "conns: at most N flows (default 1000)")
      ("tcp-service,t", po::value<std::string>()->value_name("VIP:PORT"), "TCP service")
      ("udp-service,u", po::value<std::string>()->value_name("VIP:PORT"), "UDP service")
      ("real-server,r", po::value<std::string>()->value_name("RIP:PORT"), "backend")
      ("scheduler,s", po::value<std::string>()->value_name("SCHED"), "rr | wrr | lc | wlc | ...")
      ("drain-timeout", po::value<std::string>()->value_name("SECONDS"),
       "-A/-E: a removed backend's flows are flushed after this long (0: when they end)")
      ("persistent,p", po::value<std::string>()->value_name("TIMEOUT")->implicit_value("300"),
       "client affinity in seconds (0: none)")
      ("weight,w", po::value<std::string>()->value_name("W"), "backend weight (0: drain)")
      ("masquerading,m", "forwarding nat (must be the service's)")
      ("gatewaying,g", "forwarding dr (must be the service's)")
      ("ipip,i", "forwarding tun (must be the service's)")
      ("forwarding", po::value<std::string>()->value_name("MODE"), "-A/-E: nat | dr | tun | fnat")
      ("name", po::value<std::string>()->value_name("N"), "service name (selects it without -t/-u)")
      ("command", po::value<std::vector<std::string>>(), "command and its arguments");
  return o;
}

} // namespace

int main(int argc, char** argv) {
  const po::options_description opts = options();
  po::positional_options_description pos;
  pos.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << k_usage << "\n" << opts;
    return 0;
  }
  const std::string socket = vm["socket"].as<std::string>();
  const bool print_json = vm.count("json") > 0;
  const std::string command =
      vm.count("command") ? vm["command"].as<std::vector<std::string>>().front()
      : vm.count("connection") ? "conns"
      : vm.count("list") || vm.count("list-l") ? "list"
                                          : "";
  try {
    if (command.empty() && run_change(vm, socket, print_json)) return 0;
    if (command == "list") {
      run_list(vm, socket, print_json);
    } else if (command == "conns") {
      run_conns(vm, socket, print_json);
    } else if (command == "stats") {
      const json body = call(socket, "GET", sluice::api::k_stats_path);
      if (print_json)
        std::cout << body.dump(2) << "\n";
      else
        std::cout << sluice::format_stats(body);
    } else if (command == "acl") {
      const auto& args = vm["command"].as<std::vector<std::string>>();
      if (args.size() != 2 || args[1] != "list") usage_error("acl: the command is \"acl list\"");
      const json body = call(socket, "GET", sluice::api::k_acls_path);
      std::cout << (print_json ? body.dump(2) + "\n" : sluice::format_acls(body));
    } else if (command == "reload") {
      call(socket, "POST", sluice::api::k_reload_path);
      std::cout << "configuration reloaded\n";
    } else if (command.empty()) {
      usage_error("no command");
    } else {
      usage_error("unknown command \"" + command + "\"");
    }
  } catch (const std::exception& e) {
    std::cerr << "sluicectl: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
