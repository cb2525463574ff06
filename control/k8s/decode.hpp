#pragma once
// JSON → k8s/objects.hpp. The API server may send any field of a type (the upstream every-field
// fixtures) and values the mapping does not know; a field of the wrong JSON type or an
// impossible value makes the object's decode fail with a message naming the field, never a
// crash or an exception. Fields the mapping does not read are not looked at.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <variant>

#include "control/k8s/objects.hpp"

namespace sluice::k8s {

template <typename T>
using decoded = std::variant<T, std::string>; // the object, or "field: problem"

decoded<service> decode_service(const nlohmann::json& j);
decoded<endpoint_slice> decode_endpoint_slice(const nlohmann::json& j);
decoded<node> decode_node(const nlohmann::json& j);
decoded<object_meta> decode_meta(const nlohmann::json& j); // j: the object, not its metadata

l4_protocol protocol_of(std::string_view s) noexcept;
std::string_view name_of(l4_protocol p) noexcept;

} // namespace sluice::k8s
