#pragma once
// Runtime changes, ipvsadm's -A -E -D -a -e -d, and their replies. Each change is validated whole
// with the config file's rules; a refused one changes nothing. They last until the next reload
// from the file (like ipvsadm edits under ipvsadm-restore).
//
// A service's own fields (address, port, protocol, forwarding, scheduler, persistence_timeout,
// drain_timeout, health_check, acls, allowed_sources, ...) are the config file's: a service
// definition is one entry of its `services:` list, as JSON, and `set` holds such fields. The
// contract carries them as that document so that one validator — the config loader's — judges
// the file and the API alike.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::api {

// Names one service: {"name"} or {"protocol" (default tcp), "address", "port" (default 0)}.
// With a name, the rest is not used.
struct service_selector {
  std::optional<std::string> name;
  std::optional<std::string> protocol; // "tcp" | "udp"; absent: tcp
  std::string address;
  std::optional<uint16_t> port;
  bool operator==(const service_selector&) const = default;
};

// A backend of a change. `port` defaults to the service's; `forwarding`, when given, must be the
// service's (ipvsadm sets it per real server, Sluice per service); `weight` 0 drains.
struct backend_spec {
  std::string address;
  std::optional<uint16_t> port;
  std::optional<int64_t> weight; // range: the config file's rule (0..65535)
  std::optional<std::string> forwarding;
  bool operator==(const backend_spec&) const = default;
};

// POST /v1/services: the body is a service definition (the file's service entry); name
// defaults to "tcp/10.0.0.100:80", backends to [].
struct service_definition {
  nlohmann::json fields = nlohmann::json::object();
  bool operator==(const service_definition&) const = default;
};

// PATCH /v1/services.
struct service_edit {
  service_selector service;
  nlohmann::json set = nlohmann::json::object(); // service definition fields but backends
  std::optional<bool> flush;                     // only false is accepted: nothing is removed
  bool operator==(const service_edit&) const = default;
};

// DELETE /v1/services. flush: erase the service's flows at once (their packets are then
// dropped as no_service) instead of letting them drain until they end.
struct service_removal {
  service_selector service;
  std::optional<bool> flush;
  bool operator==(const service_removal&) const = default;
};

// POST, PATCH and DELETE /v1/backends (-a -e -d). flush: DELETE only, as for services.
struct backend_change {
  service_selector service;
  backend_spec backend;
  std::optional<bool> flush;
  bool operator==(const backend_change&) const = default;
};

// 200 to a runtime change.
struct change_reply {
  std::string result = "applied";
  uint64_t generation = 0;              // of the snapshot now published
  std::optional<uint64_t> flows_flushed; // when the request asked for flush
  // A flush some worker did not answer in time: the change is applied, those flows drain.
  std::optional<std::vector<std::string>> errors;
  bool operator==(const change_reply&) const = default;
};

// 200 to POST /v1/reload.
struct reload_reply {
  std::string result = "applied";
  bool operator==(const reload_reply&) const = default;
};

// Every non-2xx status: one message per problem, each naming its field ("file:line: field:
// message" for the config file).
struct error_reply {
  std::vector<std::string> errors;
  bool operator==(const error_reply&) const = default;
};

void to_json(nlohmann::json& j, const service_selector& v);
void from_json(const nlohmann::json& j, service_selector& v);
void to_json(nlohmann::json& j, const backend_spec& v);
void from_json(const nlohmann::json& j, backend_spec& v);
void to_json(nlohmann::json& j, const service_definition& v);
void from_json(const nlohmann::json& j, service_definition& v);
void to_json(nlohmann::json& j, const service_edit& v);
void from_json(const nlohmann::json& j, service_edit& v);
void to_json(nlohmann::json& j, const service_removal& v);
void from_json(const nlohmann::json& j, service_removal& v);
void to_json(nlohmann::json& j, const backend_change& v);
void from_json(const nlohmann::json& j, backend_change& v);
void to_json(nlohmann::json& j, const change_reply& v);
void from_json(const nlohmann::json& j, change_reply& v);
void to_json(nlohmann::json& j, const reload_reply& v);
void from_json(const nlohmann::json& j, reload_reply& v);
void to_json(nlohmann::json& j, const error_reply& v);
void from_json(const nlohmann::json& j, error_reply& v);

// "ADDRESS[:PORT]" as typed on a command line, the port checked as the JSON decoder checks it
// (`field` names it in the refusal).
backend_spec backend_from_text(const std::string& text, const std::string& field);
// A number typed on a command line as the integer it reads as, else the text itself: the
// decoders then refuse it with the field's name, as they refuse it in JSON.
nlohmann::json number_or_text(const std::string& text);

} // namespace sluice::api
