// sluicectl: the admin CLI. `sluicectl [--socket PATH] COMMAND [--json]`, or ipvsadm's flags for
// changes (-A -E -D -a -e -d); see --help.

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "control/admin/api/acls.hpp"
#include "control/admin/api/changes.hpp"
#include "control/admin/api/decode.hpp"
#include "control/admin/api/endpoints.hpp"
#include "control/admin/api/flows.hpp"
#include "control/admin/api/lookup.hpp"
#include "control/admin/api/services.hpp"
#include "control/admin/api/stats.hpp"
#include "control/admin/api/trace.hpp"
#include "control/admin/client.hpp"
#include "control/cli/acl_format.hpp"
#include "control/cli/ipvsadm_format.hpp"
#include "control/cli/lookup_format.hpp"
#include "control/cli/trace_format.hpp"
#include "control/cli/stats_format.hpp"

namespace {

namespace po = boost::program_options;
namespace api = sluice::api;
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
  lookup tcp|udp CLIENT:PORT VIP:PORT [--json]
                                  where this connection goes: its live flow (worker, backend,
                                  state), else what a new one would get now (the backend for
                                  sh, dh, mh; the candidates for the others) and the ACL verdict
  acl list [--json]               ACL sets, their rules in order and the flows each decided
  trace [--vip VIP:PORT] [--client ADDR[/LEN]] [--backend RIP:PORT] [--drops]
        [--count N] [--seconds S] [--json]
                                  live per-packet trace: what each dataplane stage decided
                                  (flow, ACL, scheduler and backend, rewrite, egress, or the
                                  drop reason) for the packets matching every filter given;
                                  ends after N packets (default 100) or S seconds; --json:
                                  one JSON object per packet and line
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

// The reply's JSON. Exits non-zero with the daemon's error messages when the call failed.
json call(const std::string& socket, const char* method, const std::string& path,
          const json& body = nullptr) {
  const sluice::admin_response r =
      sluice::admin_call(socket, {method, path, body.is_null() ? "" : body.dump()});
  if (r.status / 100 != 2) {
    try {
      for (const std::string& e : api::decode_text<api::error_reply>(r.body).errors)
        std::cerr << "sluicectl: " << e << "\n";
    } catch (const api::decode_error&) {
      std::cerr << "sluicectl: HTTP " << r.status << ": " << r.body << "\n";
    }
    std::exit(1);
  }
  json reply = json::parse(r.body, nullptr, false);
  if (reply.is_discarded()) throw std::runtime_error("the daemon sent malformed JSON");
  return reply;
}

// The reply decoded as Reply (api/), with its JSON for --json.
template <class Reply>
std::pair<Reply, json> call_as(const std::string& socket, const char* method,
                               const std::string& path, const json& body = nullptr) {
  json reply = call(socket, method, path, body);
  try {
    return {api::decode_value<Reply>(reply, ""), std::move(reply)};
  } catch (const api::decode_error& e) {
    throw std::runtime_error(std::string("the daemon's reply does not fit the contract: ") + e.what());
  }
}

// A value typed on the command line, decoded as the daemon would decode it from JSON: a bad
// one is refused here in the daemon's words (naming the field), exit 1 as for its refusals.
template <class T>
T typed(const json& value, const std::string& field) {
  try {
    return api::decode_value<T>(value, field);
  } catch (const api::decode_error& e) {
    std::cerr << "sluicectl: " << e.what() << "\n";
    std::exit(1);
  }
}

api::backend_spec endpoint(const std::string& text, const std::string& field) {
  try {
    return api::backend_from_text(text, field);
  } catch (const api::decode_error& e) {
    std::cerr << "sluicectl: " << e.what() << "\n";
    std::exit(1);
  }
}

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "sluicectl: " << message << "\n" << k_usage;
  std::exit(2);
}

api::service_selector service_selector(const po::variables_map& vm) {
  for (const char* protocol : {"tcp", "udp"})
    if (const std::string option = std::string(protocol) + "-service"; vm.count(option)) {
      const api::backend_spec e = endpoint(vm[option].as<std::string>(), "service");
      return {.protocol = protocol, .address = e.address, .port = e.port};
    }
  if (vm.count("name")) return {.name = vm["name"].as<std::string>()};
  usage_error("name the service with -t VIP:PORT, -u VIP:PORT or --name");
}

