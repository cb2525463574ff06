// libFuzzer target for the Kubernetes object decoder (control/k8s/decode.hpp) and the
// EndpointSlice trigger time read from it (control/k8s/trigger_times.hpp).
//
// Input: JSON text, one API object (Service, EndpointSlice, Node, any other). Whatever it holds,
// every decoder must return an object or a "field: problem" message, never throw or crash; a
// decoded object has a name (the cache key needs one); a decoded EndpointSlice's
// last-change-trigger-time annotation, whatever it says, yields no latency below zero.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "control/k8s/decode.hpp"
#include "control/k8s/trigger_times.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

using sluice::fuzz::require;

template <typename T>
void check(const sluice::k8s::decoded<T>& d) {
  if (const auto* e = std::get_if<std::string>(&d)) {
    require(e->find(": ") != std::string::npos, "an error names a field and a problem");
    return;
  }
  if constexpr (!std::is_same_v<T, sluice::k8s::object_meta>)
    require(!std::get<T>(d).meta.name.empty(), "a decoded object has a name");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr,
                                                 /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  check(sluice::k8s::decode_service(j));
  const auto slice = sluice::k8s::decode_endpoint_slice(j);
  check(slice);
  if (const auto* s = std::get_if<sluice::k8s::endpoint_slice>(&slice)) {
    using sluice::k8s::wall_clock;
    sluice::k8s::trigger_times t(wall_clock::time_point{});
    t.on_slice(*s);
    for (double v : t.take(wall_clock::time_point{}, [](const std::string&) { return true; }))
      require(v >= 0, "a latency is never negative");
  }
  check(sluice::k8s::decode_node(j));
  check(sluice::k8s::decode_meta(j));
  return 0;
}
