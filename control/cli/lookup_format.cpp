#include "control/cli/lookup_format.hpp"

#include <fmt/format.h>

namespace sluice {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

std::string acl_line(const std::string& verdict) {
  if (verdict == "allow") return "allowed";
  if (verdict == "payload") return "decided by a payload rule on the first data";
  if (verdict == "reset") return "refused (answered with a TCP reset)";
  if (verdict == "unreachable") return "refused (answered with ICMP unreachable)";
  return "refused (dropped)";
}

} // namespace

std::string format_lookup(const api::lookup_reply& b) {
  std::string out = fmt::format("{} {} -> {}  service {} ({}, {})\n", b.protocol, b.client,
                                b.virtual_, b.service.empty() ? "-" : b.service, b.forwarding,
                                b.if_new.scheduler);
  if (b.flow) {
    const api::flow_entry& f = *b.flow;
    out += fmt::format("flow:            worker {}, backend {}, {}, expires in {} s\n", f.worker,
                       f.backend, f.state, f.expires_in_ms / 1000);
  } else {
    out += "flow:            none on any worker\n";
  }
  const api::new_connection& n = b.if_new;
  if (!n.backend.empty())
    out += fmt::format("new connection:  backend {} ({} hashes this tuple)\n", n.backend, n.scheduler);
  else if (n.decided_at_arrival)
    out += fmt::format("new connection:  {} decides at arrival among {}\n", n.scheduler,
                       joined(n.candidates));
  else
    out += "new connection:  no backend takes new connections\n";
  if (n.affinity_seconds != 0)
    out += fmt::format("affinity:        {} s; a client with a live affinity keeps its backend\n",
                       n.affinity_seconds);
  out += "ACL:             " + acl_line(n.acl) + "\n";
  return out;
}

} // namespace sluice