// Service fields given on the command line (-s, -p, --name, --forwarding).
json service_fields(const po::variables_map& vm, bool name_is_a_field) {
  json f = json::object();
  if (vm.count("scheduler")) f["scheduler"] = vm["scheduler"].as<std::string>();
  if (vm.count("persistent")) f["persistence_timeout"] = api::number_or_text(vm["persistent"].as<std::string>());
  if (vm.count("drain-timeout")) f["drain_timeout"] = api::number_or_text(vm["drain-timeout"].as<std::string>());
  if (vm.count("forwarding")) f["forwarding"] = vm["forwarding"].as<std::string>();
  if (name_is_a_field && vm.count("name")) f["name"] = vm["name"].as<std::string>();
  return f;
}

api::backend_spec backend_fields(const po::variables_map& vm, bool with_weight) {
  if (!vm.count("real-server")) usage_error("name the backend with -r RIP:PORT");
  api::backend_spec b = endpoint(vm["real-server"].as<std::string>(), "backend");
  if (with_weight && vm.count("weight"))
    b.weight = typed<int64_t>(api::number_or_text(vm["weight"].as<std::string>()), "backend.weight");
  if (vm.count("masquerading")) b.forwarding = "nat";
  if (vm.count("gatewaying")) b.forwarding = "dr";
  if (vm.count("ipip")) b.forwarding = "tun";
  return b;
}

std::optional<bool> flush_of(const po::variables_map& vm) {
  return vm.count("flush") ? std::optional(true) : std::nullopt;
}

// -A -E -D -a -e -d. Returns false when none was given.
bool run_change(const po::variables_map& vm, const std::string& socket, bool print_json) {
  const bool by_tuple = vm.count("tcp-service") || vm.count("udp-service");
  std::pair<api::change_reply, json> reply;
  if (vm.count("add-service")) {
    if (!by_tuple) usage_error("-A needs -t VIP:PORT or -u VIP:PORT");
    json s = json(service_selector(vm));
    s.update(service_fields(vm, true));
    reply = call_as<api::change_reply>(socket, "POST", api::k_services_path,
                                       api::service_definition{s});
  } else if (vm.count("edit-service")) {
    const json set = service_fields(vm, by_tuple);
    if (set.empty()) usage_error("-E: nothing to change (-s, -p, --name, --forwarding, --drain-timeout)");
    reply = call_as<api::change_reply>(socket, "PATCH", api::k_services_path,
                                       api::service_edit{.service = service_selector(vm), .set = set});
  } else if (vm.count("delete-service")) {
    reply = call_as<api::change_reply>(
        socket, "DELETE", api::k_services_path,
        api::service_removal{.service = service_selector(vm), .flush = flush_of(vm)});
  } else if (vm.count("add-server") || vm.count("edit-server") || vm.count("delete-server")) {
    const bool removal = vm.count("delete-server") > 0;
    const char* method = vm.count("add-server") ? "POST" : removal ? "DELETE" : "PATCH";
    reply = call_as<api::change_reply>(socket, method, api::k_backends_path,
                                       api::backend_change{.service = service_selector(vm),
                                                           .backend = backend_fields(vm, !removal),
                                                           .flush = removal ? flush_of(vm) : std::nullopt});
  } else {
    return false;
  }
  const auto& [applied, body] = reply;
  if (print_json) std::cout << body.dump(2) << "\n"; // people get ipvsadm's silence
  else if (applied.flows_flushed)
    std::cout << "flows flushed: " << *applied.flows_flushed << "\n";
  for (const std::string& e : applied.errors.value_or(std::vector<std::string>{}))
    std::cerr << "sluicectl: " << e << "\n";
  return true;
}

void run_conns(const po::variables_map& vm, const std::string& socket, bool print_json) {
  api::flows_query q;
  if (vm.count("tcp-service") || vm.count("udp-service") || vm.count("name")) {
    const api::service_selector sel = service_selector(vm);
    if (sel.name) {
      q.name = sel.name;
    } else {
      q.address = sel.address;
      if (sel.port) q.port = std::to_string(*sel.port);
      q.protocol = sel.protocol;
    }
  }
  auto option = [&](const char* name) -> std::optional<std::string> {
    if (!vm.count(name)) return std::nullopt;
    return vm[name].as<std::string>();
  };
  q.backend = option("real-server");
  q.client = option("client");
  q.limit = option("limit");
  const auto [flows, body] = call_as<api::flow_sample_list>(socket, "GET", api::to_target(q));
  if (print_json)
    std::cout << body.dump(2) << "\n";
  else
    std::cout << sluice::format_ipvsadm_conns(flows);
}

