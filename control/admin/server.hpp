#pragma once
// The admin API server: HTTP/1.1 over a Unix socket (mode 0600) or TCP (the metrics endpoint),
// one background thread each. Each request is handed to the handler; responses close the
// connection.

#include <functional>
#include <memory>
#include <string>

#include "control/admin/http_types.hpp"

namespace sluice {

// "a.b.c.d:port" to listen on with TCP.
struct tcp_address {
  std::string host_port;
};

class admin_server {
public:
  using handler = std::function<admin_response(const admin_request&)>;
  struct impl;

  // Binds `socket_path` (replacing a stale socket file, creating its directory) and starts
  // serving. Throws std::runtime_error when the socket cannot be bound.
  admin_server(const std::string& socket_path, handler h);
  // Listens on TCP. Throws std::runtime_error naming admin.metrics when it cannot bind. TCP
  // has no file permissions: give it a handler that serves nothing that changes state.
  admin_server(tcp_address address, handler h);
  ~admin_server(); // stops the thread and removes the socket file

  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace sluice
