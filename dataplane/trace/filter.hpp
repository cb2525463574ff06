#pragma once
// Which packets a trace session records (sluicectl trace --vip, --client, --backend, --drops).
// Every criterion given must hold. A packet is judged twice: cheaply before a stage handles it
// (may_match_*: could it match? only those are observed, so a filter that matches nothing costs
// a compare per packet) and exactly on its finished record (matches()). Pure functions of plain
// data: the unit tests run the code the workers run.

#include <cstdint>

#include "dataplane/flow/flow.hpp"
#include "dataplane/trace/record.hpp"

namespace sluice {

struct trace_filter {
  bool by_vip = false;     // the flow's VIP:port, or without a flow the destination it arrived for
  uint32_t vip = 0;        // network byte order
  uint16_t vip_port = 0;   // network byte order
  bool by_client = false;  // the flow's client, or without a flow the source, within the prefix
  uint32_t client = 0;     // network byte order
  uint8_t client_len = 32;
  bool by_backend = false; // the flow's backend (a packet without a flow never matches)
  uint32_t backend = 0;
  uint16_t backend_port = 0;
  bool drops_only = false; // only packets that were dropped

  bool client_has(uint32_t addr) const noexcept {
    if (client_len == 0) return true;
    const uint32_t mask = ~uint32_t{0} << (32 - client_len);
    return ((be32(addr) ^ be32(client)) & mask) == 0;
  }

  // A packet as read off the wire, before any stage, for the stages that may consume it before
  // the flow lookup (local delivery, drops in parse): the VIP criterion is judged on its
  // destination (a reply that is not consumed there is judged on its flow, may_match_flow()).
  bool may_match_frame(const trace_tuple& t) const noexcept {
    return (!by_vip || t.dst == vip) && (!by_client || client_has(t.src) || client_has(t.dst)) &&
           (!by_backend || t.src == backend || t.dst == backend);
  }
  // A packet of flow `f`.
  bool may_match_flow(const flow& f) const noexcept {
    return (!by_vip || (f.vip == vip && f.vip_port == vip_port)) &&
           (!by_client || client_has(f.client_addr)) &&
           (!by_backend || (f.backend_addr == backend && f.backend_port == backend_port));
  }
  // A packet without a flow, which may open one (its backend is not chosen yet).
  bool may_match_new(const trace_tuple& t) const noexcept {
    return (!by_vip || (t.dst == vip && t.dport == vip_port)) && (!by_client || client_has(t.src));
  }

  // The finished record.
  bool matches(const trace_record& r) const noexcept {
    const bool has_flow = r.flow == trace_flow::hit || r.flow == trace_flow::opened;
    if (drops_only && r.outcome != trace_outcome::dropped) return false;
    if (by_vip && !(has_flow ? r.vip == vip && r.vip_port == vip_port
                             : r.before.dst == vip && r.before.dport == vip_port))
      return false;
    if (by_client && !client_has(r.client)) return false;
    if (by_backend && !(has_flow && r.backend == backend && r.backend_port == backend_port))
      return false;
    return true;
  }

private:
  static uint32_t be32(uint32_t v) noexcept { return __builtin_bswap32(v); }
};

} // namespace sluice
