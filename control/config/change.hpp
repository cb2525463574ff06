#pragma once
// Runtime changes to the services, the admin API's `ipvsadm -A -E -D -a -e -d`. Each one takes
// the applied config and the decoded request (admin/api/changes.hpp) and yields what happens to
// one service — added, replaced or removed — validated by the config file's own rules against
// every other service (load.hpp validate_service), or the reasons it is refused. The cost is one
// service's, however many services there are. Nothing here publishes: the caller applies the
// plan or drops it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "control/admin/api/changes.hpp"
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

// One decoded runtime change. add_service carries a service_definition, edit_service a
// service_edit, delete_service a service_removal, the backend kinds a backend_change.
struct runtime_change {
  change_kind kind;
  std::variant<api::service_definition, api::service_edit, api::service_removal,
               api::backend_change>
      request;

  // The request's "flush": erase the flows of what the change removes.
  bool flush() const;
};

// What a change does to the applied config's services.
struct service_delta {
  enum class op : uint8_t { add, replace, remove } kind;
  std::size_t index = 0;  // replace, remove: position in the applied services
  service_config service; // add, replace: the new service (appended by add)
};

struct change_plan {
  int status = 200;                   // 200; 422 invalid request; 404 no such service or backend
  std::optional<service_delta> delta; // set exactly when status is 200
  std::vector<std::string> errors; // "field: message" each, otherwise
  std::string subject;            // what the change touches, for the log: "web", "web 10.0.1.11:8080"
};

// Throws std::bad_variant_access when `c.request` does not hold `c.kind`'s request.
change_plan plan_change(const config& applied, const runtime_change& c);

// The service a selector names: its index, or why there is none (status 422 for an address that
// is not one, 404 when it names no service).
struct service_lookup {
  int status = 200;
  std::size_t index = 0;
  std::string error;
};
service_lookup lookup_service(const config& c, const api::service_selector& selector);

// Applies a planned delta to the config it was planned against.
void apply_delta(config& c, service_delta d);

} // namespace sluice