void run_list(const po::variables_map& vm, const std::string& socket, bool print_json) {
  auto [services, body] = call_as<api::service_list>(socket, "GET", api::k_services_path);
  const auto format = vm.count("stats")    ? sluice::list_format::stats
                      : vm.count("health") ? sluice::list_format::health
                                           : sluice::list_format::plain;
  if (vm.count("rate")) {
    const double seconds = vm["interval"].as<double>();
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const api::service_list after =
        call_as<api::service_list>(socket, "GET", api::k_services_path).first;
    const double taken =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto rates = sluice::rate_view(services, after, taken);
    if (print_json)
      std::cout << sluice::with_rates(after, rates).dump(2) << "\n";
    else
      std::cout << sluice::format_ipvsadm(after, sluice::list_format::rate, &rates);
    return;
  }
  if (print_json)
    std::cout << body.dump(2) << "\n";
  else
    std::cout << sluice::format_ipvsadm(services, format);
}

uint32_t count_option(const po::variables_map& vm, const char* name) {
  const std::string& text = vm[name].as<std::string>();
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    usage_error(std::string("--") + name + ": must be a whole number (got \"" + text + "\")");
  return v;
}

// Arms a session, then reads it until it ends (its count or time, which the daemon keeps), each
// packet printed as it comes.
void run_trace(const po::variables_map& vm, const std::string& socket, bool print_json) {
  api::trace_request req;
  if (vm.count("vip")) req.vip = vm["vip"].as<std::string>();
  if (vm.count("client")) req.client = vm["client"].as<std::string>();
  if (vm.count("backend")) req.backend = vm["backend"].as<std::string>();
  if (vm.count("drops")) req.drops = true;
  if (vm.count("count")) req.count = count_option(vm, "count");
  if (vm.count("seconds")) req.seconds = count_option(vm, "seconds");
  const auto [started, armed] = call_as<api::trace_started>(socket, "POST", api::k_trace_path, req);
  const std::string target = api::to_target(api::trace_query{.id = std::to_string(started.id)});
  std::vector<api::trace_entry> shown;
  uint64_t lost = 0;
  for (;;) {
    const auto [batch, body] = call_as<api::trace_batch>(socket, "GET", target);
    lost = batch.lost;
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
      std::cout << (print_json ? body["records"][i].dump() + "\n"
                               : sluice::format_trace_entry(batch.records[i]));
      shown.push_back(batch.records[i]);
    }
    std::cout.flush();
    if (batch.done) break;
    // Well inside the daemon's abandonment time; a few reads a second keep the output live.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!print_json) std::cout << sluice::format_trace_summary(shown, lost);
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
      ("client", po::value<std::string>()->value_name("ADDR"),
       "conns: only this client's flows; trace: ADDR[/LEN], only those clients' packets")
      ("vip", po::value<std::string>()->value_name("VIP:PORT"), "trace: only this service's packets")
      ("backend", po::value<std::string>()->value_name("RIP:PORT"), "trace: only packets of flows to this backend")
      ("drops", "trace: only dropped packets, with their reason")
      ("count", po::value<std::string>()->value_name("N"), "trace: stop after N packets (default 100)")
      ("seconds", po::value<std::string>()->value_name("S"), "trace: stop after S seconds")
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
      const auto [stats, body] = call_as<api::stats_report>(socket, "GET", api::k_stats_path);
      if (print_json)
        std::cout << body.dump(2) << "\n";
      else
        std::cout << sluice::format_stats(stats);
    } else if (command == "lookup") {
      const auto& args = vm["command"].as<std::vector<std::string>>();
      if (args.size() != 4) usage_error("lookup: the command is \"lookup tcp|udp CLIENT:PORT VIP:PORT\"");
      const api::lookup_query q{.protocol = args[1], .client = args[2], .virtual_ = args[3]};
      const auto [found, body] = call_as<api::lookup_reply>(socket, "GET", api::to_target(q));
      std::cout << (print_json ? body.dump(2) + "\n" : sluice::format_lookup(found));
    } else if (command == "acl") {
      const auto& args = vm["command"].as<std::vector<std::string>>();
      if (args.size() != 2 || args[1] != "list") usage_error("acl: the command is \"acl list\"");
      const auto [acls, body] = call_as<api::acl_report>(socket, "GET", api::k_acls_path);
      std::cout << (print_json ? body.dump(2) + "\n" : sluice::format_acls(acls));
    } else if (command == "trace") {
      if (vm["command"].as<std::vector<std::string>>().size() != 1)
        usage_error("trace: takes options only (--vip, --client, --backend, --drops, --count, --seconds)");
      run_trace(vm, socket, print_json);
    } else if (command == "reload") {
      call_as<api::reload_reply>(socket, "POST", api::k_reload_path);
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
