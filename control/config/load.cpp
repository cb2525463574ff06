#include "control/config/load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "control/acl/effective.hpp"
#include "control/acl/parse.hpp"
#include "control/config/load_announce.hpp"
#include "control/config/load_bgp.hpp"
#include "control/config/load_kubernetes.hpp"
#include "control/config/yaml_reader.hpp"
#include "control/health/parse.hpp"
#include "control/snapshot/maglev.hpp"
#include "dataplane/net/ipv4.hpp"
#include "dataplane/net/ipv6.hpp"

namespace sluice {
namespace {

std::string at(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

// dataplane.idle_max_sleep_us: below 10 µs a sleep costs more than polling; above 50 ms a
// sleeping worker would hold back flow expiry (ticks of 1/32 s) and hand-offs too long.
constexpr int64_t k_idle_min_sleep_bound_us = 10;
constexpr int64_t k_idle_max_sleep_bound_us = 50'000;
// dataplane.idle_spin_us: past a millisecond of spinning, adaptive is poll by another name.
constexpr int64_t k_idle_max_spin_us = 1000;

// Schedulers the dataplane implements today; the rest are refused, not ignored.
bool scheduler_supported(scheduler_kind) { return true; } // all of IPVS's, plus random

bool on_some_link(const std::vector<interface_config>& ifaces, uint32_t addr) {
  for (const interface_config& i : ifaces) {
    if (!i.has_ipv4()) continue;
    const uint32_t mask = prefix_mask(i.prefix_len);
    if ((addr & mask) == (i.addr & mask)) return true;
  }
  return false;
}

class config_parser {
public:
  config_parser(const std::string& file, std::vector<config_error>& errors,
                bool services_by_name = false)
      : r_(file, errors), services_by_name_(services_by_name) {}

  void parse(const YAML::Node& root, config& c) {
    if (!r_.map(root, "",
                {"dataplane", "interfaces", "services", "acls", "global_acls", "admin", "kubernetes",
                 "address_pools", "announce"}))
      return;
    if (root["dataplane"]) parse_dataplane(root["dataplane"], c.dataplane);
    if (!root["interfaces"]) {
      r_.error(root, "interfaces", "is required (at least one interface)");
    } else if (r_.sequence(root["interfaces"], "interfaces")) {
      const YAML::Node list = root["interfaces"];
      if (list.size() == 0) r_.error(list, "interfaces", "needs at least one interface");
      for (std::size_t i = 0; i < list.size(); ++i)
        parse_interface(list[i], at("interfaces", i), c.interfaces);
      check_exception_paths(r_, list, c.interfaces);
    }
    // Sets first: services and global_acls refer to them by name.
    if (root["acls"]) parse_acl_sets(r_, root["acls"], c.acls);
    if (root["global_acls"])
      parse_acl_refs(r_, root["global_acls"], "global_acls", c.acls, c.global_acls);
    if (root["services"]) parse_services(root["services"], c);
    if (root["admin"]) parse_admin(root["admin"], c.admin);
    if (root["kubernetes"]) parse_kubernetes(r_, root["kubernetes"], c.kubernetes);
    if (root["address_pools"]) parse_address_pools(r_, root["address_pools"], c.address_pools);
    if (const YAML::Node a = root["announce"]; a && r_.map(a, "announce", {"bgp", "l2"})) {
      if (a["bgp"]) parse_bgp_announce(r_, a["bgp"], c.interfaces, c.announce.bgp);
      if (a["l2"]) parse_l2_announce(r_, a["l2"], c.announce.l2);
    }
  }

  // Appends every valid service of `list` to c.services, checked against c's interfaces and
  // the services before it.
  void parse_services(const YAML::Node& list, config& c) {
    if (!r_.sequence(list, "services")) return;
    for (std::size_t i = 0; i < list.size(); ++i)
      if (auto s = parse_service(list[i], service_field(list[i], i), c, k_none))
        c.services.push_back(std::move(*s));
  }

  // One service, checked against c's interfaces and every service of c except c.services[skip]
  // (the one it replaces; k_none: it replaces none). Nullopt when it has errors.
  std::optional<service_config> parse_one_service(const YAML::Node& n, const config& c,
                                                  std::size_t skip) {
    return parse_service(n, service_field(n, 0), c, skip);
  }

  static constexpr std::size_t k_none = SIZE_MAX;

private:
  // "services[3]" in files (the operator counts entries); "services[web]" for runtime changes,
  // where the index of an entry the operator never wrote means nothing to them.
  std::string service_field(const YAML::Node& n, std::size_t i) const {
    if (services_by_name_ && n.IsMap() && n["name"] && n["name"].IsScalar() &&
        !n["name"].Scalar().empty())
      return "services[" + n["name"].Scalar() + "]";
    return at("services", i);
  }

  void parse_dataplane(const YAML::Node& n, dataplane_config& d) {
    if (!r_.map(n, "dataplane",
                {"eal_args", "workers", "flows_per_worker", "max_half_open", "max_services",
                 "max_backends", "affinity_templates", "maglev_table_size", "timeouts", "max_acl_rules",
                 "acl_pending_packets", "idle", "idle_spin_us", "idle_max_sleep_us"}))
      return;
    if (n["eal_args"] && r_.sequence(n["eal_args"], "dataplane.eal_args")) {
      d.eal_args.clear();
      for (std::size_t i = 0; i < n["eal_args"].size(); ++i)
        if (auto s = r_.string(n["eal_args"][i], at("dataplane.eal_args", i)))
          d.eal_args.push_back(*s);
    }
    if (n["workers"])
      if (auto v = r_.integer(n["workers"], "dataplane.workers", 1, 64)) d.workers = unsigned(*v);
    if (n["flows_per_worker"])
      if (auto v = r_.integer(n["flows_per_worker"], "dataplane.flows_per_worker", 1024, 1 << 26))
        d.flows_per_worker = uint32_t(*v);
    // 0 is refused rather than read as "off": a cap of 0 would refuse every TCP connection. A cap
    // equal to flows_per_worker lets half-open flows take the whole table.
    if (n["max_half_open"])
      if (auto v = r_.integer(n["max_half_open"], "dataplane.max_half_open", 1, 1 << 26)) {
        if (uint32_t(*v) <= d.flows_per_worker)
          d.max_half_open = uint32_t(*v);
        else
          r_.error(n["max_half_open"], "dataplane.max_half_open",
                   "must not exceed dataplane.flows_per_worker (" +
                       std::to_string(d.flows_per_worker) + "): half-open flows are flows");
      }
    if (n["max_services"])
      if (auto v = r_.integer(n["max_services"], "dataplane.max_services", 1, 1 << 20))
        d.max_services = uint32_t(*v);
    if (n["affinity_templates"])
      if (auto v = r_.integer(n["affinity_templates"], "dataplane.affinity_templates", 64, 1 << 24))
        d.affinity_templates = uint32_t(*v);
    if (n["max_backends"])
      if (auto v = r_.integer(n["max_backends"], "dataplane.max_backends", 1, 1 << 22))
        d.max_backends = uint32_t(*v);
    if (n["max_acl_rules"])
      if (auto v = r_.integer(n["max_acl_rules"], "dataplane.max_acl_rules", 1, 1 << 22))
        d.max_acl_rules = uint32_t(*v);
    if (n["acl_pending_packets"])
      if (auto v = r_.integer(n["acl_pending_packets"], "dataplane.acl_pending_packets", 1, 64))
        d.acl_pending_packets = uint32_t(*v);
    if (n["idle"])
      if (auto m = r_.choice(n["idle"], "dataplane.idle", {"adaptive", "poll"}))
        d.idle = *m == 0 ? idle_mode::adaptive : idle_mode::poll;
    if (n["idle_spin_us"])
      if (auto v = r_.integer(n["idle_spin_us"], "dataplane.idle_spin_us", 0, k_idle_max_spin_us))
        d.idle_spin_us = uint32_t(*v);
    if (n["idle_max_sleep_us"])
      if (auto v = r_.integer(n["idle_max_sleep_us"], "dataplane.idle_max_sleep_us",
                              k_idle_min_sleep_bound_us, k_idle_max_sleep_bound_us))
        d.idle_max_sleep_us = uint32_t(*v);
    if (n["maglev_table_size"])
      if (auto v = r_.integer(n["maglev_table_size"], "dataplane.maglev_table_size",
                              k_maglev_min_table_size, k_maglev_max_table_size)) {
        if (is_prime(uint64_t(*v)))
          d.maglev_table_size = uint32_t(*v);
        else
          r_.error(n["maglev_table_size"], "dataplane.maglev_table_size",
                   "must be a prime number (Maglev needs it: e.g. 65537, 131071, 1000003)");
      }
    if (const YAML::Node t = n["timeouts"]) {
      if (!r_.map(t, "dataplane.timeouts",
                  {"tcp_established", "tcp_syn_recv", "tcp_fin_wait", "tcp_close", "udp"}))
        return;
      auto seconds = [&](const char* key, uint32_t& out) {
        if (t[key])
          if (auto v = r_.integer(t[key], std::string("dataplane.timeouts.") + key, 1, 86400 * 7))
            out = uint32_t(*v);
      };
      seconds("tcp_established", d.timeouts.tcp_established);
      seconds("tcp_syn_recv", d.timeouts.tcp_syn_recv);
      seconds("tcp_fin_wait", d.timeouts.tcp_fin_wait);
      seconds("tcp_close", d.timeouts.tcp_close);
      seconds("udp", d.timeouts.udp);
    }
  }

  void parse_interface(const YAML::Node& n, const std::string& f,
                       std::vector<interface_config>& out) {
    if (!r_.map(n, f,
                {"name", "device", "address", "addresses", "gateway", "neighbors",
                 "exception_path"}))
      return;
    const std::size_t errors_before = r_.error_count();
    interface_config i;
    require(n, f, "name") && assign(r_.string(n["name"], f + ".name"), i.name);
    require(n, f, "device") && assign(r_.string(n["device"], f + ".device"), i.device);
    const std::size_t errors_before_addresses = r_.error_count();
    parse_interface_addresses(n, f, i);
    // Gateways and neighbours are checked against the addresses only when those were valid: a
    // refused address is one error, not one more per key that depends on it.
    const bool addresses_valid = r_.error_count() == errors_before_addresses;
    if (const YAML::Node g = n["gateway"]) {
      // One gateway per family: an address, or a list of them for an interface with both.
      if (g.IsSequence()) {
        if (g.size() == 0) r_.error(g, f + ".gateway", "needs at least one address (or leave it out)");
        for (std::size_t k = 0; k < g.size(); ++k)
          parse_gateway(g[k], at(f + ".gateway", k), i, addresses_valid);
      } else {
        parse_gateway(g, f + ".gateway", i, addresses_valid);
      }
    }
    if (n["neighbors"] && r_.sequence(n["neighbors"], f + ".neighbors")) {
      for (std::size_t k = 0; k < n["neighbors"].size(); ++k) {
        const YAML::Node nb = n["neighbors"][k];
        const std::string nf = at(f + ".neighbors", k);
        if (!r_.map(nb, nf, {"address", "mac"})) continue;
        neighbor_config c{};
        if (require(nb, nf, "address"))
          if (auto a = r_.ip_address(nb["address"], nf + ".address")) {
            c.addr = *a;
            if (addresses_valid && !has_family(i, a->family()))
              r_.error(nb["address"], nf + ".address",
                       std::string("is ") + family_name(a->family()) +
                           " but the interface has no address of that family");
          }
        if (require(nb, nf, "mac")) assign(r_.mac(nb["mac"], nf + ".mac"), c.mac);
        i.neighbors.push_back(c);
      }
    }
    if (n["exception_path"])
      i.exception_path = parse_exception_path(r_, n["exception_path"], f + ".exception_path");
    for (const interface_config& other : out) {
      if (!i.name.empty() && other.name == i.name)
        r_.error(n["name"], f + ".name", "duplicate interface name \"" + i.name + "\"");
      if (!i.device.empty() && other.device == i.device)
        r_.error(n["device"], f + ".device", "device already used by \"" + other.name + "\"");
    }
    if (r_.error_count() == errors_before) out.push_back(std::move(i));
  }

  static const char* family_name(addr_family f) {
    switch (f) {
    case addr_family::ipv4:
      return "IPv4";
    case addr_family::ipv6:
      return "IPv6";
    }
    return "";
  }
  static bool has_family(const interface_config& i, addr_family f) {
    switch (f) {
    case addr_family::ipv4:
      return i.has_ipv4();
    case addr_family::ipv6:
      return i.has_ipv6();
    }
    return false;
  }

  // `address` (one CIDR of either family) or `addresses` (a list, at most one per family): one
  // of the two, never both.
  void parse_interface_addresses(const YAML::Node& n, const std::string& f, interface_config& i) {
    if (n["address"] && n["addresses"]) {
      r_.error(n["addresses"], f + ".addresses",
               "cannot be given with address (use addresses alone for both families)");
      return;
    }
    if (n["addresses"]) {
      const YAML::Node list = n["addresses"];
      if (!r_.sequence(list, f + ".addresses")) return;
      if (list.size() == 0 || list.size() > 2)
        r_.error(list, f + ".addresses", "needs one or two addresses (at most one per family)");
      for (std::size_t k = 0; k < list.size(); ++k)
        parse_interface_address(list[k], at(f + ".addresses", k), i);
      return;
    }
    if (!n["address"]) {
      r_.error(n, f + ".address", "is required (or addresses)");
      return;
    }
    parse_interface_address(n["address"], f + ".address", i);
  }

  void parse_interface_address(const YAML::Node& n, const std::string& field, interface_config& i) {
    const auto p = r_.ip_prefix(n, field);
    if (!p) return;
    const auto& [addr, len] = *p;
    if (has_family(i, addr.family())) {
      r_.error(n, field, std::string("is a second ") + family_name(addr.family()) +
                             " address (one per family)");
      return;
    }
    switch (addr.family()) {
    case addr_family::ipv4:
      if (len == 0 || len == 32) return r_.error(n, field, "prefix length must be 1..31");
      i.addr = addr.v4();
      i.prefix_len = len;
      return;
    case addr_family::ipv6:
      if (len == 0 || len == 128) return r_.error(n, field, "prefix length must be 1..127");
      if (is_multicast6(addr.v6()) || is_unspecified6(addr.v6()) || is_link_local6(addr.v6()) ||
          addr == ip_addr::ipv6(*parse_ipv6("::1")))
        return r_.error(n, field,
                        "must be a global or unique-local unicast address (not multicast, "
                        "unspecified, loopback or link-local)");
      std::memcpy(i.addr6.data(), addr.v6(), 16);
      i.prefix6 = len;
      return;
    }
  }

  // A gateway of either family, inside the subnet of the interface's address of its family (an
  // IPv6 gateway may also be link-local, as routers advertise themselves).
  void parse_gateway(const YAML::Node& n, const std::string& field, interface_config& i,
                     bool addresses_valid) {
    const auto g = r_.ip_address(n, field);
    if (!g || !addresses_valid) return;
    if (!has_family(i, g->family()))
      return r_.error(n, field, std::string("is ") + family_name(g->family()) +
                                    " but the interface has no address of that family");
    switch (g->family()) {
    case addr_family::ipv4: {
      if (i.gateway != 0) return r_.error(n, field, "is a second IPv4 gateway (one per family)");
      i.gateway = g->v4();
      const uint32_t mask = prefix_mask(i.prefix_len);
      if ((i.gateway & mask) != (i.addr & mask))
        r_.error(n, field, "is not inside the interface's subnet");
      return;
    }
    case addr_family::ipv6:
      if (!is_unspecified6(i.gateway6.data()))
        return r_.error(n, field, "is a second IPv6 gateway (one per family)");
      std::memcpy(i.gateway6.data(), g->v6(), 16);
      if (!same_prefix6(g->v6(), i.addr6.data(), i.prefix6) && !is_link_local6(g->v6()))
        r_.error(n, field, "is neither inside the interface's prefix nor link-local");
      return;
    }
  }

  std::optional<service_config> parse_service(const YAML::Node& n, const std::string& f,
                                              const config& c, std::size_t skip) {
    if (!r_.map(n, f,
                {"name", "address", "port", "protocol", "forwarding", "scheduler",
                 "persistence_timeout", "drain_timeout", "backends", "local_addresses",
                 "proxy_protocol", "acls", "health_check", "allowed_sources"}))
      return std::nullopt;
    const std::size_t errors_before = r_.error_count();
    service_config s;
    s.proto = IPPROTO_TCP;
    require(n, f, "name") && assign(r_.string(n["name"], f + ".name"), s.name);
    require(n, f, "address") && assign(r_.ipv4(n["address"], f + ".address"), s.vip);
    if (n["protocol"])
      if (auto p = r_.choice(n["protocol"], f + ".protocol", {"tcp", "udp"}))
        s.proto = *p == 0 ? IPPROTO_TCP : IPPROTO_UDP;
    if (n["forwarding"])
      if (auto m = r_.choice(n["forwarding"], f + ".forwarding", {"nat", "dr", "tun", "fnat"})) {
        s.mode = static_cast<forwarding>(*m);
      }
    if (n["scheduler"])
      if (auto k = r_.choice(n["scheduler"], f + ".scheduler",
                             {"rr", "wrr", "lc", "wlc", "sh", "dh", "mh", "random"})) {
        s.scheduler = static_cast<scheduler_kind>(*k);
        if (!scheduler_supported(s.scheduler))
          r_.error(n["scheduler"], f + ".scheduler",
                   "\"" + std::string(name_of(s.scheduler)) + "\" is not implemented yet (use rr)");
      }
    if (n["port"]) {
      if (auto p = r_.integer(n["port"], f + ".port", 1, 65535)) s.port = htons(uint16_t(*p));
    } else if (s.mode == forwarding::nat || s.mode == forwarding::fnat) {
      r_.error(n, f + ".port", "is required for forwarding " + std::string(name_of(s.mode)) +
                                   " (only dr and tun services may cover every port)");
    }
    if (n["persistence_timeout"])
      if (auto t = r_.integer(n["persistence_timeout"], f + ".persistence_timeout", 0, 86400 * 31))
        s.persistence_timeout = uint32_t(*t);
    if (n["drain_timeout"])
      if (auto t = r_.integer(n["drain_timeout"], f + ".drain_timeout", 0, 86400 * 31))
        s.drain_timeout = uint32_t(*t);
    if (require(n, f, "backends") && r_.sequence(n["backends"], f + ".backends")) {
      for (std::size_t k = 0; k < n["backends"].size(); ++k)
        parse_backend(n["backends"][k], at(f + ".backends", k), s);
      if (s.mode == forwarding::dr)
        for (std::size_t k = 0; k < s.backends.size(); ++k)
          if (!on_some_link(c.interfaces, s.backends[k].addr))
            r_.error(n["backends"][k]["address"], at(f + ".backends", k) + ".address",
                     "is in no interface's subnet: forwarding dr reaches a backend by its MAC "
                     "address, so it must share a link with the gateway");
      if (s.scheduler == scheduler_kind::mh && s.backends.size() >= c.dataplane.maglev_table_size)
        r_.error(n["backends"], f + ".backends",
                 "mh needs fewer backends than dataplane.maglev_table_size (" +
                     std::to_string(c.dataplane.maglev_table_size) + ")");
    }
    if (n["local_addresses"]) parse_local_addresses(n["local_addresses"], f, c, skip, s);
    if (n["proxy_protocol"])
      if (auto v = r_.choice(n["proxy_protocol"], f + ".proxy_protocol", {"none", "v2"})) {
        s.proxy_protocol_v2 = *v == 1;
        if (s.proxy_protocol_v2 && (s.mode != forwarding::fnat || s.proto != IPPROTO_TCP))
          r_.error(n["proxy_protocol"], f + ".proxy_protocol",
                   "v2 needs forwarding fnat and protocol tcp (the header goes into the TCP "
                   "stream the gateway terminates neither end of)");
      }
    if (n["acls"]) parse_acl_refs(r_, n["acls"], f + ".acls", c.acls, s.acls);
    if (n["health_check"])
      s.health_check = parse_health_check(r_, n["health_check"], f + ".health_check", s.proto, s.port);
    if (n["allowed_sources"]) {
      parse_acl_prefixes(r_, n["allowed_sources"], f + ".allowed_sources", s.allowed_sources);
      if (!s.name.empty())
        for (const acl_set_config& set : c.acls)
          if (set.name == allowed_sources_set_name(s.name))
            r_.error(n["allowed_sources"], f + ".allowed_sources",
                     "its implicit ACL set would be named \"" + set.name +
                         "\", which acls already defines");
    }
    for (std::size_t k = 0; k < c.services.size(); ++k) {
      if (k == skip) continue;
      const service_config& other = c.services[k];
      for (uint32_t a : other.local_addresses)
        if (s.vip == a)
          r_.error(n["address"], f + ".address",
                   "is a local address of service \"" + other.name + "\" (local_addresses)");
      if (!s.name.empty() && other.name == s.name)
        r_.error(n["name"], f + ".name", "duplicate service name \"" + s.name + "\"");
      if (s.vip != 0 && other.vip == s.vip && other.port == s.port && other.proto == s.proto)
        r_.error(n, f, "same address, port and protocol as service \"" + other.name + "\"");
    }
    for (const interface_config& i : c.interfaces)
      if (i.has_ipv4() && s.vip == i.addr)
        r_.error(n["address"], f + ".address", "is interface \"" + i.name + "\"'s own address");
    if (r_.error_count() != errors_before) return std::nullopt;
    return s;
  }

  // Full-NAT local addresses: the gateway answers ARP for them and receives the backends'
  // replies on them, so each must sit on one of its links, and be neither an interface's own
  // address (that is the default: leave the list out) nor a VIP.
  void parse_local_addresses(const YAML::Node& list, const std::string& f, const config& c,
                             std::size_t skip, service_config& s) {
    const std::string lf = f + ".local_addresses";
    if (s.mode != forwarding::fnat) {
      r_.error(list, lf, "only applies to forwarding fnat (the service uses " +
                             std::string(name_of(s.mode)) + ")");
      return;
    }
    if (!r_.sequence(list, lf)) return;
    if (list.size() == 0) r_.error(list, lf, "needs at least one address (or leave it out)");
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string af = at(lf, k);
      const auto a = r_.ipv4(list[k], af);
      if (!a) continue;
      bool bad = false;
      auto refuse = [&](const std::string& why) { r_.error(list[k], af, why), bad = true; };
      if (!on_some_link(c.interfaces, *a))
        refuse("is in no interface's subnet: backends must reach it on a link of the gateway");
      for (const interface_config& i : c.interfaces)
        if (i.has_ipv4() && *a == i.addr)
          refuse("is interface \"" + i.name + "\"'s own address (leave local_addresses out to "
                 "use it)");
      if (*a == s.vip) refuse("is the service's own address");
      for (std::size_t o = 0; o < c.services.size(); ++o)
        if (o != skip && c.services[o].vip == *a)
          refuse("is the address of service \"" + c.services[o].name + "\"");
      for (uint32_t seen : s.local_addresses)
        if (seen == *a) refuse("duplicate local address " + format_ipv4(*a));
      if (!bad) s.local_addresses.push_back(*a);
    }
  }

  void parse_backend(const YAML::Node& n, const std::string& f, service_config& s) {
    if (!r_.map(n, f, {"address", "port", "weight"})) return;
    backend_config b{};
    b.port = s.port;
    require(n, f, "address") && assign(r_.ipv4(n["address"], f + ".address"), b.addr);
    // Without a port the backend takes the VIP's (dr/tun any-port services: the client's).
    if (n["port"])
      if (auto p = r_.integer(n["port"], f + ".port", 1, 65535)) b.port = htons(uint16_t(*p));
    // DR and TUN deliver the client's packet as sent: the backend listens on the VIP's port.
    if (n["port"] && b.port != s.port && (s.mode == forwarding::dr || s.mode == forwarding::tun))
      r_.error(n["port"], f + ".port",
               s.port == 0 ? "must be left out: forwarding " + std::string(name_of(s.mode)) +
                                 " keeps the client's destination port (the service covers every port)"
                           : "must equal the service port " + std::to_string(ntohs(s.port)) +
                                 ": forwarding " + std::string(name_of(s.mode)) +
                                 " cannot change the destination port");
    if (n["weight"])
      if (auto w = r_.integer(n["weight"], f + ".weight", 0, 65535)) b.weight = uint16_t(*w);
    for (const backend_config& other : s.backends)
      if (other.addr == b.addr && other.port == b.port)
        r_.error(n, f, "duplicate backend " + format_ipv4(b.addr) + ":" +
                           std::to_string(ntohs(b.port)));
    s.backends.push_back(b);
  }

  void parse_admin(const YAML::Node& n, admin_config& a) {
    if (!r_.map(n, "admin", {"socket", "metrics"})) return;
    if (n["socket"]) assign(r_.string(n["socket"], "admin.socket"), a.socket);
    if (n["metrics"] && assign(r_.string(n["metrics"], "admin.metrics"), a.metrics)) {
      const auto colon = a.metrics.rfind(':');
      int port = 0;
      const char* end = a.metrics.data() + a.metrics.size();
      const bool ok = colon != std::string::npos &&
                      parse_ipv4(std::string_view(a.metrics).substr(0, colon)) &&
                      std::from_chars(a.metrics.data() + colon + 1, end, port).ptr == end &&
                      port >= 1 && port <= 65535;
      if (!ok)
        r_.error(n["metrics"], "admin.metrics",
                 "must be IPV4:PORT, the TCP address to serve /metrics on (got \"" + a.metrics +
                     "\")");
    }
  }

  bool require(const YAML::Node& map, const std::string& f, const char* key) {
    if (map[key]) return true;
    r_.error(map, f + "." + key, "is required");
    return false;
  }

  template <typename T, typename U>
  static bool assign(const std::optional<T>& v, U& out) {
    if (v) out = *v;
    return v.has_value();
  }

  yaml_reader r_;
  bool services_by_name_;
};

} // namespace

std::string config_error::to_string() const {
  std::string s;
  if (!file.empty()) {
    s = file + ":";
    if (line > 0) s += std::to_string(line) + ":";
    s += " ";
  }
  if (!field.empty()) s += field + ": ";
  return s + message;
}

load_result parse_config(std::string_view yaml_text, const std::string& file_name) {
  load_result result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    result.errors.push_back({file_name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg});
    return result;
  }
  config c;
  try {
    config_parser(file_name, result.errors).parse(root, c);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on some malformed trees (e.g. an alias to nothing); never crash on input.
    result.errors.push_back({file_name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg});
  }
  if (result.errors.empty()) result.cfg = std::move(c);
  return result;
}

load_result with_services(const config& base, const YAML::Node& services) {
  load_result result;
  config c = base;
  c.services.clear();
  try {
    config_parser("", result.errors, /*services_by_name=*/true).parse_services(services, c);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({"", 0, "services", e.msg});
  }
  if (result.errors.empty()) result.cfg = std::move(c);
  return result;
}

service_result validate_service(const config& base, const YAML::Node& service,
                                std::optional<std::size_t> replacing) {
  service_result result;
  try {
    result.service = config_parser("", result.errors, /*services_by_name=*/true)
                         .parse_one_service(service, base, replacing.value_or(SIZE_MAX));
  } catch (const YAML::Exception& e) {
    result.errors.push_back({"", 0, "services", e.msg});
  }
  if (!result.errors.empty()) result.service.reset();
  return result;
}

load_result load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {std::nullopt, {{path, 0, "", "cannot open the file"}}};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

} // namespace sluice
