// GET /v1/lookup (sluicectl lookup): the connection's live flow, asked of every worker, and what a
// new connection with its tuple would get from the running snapshot.

#include <arpa/inet.h>
#include <netinet/in.h>

#include <map>
#include <optional>
#include <string>

#include "control/admin/endpoint_arg.hpp"
#include "control/admin/new_connection.hpp"
#include "control/admin/views.hpp"
#include "control/daemon/control_plane.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {

admin_response control_plane::lookup(const api::lookup_query& q) {
  std::vector<std::string> problems;
  uint8_t proto = 0;
  if (!q.protocol) problems.push_back("protocol: is required (tcp or udp)");
  else if (*q.protocol == "tcp") proto = IPPROTO_TCP;
  else if (*q.protocol == "udp") proto = IPPROTO_UDP;
  else problems.push_back("protocol: must be tcp or udp (got \"" + *q.protocol + "\")");
  std::optional<endpoint_value> client, vip;
  for (auto [field, value, out] : {std::tuple{"client", &q.client, &client},
                                   std::tuple{"virtual", &q.virtual_, &vip}}) {
    if (!*value) problems.push_back(std::string(field) + ": is required (ADDRESS:PORT)");
    else if (!(*out = parse_endpoint(**value)))
      problems.push_back(std::string(field) + ": must be an IPv4 ADDRESS:PORT, port 1..65535 (got \"" +
                         **value + "\")");
  }
  if (!problems.empty()) return error_response(422, problems);

  std::lock_guard lock(mu_);
  const snapshot& s = desired_.published();
  const snapshot_service* svc = s.find_vip_service(vip->addr, vip->port, proto);
  if (svc == nullptr)
    return error_response(404, {"virtual: no " + *q.protocol + " service at " + *q.virtual_});
  const std::size_t index = std::size_t(svc - s.services.data());
  const config& applied = desired_.applied();
  api::lookup_reply reply{
      .protocol = *q.protocol,
      .client = *q.client,
      .virtual_ = *q.virtual_,
      // The published snapshot was compiled from the applied config, service for service.
      .service = index < applied.services.size() ? applied.services[index].name : "",
      .forwarding = std::string(name_of(svc->mode)),
      .if_new = new_connection_view(s, *svc,
                                    {.client_addr = client->addr, .vip = vip->addr,
                                     .client_port = client->port, .vip_port = vip->port,
                                     .proto = proto})};

  if (const command_rings* commands = desired_.commands()) {
    // A client's tuple is in one flow at most; the filter leaves only the service's flows of this
    // client address and port, and the VIP port tells an any-port service's flows apart.
    const flow_filter filter{.service_slot = svc->slot, .client_addr = client->addr,
                             .client_port = client->port};
    const flow_request_result r =
        ask_workers(*commands, flow_command::op::sample, filter, 16, std::chrono::seconds(5));
    if (!r.answered) return error_response(503, {"lookup: a worker did not answer within 5 s"});
    for (const worker_flow& wf : r.flows) {
      const flow& f = wf.sample.record;
      if (f.proto != proto || f.vip != vip->addr || f.vip_port != vip->port) continue;
      flow_request_result one{.matched = 1, .flows = {wf}};
      reply.flow = flows_view(one, {{svc->slot, reply.service}}, 1).flows.front();
      break;
    }
  }
  return {200, nlohmann::json(reply).dump()};
}

} // namespace sluice
