#pragma once
// The admin API server: HTTP/1.1 over a Unix socket (mode 0600), one background thread.
// Each request is handed to the handler; responses close the connection.

#include <functional>
#include <memory>
#include <string>

#include "control/admin/http_types.hpp"

namespace sluice {

class admin_server {
public:
  using handler = std::function<admin_response(const admin_request&)>;

  // Binds `socket_path` (replacing a stale socket file, creating its directory) and starts
  // serving. Throws std::runtime_error when the socket cannot be bound.
  admin_server(const std::string& socket_path, handler h);
  ~admin_server(); // stops the thread and removes the socket file

  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice
