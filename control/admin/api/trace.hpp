#pragma once
// POST and GET /v1/trace (sluicectl trace): a live trace of what each dataplane stage decided
// for the packets a filter matches. POST arms a session on the workers and answers its id; GET
// with that id takes the records written since the last GET. One session at a time: a POST
// while one is armed is refused (409) rather than silently taking it over from whoever armed it.
// A session ends itself after `count` records or `seconds`, and when nobody has read it for
// k_trace_abandoned_seconds (a client that went away leaves no tracing running).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::api {

inline constexpr uint32_t k_default_trace_count = 100;
inline constexpr uint32_t k_max_trace_count = 100000;
inline constexpr uint32_t k_max_trace_seconds = 3600;
inline constexpr uint32_t k_trace_abandoned_seconds = 10;

// POST body. Every criterion given must hold; none given traces every packet.
struct trace_request {
  std::optional<std::string> vip;     // "ADDRESS:PORT": packets of that service's flows
  std::optional<std::string> client;  // "ADDRESS[/LEN]": packets of flows from those clients
  std::optional<std::string> backend; // "ADDRESS:PORT": packets of flows to that backend
  std::optional<bool> drops;          // only dropped packets (absent: false)
  std::optional<uint32_t> count;      // 1..k_max_trace_count records, then the session ends
                                      // (absent: k_default_trace_count)
  std::optional<uint32_t> seconds;    // 1..k_max_trace_seconds, then the session ends
  bool operator==(const trace_request&) const = default;
};

struct trace_started {
  uint64_t id = 0;
  bool operator==(const trace_started&) const = default;
};

// GET /v1/trace?id=N
struct trace_query {
  std::optional<std::string> id;
  bool operator==(const trace_query&) const = default;
};
std::string to_target(const trace_query& q);
trace_query trace_query_from(const std::map<std::string, std::string>& params);

// One traced packet, stage by stage. Endpoints are "address:port"; a field that does not apply
// to the packet is "" (or 0).
struct trace_entry {
  uint64_t at_us = 0;     // since the session was armed
  uint64_t worker = 0;
  std::string interface;  // where it arrived
  bool handed_in = false; // from another worker (the owner of its flow)
  std::string protocol;   // tcp | udp | icmp | the IP protocol number | "" (not IPv4)
  std::string tcp_flags;  // "S", "SA", "FA", "R", ... (TCP only)
  std::string source;     // as it arrived
  std::string destination;
  bool local = false;     // consumed by local delivery (ARP, ICMP, exception path)
  std::string flow;       // hit | miss | opened | "" (never looked up)
  std::string direction;  // forward | reply (a flow's packet)
  std::string acl;        // allowed | denied | pending | "" (not judged)
  std::string acl_rule;   // "set/rule" (or "set/default") that decided
  std::string service;    // the flow's VIP:port
  std::string scheduler;
  std::string backend;
  std::string forwarding; // nat | dr | tun | fnat
  // forwarded | kernel | handed_off | held | dropped
  std::string outcome;
  uint64_t handoff_to = 0;
  std::string rewritten_source; // as it left (forwarded)
  std::string rewritten_destination;
  std::string egress;     // interface it left by
  std::string next_hop;
  std::string drop;       // the drop reason's counter name
  bool operator==(const trace_entry&) const = default;
};

struct trace_batch {
  uint64_t id = 0;
  std::vector<trace_entry> records; // in the order the workers handled them
  bool done = false;  // the session ended; no record will follow
  uint64_t lost = 0;  // records a full ring lost since the session was armed
  bool operator==(const trace_batch&) const = default;
};

void to_json(nlohmann::json& j, const trace_request& v);
void from_json(const nlohmann::json& j, trace_request& v);
void to_json(nlohmann::json& j, const trace_started& v);
void from_json(const nlohmann::json& j, trace_started& v);
void to_json(nlohmann::json& j, const trace_entry& v);
void from_json(const nlohmann::json& j, trace_entry& v);
void to_json(nlohmann::json& j, const trace_batch& v);
void from_json(const nlohmann::json& j, trace_batch& v);

} // namespace sluice::api
