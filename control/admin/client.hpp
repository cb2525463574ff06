#pragma once
// A one-request admin API client over the Unix socket (used by sluicectl).

#include <string>

#include "control/admin/http_types.hpp"

namespace sluice {

// Sends `req` to the daemon listening on `socket_path`. Throws std::runtime_error naming the
// socket when it cannot connect or the exchange fails.
admin_response admin_call(const std::string& socket_path, const admin_request& req);

} // namespace sluice
