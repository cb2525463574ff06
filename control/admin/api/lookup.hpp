#pragma once
// GET /v1/lookup: where one connection goes (sluicectl lookup). Its live flow if a worker tracks
// it; otherwise what a new connection with this tuple would get from the running snapshot: the
// backend itself where the scheduler is a hash of the tuple (sh, dh, mh), the candidates where
// it decides at arrival (rr, wrr, lc, wlc, random), and the ACLs' verdict.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/admin/api/flows.hpp"

namespace sluice::api {

// The query parameters: /v1/lookup?protocol=tcp|udp&client=ADDR:PORT&virtual=VIP:PORT, all three
// required. Kept as typed; the daemon refuses a malformed value by name.
struct lookup_query {
  std::optional<std::string> protocol;
  std::optional<std::string> client;
  std::optional<std::string> virtual_; // "virtual"
  bool operator==(const lookup_query&) const = default;
};

std::string to_target(const lookup_query& q);
// From a target's query parameters; refuses an unknown parameter by name.
lookup_query lookup_query_from(const std::map<std::string, std::string>& params);

// What a new connection with the tuple would get now.
struct new_connection {
  std::string scheduler;
  // The backend ("address:port") a hash scheduler gives this tuple; "" when the scheduler
  // decides at arrival or no backend takes new connections.
  std::string backend;
  bool decided_at_arrival = false;     // rr, wrr, lc, wlc, random: one of `candidates`
  std::vector<std::string> candidates; // backends that take new connections (weight > 0)
  uint64_t affinity_seconds = 0; // a client with a live affinity keeps its earlier backend
  // allow | deny | reset (deny, answered with a TCP RST) | unreachable (deny, answered with ICMP)
  // | payload (a payload rule decides on the first data)
  std::string acl;
  bool operator==(const new_connection&) const = default;
};

struct lookup_reply {
  std::string protocol;
  std::string client;
  std::string virtual_;
  std::string service;
  std::string forwarding;
  std::optional<flow_entry> flow; // the live flow, when a worker tracks one
  new_connection if_new;          // JSON "new_connection"
  bool operator==(const lookup_reply&) const = default;
};

void to_json(nlohmann::json& j, const new_connection& v);
void from_json(const nlohmann::json& j, new_connection& v);
void to_json(nlohmann::json& j, const lookup_reply& v);
void from_json(const nlohmann::json& j, lookup_reply& v);

} // namespace sluice::api
