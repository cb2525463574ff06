#pragma once
// Runtime changes to the services, the admin API's `ipvsadm -A -E -D -a -e -d`. Each one takes
// the applied config and the request's JSON body (shapes: admin/api.hpp) and yields the whole
// next config, validated by the config file's own parser (load.hpp with_services), or the
// reasons it is refused. Nothing here publishes: the caller applies the plan or drops it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/config/model.hpp"

namespace sluice {

enum class change_kind : uint8_t {
  add_service,
  edit_service,
  delete_service,
  add_backend,
  edit_backend,
  delete_backend,
};

std::string_view name_of(change_kind k) noexcept;

struct change_plan {
  int status = 200;               // 200; 422 invalid request; 404 no such service or backend
  std::optional<config> next;     // set exactly when status is 200
  std::vector<std::string> errors; // "field: message" each, otherwise
  std::string subject;            // what the change touches, for the log: "web", "web 10.0.1.11:8080"
};

change_plan plan_change(const config& applied, change_kind kind, std::string_view body);

} // namespace sluice
