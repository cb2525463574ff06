// libFuzzer target for the admin API's request decoders (control/admin/api/).
//
// Input: one byte choosing the request (0 a service definition, 1 a service edit, 2 a service
// removal, 3 a backend change, 4 a flows query target, 5 a lookup query target, 6 a trace
// request, 7 a trace query target), then its body
// (JSON, or the target's query). Properties: a body is either refused with a decode_error whose message is not empty,
// or it decodes into a struct that survives encode → decode unchanged and encodes to the same
// JSON twice; nothing else is thrown.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "control/admin/api.hpp"
#include "control/admin/query.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

namespace api = sluice::api;
using sluice::fuzz::require;

template <class T>
void check(std::string_view body) {
  T decoded;
  try {
    decoded = api::decode_text<T>(body);
  } catch (const api::decode_error& e) {
    require(!e.problem().empty(), "a refusal says why");
    return;
  }
  const nlohmann::json once = decoded;
  require(api::decode_value<T>(once, "") == decoded, "a decoded request survives encode, decode");
  require(nlohmann::json(api::decode_value<T>(once, "")) == once, "encoding is stable");
}

// A query target's parameters: refused saying why, or decoded into a query that survives
// to_target, parse.
template <class Query>
void check_query(const char* path, Query (*from)(const std::map<std::string, std::string>&),
                 std::string_view query) {
  Query q;
  try {
    q = from(sluice::parse_target(path + ("?" + std::string(query))).params);
  } catch (const api::decode_error& e) {
    require(!e.problem().empty(), "a refusal says why");
    return;
  }
  require(from(sluice::parse_target(api::to_target(q)).params) == q,
          "a query survives to_target, parse");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
  case 0: check<api::service_definition>(body); break;
  case 1: check<api::service_edit>(body); break;
  case 2: check<api::service_removal>(body); break;
  case 3: check<api::backend_change>(body); break;
  case 4: check_query(api::k_flows_path, api::flows_query_from, body); break;
  case 5: check_query(api::k_lookup_path, api::lookup_query_from, body); break;
  case 6: check<api::trace_request>(body); break;
  default: check_query(api::k_trace_path, api::trace_query_from, body); break;
  }
  return 0;
}
