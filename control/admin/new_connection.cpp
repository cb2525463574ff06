#include "control/admin/new_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "control/config/model.hpp"
#include "dataplane/acl/evaluate.hpp"
#include "dataplane/net/ipv4.hpp"
#include "dataplane/xmit/forwarding.hpp"

namespace sluice {
namespace {

bool hashes_the_tuple(scheduler_kind k) {
  return k == scheduler_kind::sh || k == scheduler_kind::dh || k == scheduler_kind::mh;
}

// The flow's backend port as the miss path writes it: DR and TUN keep the client's destination
// port (an any-port service's backends have port 0).
std::string backend_text(const snapshot_service& svc, const snapshot_backend& be, uint16_t vip_port) {
  return format_ipv4(be.addr) + ":" +
         std::to_string(ntohs(has_reply_path(svc.mode) ? be.port : vip_port));
}

// The verdict a worker reaches on the connection's first packet (a SYN carries no payload, so a
// payload rule in the way leaves TCP pending; a UDP datagram's payload is not known here).
std::string acl_verdict(const snapshot& s, const snapshot_service& svc, const sched_tuple& t) {
  if (s.acl == nullptr) return "allow";
  acl_flow_input in{};
  in.key = {.proto = t.proto, .pad = {}, .src = t.client_addr, .dst = t.vip,
            .src_port = t.client_port, .dst_port = t.vip_port};
  in.list = &s.acl->by_service[std::size_t(&svc - s.services.data())];
  in.payload = nullptr;
  in.payload_len = 0;
  in.can_wait = t.proto == IPPROTO_TCP;
  counter scans; // no payload: nothing is scanned, and no hit is counted (hit_slots 0)
  const acl_decision d =
      acl_decide_one(*s.acl, in, {.worker_id = 0, .hits = nullptr, .hit_slots = 0, .scans = &scans});
  switch (d.outcome) {
  case acl_outcome::allow: return "allow";
  case acl_outcome::pending: return "payload";
  case acl_outcome::deny: break;
  }
  switch (d.reply) {
  case acl_reply::rst: return "reset";
  case acl_reply::icmp: return "unreachable";
  case acl_reply::none: break;
  }
  return "deny";
}

} // namespace

api::new_connection new_connection_view(const snapshot& s, const snapshot_service& svc,
                                        const sched_tuple& t) {
  api::new_connection out{.scheduler = std::string(name_of(svc.scheduler)),
                          .affinity_seconds = svc.persistence,
                          .acl = acl_verdict(s, svc, t)};
  for (const snapshot_backend& be : svc.backends())
    if (be.weight > 0) out.candidates.push_back(backend_text(svc, be, t.vip_port));
  if (!hashes_the_tuple(svc.scheduler)) {
    out.decided_at_arrival = !out.candidates.empty();
    return out;
  }
  // The hash schedulers read neither the cursors nor the counters.
  scheduler_state unused(svc.slot + 1, 0);
  if (const auto i = pick_backend(s, svc, t, unused, nullptr))
    out.backend = backend_text(svc, svc.backends()[*i], t.vip_port);
  return out;
}

} // namespace sluice
