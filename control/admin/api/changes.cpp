#include "control/admin/api/changes.hpp"

#include <charconv>

#include "control/admin/api/decode.hpp"

namespace sluice::api {
namespace {

// Addresses stay the text the client sent; the daemon checks them against the running
// services (an address that is no IPv4 address names no service and no backend either).
std::string address_text(object_reader& r) {
  const nlohmann::json* a = r.find("address");
  if (a == nullptr) throw decode_error("address", "is required");
  if (!a->is_string()) throw decode_error("address", "not an IPv4 address: " + shown(*a));
  return a->get<std::string>();
}

} // namespace

void to_json(nlohmann::json& j, const service_selector& v) {
  if (v.name) {
    j = {{"name", *v.name}};
    return;
  }
  j = {{"address", v.address}};
  if (v.protocol) j["protocol"] = *v.protocol;
  if (v.port) j["port"] = *v.port;
}

void from_json(const nlohmann::json& j, service_selector& v) {
  object_reader r(j, R"(must be {"name"} or {"protocol", "address", "port"})");
  v.name = r.optional<std::string>("name");
  if (v.name) return; // the name alone selects
  v.protocol = r.optional<std::string>("protocol");
  if (v.protocol && *v.protocol != "tcp" && *v.protocol != "udp")
    throw decode_error("protocol", "must be one of tcp | udp (got \"" + *v.protocol + "\")");
  v.address = address_text(r);
  v.port = r.optional<uint16_t>("port");
  r.finish();
}

void to_json(nlohmann::json& j, const backend_spec& v) {
  j = {{"address", v.address}};
  if (v.port) j["port"] = *v.port;
  if (v.weight) j["weight"] = *v.weight;
  if (v.forwarding) j["forwarding"] = *v.forwarding;
}

void from_json(const nlohmann::json& j, backend_spec& v) {
  object_reader r(j, "must be an object {address, port, weight}");
  v.address = address_text(r);
  v.port = r.optional<uint16_t>("port");
  v.weight = r.optional<int64_t>("weight");
  v.forwarding = r.optional<std::string>("forwarding");
  r.finish();
}

void to_json(nlohmann::json& j, const service_definition& v) { j = v.fields; }

void from_json(const nlohmann::json& j, service_definition& v) {
  if (!j.is_object())
    throw decode_error("body", "must be a service object, as in the config file's services list");
  v.fields = j;
}

void to_json(nlohmann::json& j, const service_edit& v) {
  j = {{"service", v.service}, {"set", v.set}};
  if (v.flush) j["flush"] = *v.flush;
}

void from_json(const nlohmann::json& j, service_edit& v) {
  object_reader r(j, "must be an object {service, set}");
  v.service = r.required<service_selector>("service");
  const nlohmann::json* set = r.find("set");
  if (set == nullptr) throw decode_error("set", "is required");
  if (!set->is_object() || set->empty())
    throw decode_error("set", "must be an object with the fields to change");
  if (set->contains("backends"))
    throw decode_error("set.backends", "change backends with the backend requests");
  v.set = *set;
  v.flush = r.optional<bool>("flush");
  r.finish();
}

void to_json(nlohmann::json& j, const service_removal& v) {
  j = {{"service", v.service}};
  if (v.flush) j["flush"] = *v.flush;
}

void from_json(const nlohmann::json& j, service_removal& v) {
  object_reader r(j, "must be an object {service, flush}");
  v.service = r.required<service_selector>("service");
  v.flush = r.optional<bool>("flush");
  r.finish();
}

void to_json(nlohmann::json& j, const backend_change& v) {
  j = {{"service", v.service}, {"backend", v.backend}};
  if (v.flush) j["flush"] = *v.flush;
}

void from_json(const nlohmann::json& j, backend_change& v) {
  object_reader r(j, "must be an object {service, backend, flush}");
  v.service = r.required<service_selector>("service");
  v.backend = r.required<backend_spec>("backend");
  v.flush = r.optional<bool>("flush");
  r.finish();
}

void to_json(nlohmann::json& j, const change_reply& v) {
  j = {{"result", v.result}, {"generation", v.generation}};
  if (v.flows_flushed) j["flows_flushed"] = *v.flows_flushed;
  if (v.errors) j["errors"] = *v.errors;
}

void from_json(const nlohmann::json& j, change_reply& v) {
  object_reader r(j, "must be an object");
  v.result = r.required<std::string>("result");
  v.generation = r.required<uint64_t>("generation");
  v.flows_flushed = r.optional<uint64_t>("flows_flushed");
  v.errors = r.optional<std::vector<std::string>>("errors");
}

void to_json(nlohmann::json& j, const reload_reply& v) { j = {{"result", v.result}}; }

void from_json(const nlohmann::json& j, reload_reply& v) {
  object_reader r(j, "must be an object");
  v.result = r.required<std::string>("result");
}

void to_json(nlohmann::json& j, const error_reply& v) { j = {{"errors", v.errors}}; }

void from_json(const nlohmann::json& j, error_reply& v) {
  object_reader r(j, "must be an object");
  v.errors = r.required<std::vector<std::string>>("errors");
}

nlohmann::json number_or_text(const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc{} && end == text.data() + text.size()) return v;
  return text;
}

backend_spec backend_from_text(const std::string& text, const std::string& field) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return {.address = text};
  return {.address = text.substr(0, colon),
          .port = decode_value<uint16_t>(number_or_text(text.substr(colon + 1)), field + ".port")};
}

} // namespace sluice::api
