#include "control/admin/trace_view.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <optional>

#include "control/acl/cidr.hpp"
#include "control/admin/endpoint_arg.hpp"
#include "control/admin/views.hpp"
#include "control/config/model.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

std::string address_text(uint32_t addr) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof(buf));
  return buf;
}

std::string protocol_text(uint8_t proto) {
  switch (proto) {
  case 0: return "";
  case IPPROTO_TCP: return "tcp";
  case IPPROTO_UDP: return "udp";
  case IPPROTO_ICMP: return "icmp";
  default: return std::to_string(proto);
  }
}

// An endpoint of a tuple: "address:port" for TCP/UDP, the bare address otherwise.
std::string end_text(const trace_tuple& t, uint32_t addr, uint16_t port) {
  if (t.proto == 0) return "";
  if (t.proto != IPPROTO_TCP && t.proto != IPPROTO_UDP) return address_text(addr);
  return endpoint_text(addr, port);
}

std::string_view outcome_text(trace_outcome o) {
  switch (o) {
  case trace_outcome::forwarded: return "forwarded";
  case trace_outcome::to_kernel: return "kernel";
  case trace_outcome::handed_off: return "handed_off";
  case trace_outcome::held: return "held";
  case trace_outcome::dropped: return "dropped";
  }
  return "";
}

std::string_view flow_text(trace_flow f) {
  switch (f) {
  case trace_flow::none: return "";
  case trace_flow::hit: return "hit";
  case trace_flow::miss: return "miss";
  case trace_flow::opened: return "opened";
  }
  return "";
}

std::string_view acl_text(trace_acl a) {
  switch (a) {
  case trace_acl::not_judged: return "";
  case trace_acl::allowed: return "allowed";
  case trace_acl::denied: return "denied";
  case trace_acl::pending: return "pending";
  }
  return "";
}

} // namespace

std::variant<trace_filter, std::vector<std::string>> trace_filter_from(const api::trace_request& r) {
  trace_filter f;
  std::vector<std::string> problems;
  if (r.vip) {
    if (const auto e = parse_endpoint(*r.vip)) {
      f.by_vip = true;
      f.vip = e->addr;
      f.vip_port = e->port;
    } else {
      problems.push_back("vip: must be an IPv4 ADDRESS:PORT, port 1..65535 (got \"" + *r.vip + "\")");
    }
  }
  if (r.backend) {
    if (const auto e = parse_endpoint(*r.backend)) {
      f.by_backend = true;
      f.backend = e->addr;
      f.backend_port = e->port;
    } else {
      problems.push_back("backend: must be an IPv4 ADDRESS:PORT, port 1..65535 (got \"" +
                         *r.backend + "\")");
    }
  }
  if (r.client) {
    if (const auto c = parse_ipv4_cidr(*r.client)) {
      f.by_client = true;
      f.client = c->prefix.addr;
      f.client_len = c->prefix.len;
    } else {
      problems.push_back("client: must be an IPv4 ADDRESS or ADDRESS/LEN, LEN 0..32 (got \"" +
                         *r.client + "\")");
    }
  }
  f.drops_only = r.drops.value_or(false);
  if (!problems.empty()) return problems;
  return f;
}

std::string tcp_flags_text(uint8_t flags) {
  static constexpr std::pair<uint8_t, char> k_letters[] = {
      {0x02, 'S'}, {0x01, 'F'}, {0x04, 'R'}, {0x08, 'P'}, {0x10, 'A'}, {0x20, 'U'}};
  std::string s;
  for (const auto& [bit, letter] : k_letters)
    if (flags & bit) s += letter;
  return s;
}

api::trace_entry trace_entry_view(const trace_record& r, const trace_names& names) {
  api::trace_entry e;
  e.at_us = r.tsc > names.start_tsc ? (r.tsc - names.start_tsc) * 1'000'000 / names.tsc_hz : 0;
  e.worker = r.worker;
  e.interface = r.in_iface < names.interfaces.size() ? names.interfaces[r.in_iface]
                                                     : std::to_string(r.in_iface);
  e.handed_in = r.handed_in;
  e.protocol = protocol_text(r.before.proto);
  if (r.before.proto == IPPROTO_TCP) e.tcp_flags = tcp_flags_text(r.tcp_flags);
  e.source = end_text(r.before, r.before.src, r.before.sport);
  e.destination = end_text(r.before, r.before.dst, r.before.dport);
  e.local = r.local;
  e.flow = flow_text(r.flow);
  const bool has_flow = r.flow == trace_flow::hit || r.flow == trace_flow::opened;
  if (has_flow) {
    e.direction = r.reply ? "reply" : "forward";
    e.service = endpoint_text(r.vip, r.vip_port);
    e.backend = endpoint_text(r.backend, r.backend_port);
    e.scheduler = name_of(scheduler_kind(r.scheduler));
    e.forwarding = name_of(forwarding(r.mode));
  }
  e.acl = acl_text(r.acl);
  if (r.acl_rule != k_trace_no_rule) {
    const auto it = names.acl_rules.find(r.acl_rule);
    e.acl_rule = it != names.acl_rules.end() ? it->second : "slot " + std::to_string(r.acl_rule);
  }
  e.outcome = outcome_text(r.outcome);
  if (r.outcome == trace_outcome::handed_off) e.handoff_to = r.handoff_to;
  if (r.outcome == trace_outcome::forwarded || r.outcome == trace_outcome::to_kernel)
    e.egress = r.out_iface < names.interfaces.size() ? names.interfaces[r.out_iface]
                                                     : std::to_string(r.out_iface);
  if (r.outcome == trace_outcome::forwarded) {
    e.rewritten_source = end_text(r.after, r.after.src, r.after.sport);
    e.rewritten_destination = end_text(r.after, r.after.dst, r.after.dport);
    if (r.next_hop != 0) e.next_hop = address_text(r.next_hop);
  }
  if (r.outcome == trace_outcome::dropped && r.drop < drop_reason::count_)
    e.drop = name_of(r.drop);
  return e;
}

} // namespace sluice
