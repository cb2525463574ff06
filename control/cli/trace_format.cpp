#include "control/cli/trace_format.hpp"

#include <fmt/format.h>

#include <map>

namespace sluice {
namespace {

std::string tuple_text(const std::string& protocol, const std::string& src, const std::string& dst) {
  if (protocol.empty()) return "(not IPv4)";
  return fmt::format("{} {} > {}", protocol, src, dst);
}

} // namespace

std::string format_trace_entry(const api::trace_entry& e) {
  std::string out = fmt::format("+{}.{:06}s worker {} in {}{}: {}{}\n", e.at_us / 1'000'000,
                                e.at_us % 1'000'000, e.worker, e.interface,
                                e.handed_in ? " (handed over)" : "",
                                tuple_text(e.protocol, e.source, e.destination),
                                e.tcp_flags.empty() ? "" : " [" + e.tcp_flags + "]");
  if (e.local) out += "  local:   delivered to the gateway itself\n";
  if (!e.flow.empty()) {
    std::string line = "  flow:    " + e.flow;
    if (!e.direction.empty())
      line += fmt::format(", {}; service {} {} -> backend {} ({})", e.direction, e.service,
                          e.scheduler, e.backend, e.forwarding);
    out += line + "\n";
  }
  if (!e.acl.empty())
    out += "  acl:     " + e.acl + (e.acl_rule.empty() ? "" : " by " + e.acl_rule) + "\n";
  if (e.outcome == "forwarded") {
    out += "  rewrite: " + tuple_text(e.protocol, e.rewritten_source, e.rewritten_destination) +
           "\n";
    out += "  egress:  " + e.egress + (e.next_hop.empty() ? "" : ", next hop " + e.next_hop) + "\n";
  } else if (e.outcome == "kernel") {
    out += "  egress:  the kernel, by " + e.egress + "'s exception path\n";
  } else if (e.outcome == "handed_off") {
    out += fmt::format("  handoff: to worker {}, which owns its flow\n", e.handoff_to);
  } else if (e.outcome == "held") {
    out += "  held:    waiting for its next hop's ARP answer or the rest of its datagram\n";
  } else if (e.outcome == "dropped") {
    out += "  dropped: " + e.drop + "\n";
  }
  return out;
}

std::string format_trace_summary(const std::vector<api::trace_entry>& shown, uint64_t lost) {
  std::map<std::string, uint64_t> drops;
  for (const api::trace_entry& e : shown)
    if (e.outcome == "dropped") ++drops[e.drop];
  std::string out = fmt::format("{} packet{} traced", shown.size(), shown.size() == 1 ? "" : "s");
  if (lost != 0) out += fmt::format(", {} lost (a worker's trace ring was full)", lost);
  out += "\n";
  if (!drops.empty()) {
    out += "drops by reason:\n";
    for (const auto& [reason, n] : drops) out += fmt::format("  {:<28} {}\n", reason, n);
  }
  return out;
}

} // namespace sluice
