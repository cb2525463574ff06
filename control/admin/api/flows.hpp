#pragma once
// GET /v1/flows: a sample of the workers' tracked flows (sluicectl conns, ipvsadm -Lnc). Every
// worker walks its own table in bounded steps, so this costs forwarding nothing but answers in
// about 10 ms per million flows.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::api {

// The query parameters: /v1/flows[?name=N | ?address=VIP&port=P&protocol=tcp|udp]
// [&backend=RIP[:PORT]][&client=ADDR][&limit=N]. Values are kept as typed; the daemon resolves
// them against the running services and refuses what names nothing.
struct flows_query {
  std::optional<std::string> name;     // the service by name...
  std::optional<std::string> address;  // ... or by address, port and protocol
  std::optional<std::string> port;
  std::optional<std::string> protocol;
  std::optional<std::string> backend;  // needs the service
  std::optional<std::string> client;
  std::optional<std::string> limit;    // 1..100000, default 1000
  bool operator==(const flows_query&) const = default;
};

inline constexpr uint32_t k_default_flow_limit = 1000;
inline constexpr uint32_t k_max_flow_limit = 100000;

// The request target ("/v1/flows?name=web&limit=5"), values percent-encoded.
std::string to_target(const flows_query& q);
// From a target's query parameters (query.hpp); refuses an unknown parameter by name.
flows_query flows_query_from(const std::map<std::string, std::string>& params);

struct flow_entry {
  uint64_t worker = 0;
  std::string protocol; // "tcp" | "udp"
  std::string state;    // ESTABLISHED, SYN_RECV, FIN_WAIT, CLOSE, UDP (IPVS's names)
  std::string client;   // "address:port" each
  std::string virtual_; // JSON "virtual"
  std::string backend;
  std::string forwarding;
  std::string service; // name; "" once the service is gone and the flow drains
  uint64_t expires_in_ms = 0;
  bool operator==(const flow_entry&) const = default;
};

struct flow_sample_list {
  std::vector<flow_entry> flows;
  uint64_t matched = 0;   // flows that matched, over every worker
  bool truncated = false; // matched > flows listed
  bool operator==(const flow_sample_list&) const = default;
};

void to_json(nlohmann::json& j, const flow_entry& v);
void from_json(const nlohmann::json& j, flow_entry& v);
void to_json(nlohmann::json& j, const flow_sample_list& v);
void from_json(const nlohmann::json& j, flow_sample_list& v);

} // namespace sluice::api
